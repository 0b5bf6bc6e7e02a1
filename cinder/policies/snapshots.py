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
"""Policies of snapshots, their metadata and actions, named as Cinder's."""

from cinder.policies import base
from cinder.policies import volumes

CREATE = 'volume:create_snapshot'
GET = 'volume:get_snapshot'
GET_ALL = 'volume:get_all_snapshots'
UPDATE = 'volume:update_snapshot'
DELETE = 'volume:delete_snapshot'
GET_METADATA = 'volume:get_snapshot_metadata'
UPDATE_METADATA = 'volume:update_snapshot_metadata'
DELETE_METADATA = 'volume:delete_snapshot_metadata'
EXTENDED_ATTRIBUTE = 'volume_extension:extended_snapshot_attributes'
RESET_STATUS = 'volume_extension:snapshot_admin_actions:reset_status'
FORCE_DELETE = 'volume_extension:snapshot_admin_actions:force_delete'
UPDATE_STATUS = 'snapshot_extension:snapshot_actions:update_snapshot_status'

SNAPSHOTS = '/snapshots'
SNAPSHOT = '/snapshots/{snapshot_id}'
ACTION = '/snapshots/{snapshot_id}/action'
METADATA = '/snapshots/{snapshot_id}/metadata'

_rule = volumes._rule

rules = [
    _rule(CREATE, base.MEMBER, 'Create a snapshot.', [('POST', SNAPSHOTS)]),
    _rule(GET, base.READER, 'Show a snapshot.', [('GET', SNAPSHOT)]),
    _rule(GET_ALL, base.READER, 'List snapshots.',
          [('GET', SNAPSHOTS), ('GET', SNAPSHOTS + '/detail')]),
    _rule(UPDATE, base.MEMBER, 'Update a snapshot.', [('PUT', SNAPSHOT)]),
    _rule(DELETE, base.MEMBER, 'Delete a snapshot.',
          [('DELETE', SNAPSHOT)]),
    _rule(GET_METADATA, base.READER, 'Show snapshot metadata.',
          [('GET', METADATA), ('GET', METADATA + '/{key}')]),
    _rule(UPDATE_METADATA, base.MEMBER, 'Add or replace snapshot metadata.',
          [('POST', METADATA), ('PUT', METADATA),
           ('PUT', METADATA + '/{key}')]),
    _rule(DELETE_METADATA, base.MEMBER, 'Delete a snapshot metadata key.',
          [('DELETE', METADATA + '/{key}')]),
    _rule(EXTENDED_ATTRIBUTE, base.READER,
          'Show project_id and progress in snapshot views.',
          [('GET', SNAPSHOT)]),
    _rule(RESET_STATUS, base.RULE_ADMIN_API,
          'Reset the status of a snapshot.',
          [('POST', ACTION + ' (os-reset_status)')]),
    _rule(FORCE_DELETE, base.RULE_ADMIN_API,
          'Delete a snapshot whatever its status.',
          [('POST', ACTION + ' (os-force_delete)')]),
    _rule(UPDATE_STATUS, base.MEMBER,
          'Update the status of a snapshot (used by drivers).',
          [('POST', ACTION + ' (os-update_snapshot_status)')]),
]


def list_rules():
    return rules
