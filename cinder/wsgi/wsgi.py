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
"""The WSGI application factory used by every WSGI server.

Under uWSGI, gunicorn or mod_wsgi, sys.argv belongs to the server, so the
configuration comes from the environment instead:

* ``OS_CINDER_CONFIG_DIR``: a directory holding cinder.conf (and where a
  relative api_paste_config is looked for first);
* ``OS_CINDER_CONFIG_FILES``: a ';'-separated list of files, relative to
  OS_CINDER_CONFIG_DIR when that is set;
* neither: oslo.config's standard search (~/.cinder, ~, /etc/cinder, /etc);
* and, always, oslo.config's ``OS_<GROUP>__<OPT>`` environment values.

Only when the generated ``cinder-wsgi`` script runs as a program (pbr's
development server) is the command line ours: pbr passes what follows
``--`` in sys.argv.
"""

import os
import sys

from oslo_log import log as logging

from cinder.api import app
import cinder.conf
from cinder import exception

LOG = logging.getLogger(__name__)

CONFIG_DIR_ENV = 'OS_CINDER_CONFIG_DIR'
CONFIG_FILES_ENV = 'OS_CINDER_CONFIG_FILES'
DEV_SERVER_SCRIPT = 'cinder-wsgi'


def get_config_files(env=None):
    """The config files named by the environment, or None to search."""
    env = os.environ if env is None else env
    config_dir = env.get(CONFIG_DIR_ENV, '').strip()
    names = [name.strip()
             for name in env.get(CONFIG_FILES_ENV, '').split(';')
             if name.strip()]
    if not config_dir and not names:
        return None
    if config_dir and not names:
        names = ['cinder.conf']
    files = [os.path.join(config_dir, name) for name in names]
    missing = [path for path in files if not os.path.isfile(path)]
    if missing:
        raise exception.ConfigError(
            reason='%s/%s name missing files: %s'
                   % (CONFIG_DIR_ENV, CONFIG_FILES_ENV, ', '.join(missing)))
    return files


def own_argv():
    """Our command line: only when cinder-wsgi itself is the program."""
    main = sys.modules.get('__main__')
    main_file = getattr(main, '__file__', None) or ''
    if os.path.basename(main_file) == DEV_SERVER_SCRIPT:
        return sys.argv[1:]
    return []


def initialize_application():
    """Parse the configuration and build the API; log one line on failure."""
    conf = cinder.conf.CONF
    try:
        config_files = get_config_files()
        conf.reset()
        cinder.conf.parse(conf, own_argv(), default_config_files=config_files)
        cinder.conf.setup_logging(conf)
        if cinder.conf.uses_embedded_defaults(conf):
            LOG.warning('No configuration file found: serving the embedded '
                        'development defaults (noauth for loopback clients, '
                        'SQLite at %s).', conf.database.connection)
        application = app.load_app(conf)
        app.settle_for_serving()
        return application
    except exception.CinderException as error:
        message = error.msg
    except Exception as error:  # config parse errors, unreadable files ...
        message = '%s: %s' % (type(error).__name__, error)
    # Outside the except block, so the log line is not followed by a
    # repetition of the exception.
    _fail(message)


class StartupFailed(RuntimeError):
    """The API cannot be built; the reason is already in the log."""


def _fail(message):
    # One line in the log, then an exception the WSGI server treats as a
    # failed app load (uWSGI need-app exits, gunicorn stops booting). Not
    # SystemExit: uWSGI hangs finalizing an interpreter that raised it.
    LOG.critical('Cannot start the Block Storage API: %s', message)
    raise StartupFailed(message)
