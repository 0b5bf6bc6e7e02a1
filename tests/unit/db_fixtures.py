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
"""Throwaway databases on every backend the DB layer supports.

SQLite always runs. MariaDB/MySQL and PostgreSQL run when their admin URLs
are set (CI sets both, see .ci/run):

  CINDER_TEST_MYSQL_URL=mysql+pymysql://root@127.0.0.1:3306/
  CINDER_TEST_POSTGRESQL_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

import contextlib
import os
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from cinder.db import api as db_api

ENV = {'mysql': 'CINDER_TEST_MYSQL_URL',
       'postgresql': 'CINDER_TEST_POSTGRESQL_URL'}
BACKENDS = ('sqlite', 'mysql', 'postgresql')


def temporary_database(backend, tmp_path):
    """Yield the URL of a new empty database, dropped afterwards."""
    if backend == 'sqlite':
        yield 'sqlite:///%s' % (tmp_path / 'cinder.sqlite')
        return
    admin_url = os.environ.get(ENV[backend])
    if not admin_url:
        pytest.skip('%s is not set' % ENV[backend])
    name = 'cinder_test_%s' % uuid.uuid4().hex[:12]
    admin = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT')
    with admin.connect() as connection:
        connection.exec_driver_sql('CREATE DATABASE %s' % name)
    try:
        yield str(sa.engine.make_url(admin_url).set(database=name)
                  .render_as_string(hide_password=False))
    finally:
        with admin.connect() as connection:
            if backend == 'postgresql':
                connection.exec_driver_sql(
                    'DROP DATABASE %s WITH (FORCE)' % name)
            else:
                connection.exec_driver_sql('DROP DATABASE %s' % name)
        admin.dispose()


@contextlib.contextmanager
def statements(kind=''):
    """The SQL texts sent on both pools (writer()'s and reader()'s) while
    the block runs, in order; *kind*: only those that start with it."""
    sent = []

    def remember(conn, cursor, statement, *args):
        if statement.startswith(kind):
            sent.append(statement)
    engines = {db_api.get_engine(), db_api.get_read_engine()}
    for engine in engines:
        event.listen(engine, 'before_cursor_execute', remember)
    try:
        yield sent
    finally:
        for engine in engines:
            event.remove(engine, 'before_cursor_execute', remember)
