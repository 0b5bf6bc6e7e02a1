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
"""Options of the volume service, the scheduler and each storage backend.

Backend options live in one section per name listed in enabled_backends,
as in Cinder; ``[backend_defaults]`` holds values every backend inherits
unless its own section sets them. With no enabled_backends the service runs
one backend, ``local``: the local file driver under ``$state_path``.
"""

import socket

from oslo_config import cfg

DEFAULT_BACKEND = 'local'
DEFAULTS_GROUP = 'backend_defaults'
LOCAL_DRIVER = 'cinder.volume.drivers.localfile.LocalFileDriver'

OPTS = [
    cfg.StrOpt('host',
               default=socket.gethostname(),
               sample_default='<hostname>',
               help='Name of this node; volume services are named '
                    'host@backend and volumes host@backend#pool.'),
    cfg.ListOpt('enabled_backends',
                help='Names of the backend sections this volume service '
                     'runs. Unset runs one backend named "local" with the '
                     'local file driver.'),
    cfg.StrOpt('storage_availability_zone',
               default='nova',
               help='Availability zone of this node.'),
    cfg.StrOpt('default_availability_zone',
               help='Availability zone of volumes created without one; '
                    'unset means storage_availability_zone.'),
    cfg.IntOpt('report_interval',
               default=10,
               min=1,
               help='Seconds between a service\'s heartbeats, each of which '
                    'also reports the backends\' capacity.'),
    cfg.IntOpt('periodic_interval',
               default=60,
               min=1,
               help='Seconds between sweeps that resume work left behind '
                    'by a process that died.'),
    cfg.IntOpt('volume_service_workers',
               default=4,
               min=1,
               help='Threads of the embedded volume service in each API '
                    'worker process (no transport_url), and of '
                    'cinder-volume for resuming tasks at start. Messages '
                    'to cinder-volume run on oslo.messaging\'s '
                    'executor_thread_pool_size threads.'),
]

BACKEND_OPTS = [
    cfg.StrOpt('volume_driver',
               default=LOCAL_DRIVER,
               help='Driver class of this backend.'),
    cfg.StrOpt('volume_backend_name',
               help='Name the volume type extra spec volume_backend_name '
                    'matches; defaults to the section name.'),
    cfg.StrOpt('backend_availability_zone',
               help='Availability zone of this backend; unset means '
                    'storage_availability_zone.'),
    cfg.IntOpt('reserved_percentage',
               default=0,
               min=0,
               max=100,
               help='Percentage of the backend\'s capacity kept free.'),
    cfg.FloatOpt('max_over_subscription_ratio',
                 default=20.0,
                 min=1.0,
                 help='How far thin-provisioned volumes may promise more '
                      'than the backend\'s capacity.'),
    cfg.StrOpt('local_volumes_dir',
               default='$state_path/volumes',
               help='Local file driver: directory holding the volume and '
                    'snapshot files (sparse raw images).'),
]


def backend_names(conf):
    return list(conf.enabled_backends or [DEFAULT_BACKEND])


class BackendConf:
    """The options of one backend: its own section, else
    [backend_defaults], else the option default."""

    def __init__(self, conf, name):
        conf.register_opts(BACKEND_OPTS, group=name)
        conf.register_opts(BACKEND_OPTS, group=DEFAULTS_GROUP)
        self._conf = conf
        self.backend_name = name

    def get(self, option):
        section = self._conf[self.backend_name]
        location = self._conf.get_location(option, self.backend_name)
        if location is not None and (
                location.location == cfg.Locations.opt_default):
            return self._conf[DEFAULTS_GROUP][option]
        return section[option]
