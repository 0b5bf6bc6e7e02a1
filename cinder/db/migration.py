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
"""Schema versions: read the current one cheaply, upgrade with alembic.

Workers compare the database with :data:`HEAD` without importing alembic;
a unit test keeps HEAD equal to the newest migration.
"""

import contextlib
import fcntl
import os

import sqlalchemy as sa

from cinder.db import api as db_api
from cinder import exception

# The newest revision in cinder/db/migrations/versions.
HEAD = '0008_volumes_host_size_index'

_MIGRATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           'migrations')


def alembic_config(connection=None):
    from alembic import config as alembic_cfg

    config = alembic_cfg.Config()
    config.set_main_option('script_location', _MIGRATIONS)
    config.attributes['connection'] = connection
    return config


def current_revision(connection):
    """The revision the database is at, or None for an empty database."""
    if not sa.inspect(connection).has_table('alembic_version'):
        return None
    return connection.exec_driver_sql(
        'SELECT version_num FROM alembic_version').scalar()


def db_version():
    with db_api.get_engine().connect() as connection:
        return current_revision(connection)


def db_sync(revision='head'):
    """Upgrade the schema to *revision*; safe to run from many processes."""
    from alembic import command

    engine = db_api.get_engine()
    with _migration_lock(engine), engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


@contextlib.contextmanager
def _migration_lock(engine):
    """Serialize concurrent upgrades of one SQLite file (several workers
    starting at once); other databases rely on their own DDL locking and on
    operators running cinder-manage db sync once.
    """
    database = engine.url.database
    if (engine.dialect.name != 'sqlite' or not database
            or database == ':memory:'):
        yield
        return
    with open(database + '.migrate.lock', 'a') as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def ensure_schema():
    """Check the database at start-up; upgrade an embedded SQLite one.

    SQLite is the zero-configuration default, so its schema is created or
    upgraded on first start. A server database (MySQL, PostgreSQL) is only
    checked: operators upgrade it with cinder-manage db sync, on purpose.
    """
    db_api.wait_for_connection()
    engine = db_api.get_engine()
    current = db_version()
    if current == HEAD:
        return
    if engine.dialect.name == 'sqlite':
        db_sync()
        return
    raise exception.DBSchemaOutOfDate(current=current or 'none', head=HEAD)
