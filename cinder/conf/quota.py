# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.
"""[DEFAULT] quota options, named as Cinder names them."""

from oslo_config import cfg

OPTS = [
    cfg.IntOpt('quota_volumes', default=10,
               help='Number of volumes allowed per project.'),
    cfg.IntOpt('quota_snapshots', default=10,
               help='Number of volume snapshots allowed per project.'),
    cfg.IntOpt('quota_gigabytes', default=1000,
               help='Total gigabytes of volumes and snapshots allowed per '
                    'project.'),
    cfg.IntOpt('quota_backups', default=10,
               help='Number of volume backups allowed per project.'),
    cfg.IntOpt('quota_backup_gigabytes', default=1000,
               help='Total gigabytes of backups allowed per project.'),
    cfg.IntOpt('quota_groups', default=10,
               help='Number of groups allowed per project.'),
    cfg.IntOpt('per_volume_size_limit', default=-1,
               help='Maximum size of a single volume in GB; -1 is no limit.'),
    cfg.IntOpt('reservation_expire', default=86400,
               help='Seconds until an uncommitted quota reservation '
                    'expires.'),
    cfg.BoolOpt('use_default_quota_class', default=True,
                help='Take default quotas from the quota class "default" '
                     'when it sets them, before these options.'),
]
