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
"""cinder-manage: database administration (db sync, db version)."""

import sys

from oslo_config import cfg
from oslo_log import log as logging

import cinder.conf
from cinder.db import api as db_api
from cinder.db import migration
from cinder import exception

LOG = logging.getLogger(__name__)


def _db_sync(args):
    db_api.wait_for_connection()
    migration.db_sync(args.version or 'head')
    print('Database schema is at %s' % migration.db_version())


def _db_version(args):
    print(migration.db_version() or 'None')


def _add_commands(subparsers):
    db = subparsers.add_parser('db', help='Database schema commands.')
    actions = db.add_subparsers(dest='action', required=True)
    sync = actions.add_parser('sync', help='Upgrade the schema.')
    sync.add_argument('version', nargs='?', help='Target revision (head).')
    sync.set_defaults(func=_db_sync)
    version = actions.add_parser('version', help='Print the schema revision.')
    version.set_defaults(func=_db_version)


def main(argv=None):
    # Its own ConfigOpts: the sub-command option is cinder-manage's alone.
    conf = cfg.ConfigOpts()
    conf.register_cli_opt(cfg.SubCommandOpt('command', handler=_add_commands))
    try:
        cinder.conf.parse(conf, sys.argv[1:] if argv is None else argv,
                          prog='cinder-manage')
        cinder.conf.setup_logging(conf)
        db_api.configure(conf)
        conf.command.func(conf.command)
    except exception.CinderException as error:
        print('cinder-manage: %s' % error.msg, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
