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
"""The one place where configuration options are registered and parsed.

Every entry point (cinder-api, cinder-manage, the WSGI module, the tests)
calls :func:`parse` once; nothing registers options at import time.
"""

import logging as std_logging

from oslo_config import cfg
from oslo_log import log as logging

from cinder.conf import api
from cinder.conf import database
from cinder.conf import quota
from cinder.conf import volume

CONF = cfg.CONF
PROJECT = 'cinder'

LOG = logging.getLogger(__name__)


# Libraries whose INFO lines are noise in a service log.
# eventlet.wsgi.server=WARN: cinder-api's request lines come from the
# requestlog filter, in every mode; eventlet keeps reporting its errors.
QUIET_LOGGERS = ['alembic=WARN', 'keystonemiddleware=INFO', 'routes=WARN',
                 'stevedore=WARN', 'urllib3=WARN', 'eventlet.wsgi.server=WARN']


def register_opts(conf):
    """Register every option this project owns on *conf* (idempotent)."""
    conf.register_opts(api.OPTS)
    conf.register_opts(quota.OPTS)
    conf.register_opts(volume.OPTS)
    conf.register_opts(database.OPTS, group=database.GROUP)
    logging.register_options(conf)
    logging.set_defaults(default_log_levels=(
        logging.get_default_log_levels() + QUIET_LOGGERS))


def parse(conf, args, default_config_files=None, prog='cinder-api'):
    """Parse *args* and the config files into *conf*.

    *args* is the command line that belongs to us: the real one for console
    scripts, and an empty list under a WSGI server, whose argv is its own.
    When no configuration file is found at all, the embedded development
    defaults apply (see :func:`uses_embedded_defaults`).
    """
    register_opts(conf)
    conf(args,
         project=PROJECT,
         prog=prog,
         default_config_files=default_config_files)
    if uses_embedded_defaults(conf):
        conf.set_default('auth_strategy', 'noauth')
        conf.set_default('osapi_volume_listen', '127.0.0.1')


def uses_embedded_defaults(conf):
    """True when no configuration file or directory was found or given.

    Then, and only then, the API defaults to noauth on 127.0.0.1, so a bare
    ``cinder-api`` is a safe local development server while an operator's
    cinder.conf keeps Cinder's defaults (keystone, 0.0.0.0).
    """
    return not conf.config_file and not conf.config_dir


def setup_logging(conf):
    """Set up oslo.log from *conf*; safe to call again on reload."""
    logging.setup(conf, PROJECT)
    std_logging.captureWarnings(True)
