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
"""[database] options, named as oslo.db names them, so cinder.conf carries
over."""

from oslo_config import cfg

GROUP = 'database'

OPTS = [
    cfg.StrOpt('connection',
               secret=True,
               default='sqlite:///$state_path/cinder.sqlite',
               help='The SQLAlchemy connection string of the database, e.g. '
                    'mysql+pymysql://cinder:PASS@host/cinder or '
                    'postgresql+psycopg://cinder:PASS@host/cinder.'),
    cfg.IntOpt('max_pool_size',
               default=5,
               min=0,
               help='Maximum number of SQL connections to keep open in a '
                    'pool. On MySQL and PostgreSQL each process has two '
                    'pools, one for writes and one for reads. 0 means no '
                    'limit.'),
    cfg.IntOpt('max_overflow',
               default=50,
               min=0,
               help='Connections a pool may open beyond max_pool_size.'),
    cfg.IntOpt('pool_timeout',
               default=30,
               min=1,
               help='Seconds to wait for a connection from the pool.'),
    cfg.IntOpt('connection_recycle_time',
               default=3600,
               help='Connections older than this many seconds are replaced '
                    'the next time they are checked out.'),
    cfg.IntOpt('max_retries',
               default=10,
               min=-1,
               help='Attempts to connect at start-up; -1 retries forever.'),
    cfg.IntOpt('retry_interval',
               default=10,
               min=0,
               help='Seconds between connection attempts at start-up.'),
    cfg.IntOpt('db_max_retries',
               default=20,
               min=0,
               help='Times a transaction that hit a deadlock or a locked '
                    'SQLite database is retried before the error is raised.'),
    cfg.IntOpt('connection_debug',
               default=0,
               min=0,
               max=100,
               help='Verbosity of SQL debugging information: 0 none, 50 '
                    'statements, 100 everything.'),
    cfg.StrOpt('mysql_sql_mode',
               default='TRADITIONAL',
               help='The SQL mode set on MySQL sessions.'),
    cfg.BoolOpt('sqlite_synchronous',
                default=True,
                help='If True, SQLite syncs every commit to disk (FULL), so '
                     'an acknowledged write survives a power loss; False '
                     'turns syncing off.'),
]
