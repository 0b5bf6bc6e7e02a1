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
"""cinder-api: the Block Storage API on eventlet, the default mode.

This is the only entry point that imports eventlet, and it monkey-patches
before anything else is imported; the WSGI path (cinder.wsgi) never does.
"""

import sys


def main():
    import warnings
    # eventlet announces its own deprecation on import; this launcher knows.
    warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
    import eventlet
    eventlet.monkey_patch()

    from oslo_log import log as logging

    import cinder.conf
    from cinder import exception
    from cinder.wsgi import eventlet_server

    from oslo_config import cfg

    conf = cinder.conf.CONF
    try:
        cinder.conf.parse(conf, sys.argv[1:], prog='cinder-api')
    except cfg.Error as error:
        # Logging is configured by the files that failed to load.
        print('Cannot start the Block Storage API: %s' % error,
              file=sys.stderr)
        return 1
    cinder.conf.setup_logging(conf)
    log = logging.getLogger('cinder.cmd.api')
    if cinder.conf.uses_embedded_defaults(conf):
        log.warning('No configuration file found: serving the embedded '
                    'development defaults (noauth on %s, SQLite at %s).',
                    conf.osapi_volume_listen, conf.database.connection)
    try:
        return eventlet_server.serve(conf)
    except exception.CinderException as error:
        message = error.msg
    except Exception as error:
        message = '%s: %s' % (type(error).__name__, error)
    log.critical('Cannot start the Block Storage API: %s', message)
    return 1


if __name__ == '__main__':
    sys.exit(main())
