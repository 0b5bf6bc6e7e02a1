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
"""[DEFAULT] options of the API service, named as Cinder names them."""

import os

from oslo_config import cfg


def default_state_path(env=None):
    """Return the per-user state directory used when state_path is unset.

    It follows the XDG base directory spec so that a developer who never wrote
    a config file gets a private, writable directory, not /var/lib/cinder.
    """
    env = os.environ if env is None else env
    base = env.get('XDG_STATE_HOME') or os.path.join(
        os.path.expanduser('~'), '.local', 'state')
    return os.path.join(base, 'cinder')


AUTH_STRATEGIES = (
    ('keystone', 'Keystone tokens, validated by keystonemiddleware '
                 '([keystone_authtoken]).'),
    ('noauth', 'No authentication; the token names user:project and every '
               'caller is an admin. Development only.'),
    ('noauth_include_project_id', 'As noauth (kept for Cinder '
                                  'compatibility).'),
)

OPTS = [
    cfg.StrOpt('state_path',
               default=default_state_path(),
               sample_default=('$XDG_STATE_HOME/cinder '
                               '(or ~/.local/state/cinder)'),
               help='Top-level directory for maintaining the service state, '
                    'including the embedded SQLite database.'),
    cfg.StrOpt('api_paste_config',
               default='api-paste.ini',
               help='File name for the paste.deploy config of the API. A '
                    'relative name is looked up in the configuration '
                    'directories, then in the installed etc/cinder.'),
    cfg.StrOpt('auth_strategy',
               default='keystone',
               choices=AUTH_STRATEGIES,
               help='Authentication strategy of the API. "noauth" trusts an '
                    'X-Auth-Token of the form user:project and is for '
                    'development only. With no configuration file at all the '
                    'default becomes noauth, served on 127.0.0.1 only.'),
    cfg.HostAddressOpt('osapi_volume_listen',
                       default='0.0.0.0',
                       help='IP address on which cinder-api (the eventlet '
                            'server) listens. Ignored under other WSGI '
                            'servers, which own their sockets.'),
    cfg.PortOpt('osapi_volume_listen_port',
                default=8776,
                help='Port on which cinder-api listens. Ignored under other '
                     'WSGI servers.'),
    cfg.IntOpt('osapi_volume_workers',
               min=1,
               sample_default='<number of CPUs>',
               help='Number of worker processes of cinder-api. Defaults to '
                    'the number of CPUs. Ignored under other WSGI servers.'),
    cfg.IntOpt('graceful_shutdown_timeout',
               default=60,
               min=0,
               help='Seconds cinder-api waits for in-flight requests after '
                    'SIGTERM before it exits anyway. 0 waits forever.'),
    cfg.IntOpt('client_socket_timeout',
               default=900,
               min=0,
               help='Seconds cinder-api keeps an idle client connection '
                    'open. 0 means no timeout.'),
    cfg.URIOpt('public_endpoint',
               help='Public URL of the API (scheme, host and optional path '
                    'prefix) used in links instead of the request URL, e.g. '
                    'https://cloud.example.com/volume.'),
    cfg.IntOpt('osapi_max_limit',
               default=1000,
               min=1,
               help='The maximum number of items a collection resource '
                    'returns in a single response.'),
    cfg.StrOpt('project_id_regex',
               default=r'[0-9a-f\-]+',
               help='Regular expression a project id in the URL must match.'),
    cfg.StrOpt('default_volume_type',
               default='__DEFAULT__',
               help='Name of the volume type used when a request names '
                    'none. The __DEFAULT__ type exists from the first '
                    'start; an administrator may point this elsewhere.'),
    cfg.IntOpt('service_down_time',
               default=60,
               min=1,
               help='Seconds since its last heartbeat after which a service '
                    'is shown as down.'),
    cfg.IntOpt('message_ttl',
               default=2592000,
               min=1,
               help='Seconds a user message is kept (guaranteed_until).'),
    cfg.StrOpt('transport_url',
               secret=True,
               help='The network address and optional user credentials for '
                    'connecting to the messaging backend, in URL format, e.g. '
                    'rabbit://user:pass@host:5672/. Unset means the volume '
                    'service runs in the API process.'),
]
