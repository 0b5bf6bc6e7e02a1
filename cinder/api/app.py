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
"""load_app(conf): the one way every launcher and every test builds the API.

It checks what would otherwise surface as 500s later (option values, the
database and its schema, the paste file) and raises ConfigError or a DB
error with a one-line reason, so a server refuses to start workers.
"""

import gc
import os
import sys

from oslo_config import cfg
from oslo_log import log as logging
from paste import deploy

import cinder.conf
from cinder.conf import api as api_opts
from cinder.conf import database as database_opts
from cinder.conf import quota as quota_opts
from cinder.db import api as db_api
from cinder.db import migration
from cinder import exception
from cinder import policy

LOG = logging.getLogger(__name__)

APP_NAME = 'osapi_volume'
_SOURCE_ETC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'etc', 'cinder')


def find_paste_config(conf):
    """Locate api_paste_config.

    A relative name is searched in the configuration directories (those of
    the files in use, then oslo.config's standard ones), then in the
    installed etc/cinder of this Python prefix, then in the source tree, so
    the embedded default works after pip install and from a checkout.
    """
    name = conf.api_paste_config
    if os.path.isabs(name):
        candidates = [name]
    else:
        candidates = [conf.find_file(name),
                      os.path.join(sys.prefix, 'etc', 'cinder', name),
                      os.path.join(_SOURCE_ETC, name)]
    for path in candidates:
        if path and os.path.isfile(path):
            return os.path.abspath(path)
    raise exception.ConfigError(
        reason='api_paste_config %r was not found (looked in the '
               'configuration directories, %s and %s)'
               % (name, os.path.join(sys.prefix, 'etc', 'cinder'),
                  _SOURCE_ETC))


def validate_options(conf):
    """Read every option this project owns, so a bad value fails now."""
    groups = ((None, api_opts.OPTS + quota_opts.OPTS),
              (database_opts.GROUP, database_opts.OPTS))
    for group, opts in groups:
        section = conf if group is None else conf[group]
        for opt in opts:
            try:
                getattr(section, opt.dest)
            except (cfg.ConfigFileValueError, ValueError) as error:
                raise exception.ConfigError(
                    reason='[%s] %s: %s' % (group or 'DEFAULT', opt.name,
                                            error))


def load_app(conf):
    """Build the WSGI application from *conf* (already parsed)."""
    validate_options(conf)
    db_api.configure(conf)
    migration.ensure_schema()
    policy.init(conf)
    paste_file = find_paste_config(conf)
    LOG.info('Loading the API from %s', paste_file)
    if (conf.auth_strategy.startswith('noauth')
            and not cinder.conf.uses_embedded_defaults(conf)):
        # Under a WSGI server the bind address is the server's, unknown
        # here: say it whenever noauth is chosen explicitly.
        LOG.warning('auth_strategy = %s: every caller is an admin and no '
                    'token is checked. Use it for development only.',
                    conf.auth_strategy)
    try:
        app = deploy.loadapp('config:' + paste_file, name=APP_NAME)
    except (LookupError, ImportError, ValueError) as error:
        raise exception.ConfigError(reason='%s: %s' % (paste_file, error))
    # The start-up checks opened a pool; close it so that no connection is
    # inherited by workers forked after this (gunicorn --preload, uWSGI
    # without lazy-apps, cinder-api). Each worker connects on first use.
    db_api.dispose()
    return app


# A detail page of 100 volumes holds a few thousand objects at once. With
# Python's default first threshold (700) each page set off a young
# collection that traversed them (about 0.1 ms), and a full collection,
# every few hundred pages, walked the 100,000 objects of the loaded
# libraries (40 to 50 ms, a pause of the whole worker).
YOUNG_COLLECTION_THRESHOLD = 5000


def settle_for_serving():
    """Called by the servers (not the tests) once the API is loaded, and
    again after a reload has replaced it.

    What exists then (modules, the application, its prepared statements)
    lives as long as the process: frozen, it is left out of every
    collection, and collections in forked workers do not write to the
    pages they share with their parent. In-process, a page's collections
    took 0.2 ms of its CPU before and 0.01 ms after. At start-up nothing
    is collected first (35 ms for a few hundred objects); after a reload
    what was frozen is let go and collected, so that the replaced
    application's cycles are freed.
    """
    if gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])
