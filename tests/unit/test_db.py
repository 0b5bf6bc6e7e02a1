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
"""The DB layer on SQLite, MariaDB/MySQL and PostgreSQL: migrations, models,
the start-up check and cinder-manage."""

import pytest
import sqlalchemy

from cinder.cmd import manage
from cinder.db import api as db_api
from cinder.db import migration
from cinder.db import models
from cinder import exception
from cinder.objects import service
from tests.unit import db_fixtures


def test_head_constant_is_the_newest_migration():
    from alembic import script
    scripts = script.ScriptDirectory.from_config(migration.alembic_config())
    assert scripts.get_current_head() == migration.HEAD


def test_sync_then_models_match_migrations(database):
    from alembic import autogenerate
    from alembic import migration as alembic_migration
    assert migration.db_version() is None
    migration.db_sync()
    assert migration.db_version() == migration.HEAD
    with db_api.get_engine().connect() as connection:
        context = alembic_migration.MigrationContext.configure(connection)
        diff = autogenerate.compare_metadata(context, models.metadata)
    assert diff == []


def test_start_up_check(database):
    if database == 'sqlite':
        migration.ensure_schema()  # the embedded default upgrades itself
        assert migration.db_version() == migration.HEAD
        return
    with pytest.raises(exception.DBSchemaOutOfDate, match='db sync'):
        migration.ensure_schema()
    migration.db_sync()
    migration.ensure_schema()


def test_services_round_trip(database):
    migration.db_sync()
    created = service.create('host1@lvm', 'cinder-volume',
                             availability_zone='az1')
    service.report_alive(created['id'])
    service.report_alive(created['id'])
    service.update(created['id'], disabled=True,
                   disabled_reason='maintenance')
    fetched = service.get(created['id'])
    assert fetched['report_count'] == 2
    assert fetched['last_seen_up'] is not None
    assert fetched['disabled'] and fetched['disabled_reason'] == 'maintenance'
    assert fetched['updated_at'] is not None
    assert [s['host'] for s in service.get_all(binary='cinder-volume')] == [
        'host1@lvm']
    with pytest.raises(exception.ServiceNotFound):
        service.get(created['id'] + 1000)


def test_duplicate_service_is_refused(database):
    import sqlalchemy.exc
    migration.db_sync()
    service.create('host1', 'cinder-scheduler')
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        service.create('host1', 'cinder-scheduler')


def test_cinder_manage_db_sync_and_version(database, conf, tmp_path, capsys):
    config = tmp_path / 'manage.conf'
    config.write_text('[database]\nconnection = %s\n'
                      % conf.database.connection)
    assert manage.main(['--config-file', str(config), 'db', 'version']) == 0
    assert capsys.readouterr().out.strip() == 'None'
    assert manage.main(['--config-file', str(config), 'db', 'sync']) == 0
    assert manage.main(['--config-file', str(config), 'db', 'version']) == 0
    assert capsys.readouterr().out.strip().endswith(migration.HEAD)


def test_url_gets_the_shipped_drivers():
    assert db_api.normalize_url('mysql://u:p@h/db').drivername == (
        'mysql+pymysql')
    assert db_api.normalize_url('mysql://h/db').query['charset'] == 'utf8mb4'
    assert db_api.normalize_url('postgresql://h/db').drivername == (
        'postgresql+psycopg')


def _locked():
    import sqlite3

    import sqlalchemy.exc
    return sqlalchemy.exc.OperationalError(
        'UPDATE', {}, sqlite3.OperationalError('database is locked'))


def test_retry_on_db_error_retries_locks_only(conf):
    import sqlalchemy.exc

    from cinder.db import api as db_api
    db_api.configure(conf)
    calls = []

    @db_api.retry_on_db_error
    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise _locked()
        return 'done'
    assert flaky() == 'done' and len(calls) == 3

    @db_api.retry_on_db_error
    def broken():
        calls.append(1)
        raise sqlalchemy.exc.IntegrityError('INSERT', {}, Exception('dup'))
    calls.clear()
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        broken()
    assert len(calls) == 1

    conf.set_override('db_max_retries', 2, group='database')

    @db_api.retry_on_db_error
    def always_locked():
        calls.append(1)
        raise _locked()
    calls.clear()
    with pytest.raises(sqlalchemy.exc.OperationalError):
        always_locked()
    assert len(calls) == 3


def test_nested_retries_do_not_multiply(conf):
    """A retried function calling another (a delete reserving quota):
    only the outer one retries, so attempts add up instead of
    multiplying."""
    db_api.configure(conf)
    conf.set_override('db_max_retries', 2, group='database')
    calls = {'outer': 0, 'inner': 0}

    @db_api.retry_on_db_error
    def inner():
        calls['inner'] += 1
        raise _locked()

    @db_api.retry_on_db_error
    def outer():
        calls['outer'] += 1
        inner()
    import sqlalchemy.exc
    with pytest.raises(sqlalchemy.exc.OperationalError):
        outer()
    assert calls == {'outer': 3, 'inner': 3}
    calls.update(outer=0, inner=0)
    with pytest.raises(sqlalchemy.exc.OperationalError):
        inner()  # alone, it retries itself
    assert calls['inner'] == 3


def test_a_write_commits_and_a_read_does_not(database):
    """A COMMIT at the end of a read would be one more statement."""
    from sqlalchemy import event

    migration.db_sync()
    steps = []
    for engine in {db_api.get_engine(), db_api.get_read_engine()}:
        event.listen(engine, 'commit', lambda conn: steps.append('commit'))
    assert service.get_all() == []
    assert 'commit' not in steps
    service.create('host1@lvm', 'cinder-volume', availability_zone='az1')
    assert steps == ['commit'], steps
    assert len(service.get_all()) == 1


class _DriverSpy:
    """What the driver sent to the server: statements, transaction ends
    and pings, counted on the DBAPI connection classes."""

    def __init__(self, database, monkeypatch):
        self.sent = []
        if database == 'mysql':
            import pymysql.connections as driver
            cls = driver.Connection
            self._spy(monkeypatch, cls, 'ping')
        else:
            import psycopg as driver
            cls = driver.Connection
        self._spy(monkeypatch, cls, 'commit')
        self._spy(monkeypatch, cls, 'rollback')
        self._spy(monkeypatch, driver.Cursor, 'execute')

    def _spy(self, monkeypatch, cls, name):
        original = getattr(cls, name)

        def spy(this, *args, **kwargs):
            self.sent.append(name)
            return original(this, *args, **kwargs)
        monkeypatch.setattr(cls, name, spy)


@pytest.mark.parametrize('database', ['mysql', 'postgresql'], indirect=True)
def test_a_read_is_one_statement(database, monkeypatch):
    """Reads autocommit: no transaction to end, and no ping on a
    connection that was in use a moment ago (two more round trips on every
    read with a pool_pre_ping and a read transaction)."""
    migration.db_sync()
    service.create('host1@lvm', 'cinder-volume', availability_zone='az1')
    assert len(service.get_all()) == 1  # the pool has its connection
    spy = _DriverSpy(database, monkeypatch)
    assert len(service.get_all()) == 1
    assert spy.sent == ['execute'], spy.sent
    with db_api.reader() as conn:
        dbapi_conn = conn.connection.dbapi_connection
    assert db_api.get_read_engine().dialect.detect_autocommit_setting(
        dbapi_conn)


@pytest.mark.parametrize('database', ['mysql', 'postgresql'], indirect=True)
def test_a_reader_connection_refuses_writes(database):
    """A write on it would commit on its own (it autocommits): the server
    refuses it instead."""
    migration.db_sync()
    with pytest.raises(sqlalchemy.exc.DBAPIError, match='(?i)read.only'):
        with db_api.reader() as conn:
            conn.execute(models.services.update().values(report_count=1))


@pytest.mark.parametrize('database', ['mysql', 'postgresql'], indirect=True)
def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(
        database, monkeypatch):
    """The server may close a connection that sat in the pool (its
    wait_timeout, a restart). One idle for over PING_AFTER_IDLE is pinged
    and replaced, and the read goes through; one used more recently is not,
    and the read fails, but the pool is renewed for the next one."""
    migration.db_sync()

    def kill_the_readers_connection():
        with db_api.reader() as conn:
            session_id = conn.exec_driver_sql(
                'SELECT CONNECTION_ID()' if database == 'mysql'
                else 'SELECT pg_backend_pid()').scalar()
        with db_api.get_engine().connect() as admin:
            admin.exec_driver_sql(
                'KILL %d' % session_id if database == 'mysql'
                else 'SELECT pg_terminate_backend(%d)' % session_id)
            admin.commit()

    kill_the_readers_connection()
    with pytest.raises(sqlalchemy.exc.DBAPIError) as caught:
        service.get_all()
    assert caught.value.connection_invalidated
    assert service.get_all() == []

    kill_the_readers_connection()
    monkeypatch.setattr(db_api, 'PING_AFTER_IDLE', 0)
    assert service.get_all() == []


def test_an_ended_tasks_id_is_never_given_again(database):
    """A late message for an ended task must not find another task under
    its id (SQLite reused the largest id before migration 0007)."""
    from cinder import context as cinder_context
    from cinder.objects import task as tasks
    migration.db_sync()
    ctxt = cinder_context.RequestContext(user_id='u', project_id='p')
    seen = set()
    for index in range(3):
        with db_api.writer() as conn:
            task_id = tasks.insert(conn, 'volume', 'vol-%d' % index,
                                   'delete_volume', ctxt)
        assert task_id not in seen
        seen.add(task_id)
        with db_api.writer() as conn:
            assert tasks.delete(conn, task_id)
        # The late message: nothing to claim under the old id.
        assert tasks.get(task_id) is None
        assert not tasks.claim(task_id)


def test_upgrade_keeps_tasks_and_stops_reusing_ids(tmp_path, conf):
    """0006 -> 0007 on SQLite: rows survive, ids stop being reused."""
    import sqlalchemy as sa
    url = 'sqlite:///%s' % (tmp_path / 'upgrade.sqlite')
    conf.set_override('connection', url, group='database')
    db_api.configure(conf)
    migration.db_sync('0006_mysql_microseconds')
    engine = db_api.get_engine()
    with engine.begin() as conn:
        for task_id in (1, 2):
            conn.execute(models.tasks.insert().values(
                id=task_id, resource_type='volume',
                resource_id='vol-%d' % task_id, operation='delete_volume',
                args='{}', project_id='p', created_at=models.utcnow()))
        conn.execute(models.tasks.delete().where(models.tasks.c.id == 2))
    migration.db_sync()

    def insert(conn, name):
        return conn.execute(models.tasks.insert().values(
            resource_type='volume', resource_id=name,
            operation='delete_volume', args='{}', project_id='p',
            created_at=models.utcnow())).inserted_primary_key[0]

    with engine.begin() as conn:
        assert conn.execute(sa.select(models.tasks.c.resource_id)).scalars(
        ).all() == ['vol-1']
        newest = insert(conn, 'vol-3')
        conn.execute(models.tasks.delete().where(
            models.tasks.c.id == newest))
        assert insert(conn, 'vol-4') == newest + 1


def test_a_volume_is_read_with_its_metadata_in_one_query(database):
    """A single volume's read aggregates its metadata and admin metadata as
    JSON in its own query (JSON_OBJECTAGG, json_object_agg or
    json_group_object): keys and values come back as written, none as {}."""
    import sqlalchemy as sa

    from cinder import context as cinder_context
    from cinder.objects import volume as volumes
    migration.db_sync()
    written = {'k"1': 'v\u00e9 "quoted" \\ ', 'empty': '', 'n': '42'}
    with db_api.writer() as conn:
        type_id = conn.execute(
            sa.select(models.volume_types.c.id)).scalars().first()
        for volume_id, metadata in (('v1', written), ('v2', {})):
            volumes.insert(conn, dict(
                id=volume_id, project_id='p', size=1,
                availability_zone='nova', status='available',
                attach_status='detached', volume_type_id=type_id), metadata)
        volumes.set_admin_metadata(conn, 'v1', {'readonly': 'True'})
    ctxt = cinder_context.RequestContext(user_id='u', project_id='p',
                                         overwrite=False)
    with db_fixtures.statements('SELECT') as selects:  # not BEGIN
        one = volumes.get(ctxt, 'v1')
    assert len(selects) == 1, selects
    none = volumes.get(ctxt, 'v2')
    assert one['metadata'] == written
    assert one['admin_metadata'] == {'readonly': 'True'}
    assert (none['metadata'], none['admin_metadata']) == ({}, {})
    # A listing reads the page's metadata in a query of its own (as JSON
    # rows on PyMySQL), with the same result.
    listed, _count = volumes.get_all(ctxt, sort=[('id', 'asc')])
    assert [(v['metadata'], v['admin_metadata']) for v in listed] == [
        (written, {'readonly': 'True'}), ({}, {})]


@pytest.mark.parametrize('database', ['sqlite', 'mysql'], indirect=True)
def test_capacity_sums_are_answered_from_an_index(database):
    """The scheduler sums sizes per pool for every placement: the index on
    (host, size) covers that query, so the volumes' rows are not read (67
    to 11 ms a placement at 50,000 volumes on MariaDB)."""
    from cinder.objects import volume as volumes
    migration.db_sync()
    engine = db_api.get_engine()
    sql = str(volumes.ALLOCATED_BY_HOST.compile(
        dialect=engine.dialect, compile_kwargs={'literal_binds': True}))
    with engine.connect() as conn:
        if database == 'sqlite':
            plan = str(conn.exec_driver_sql('EXPLAIN QUERY PLAN ' + sql).all())
            assert 'COVERING INDEX ix_volumes0host0size' in plan, plan
        else:
            plan = conn.exec_driver_sql('EXPLAIN ' + sql).mappings().one()
            assert plan['key'] == 'ix_volumes0host0size', plan
            assert 'Using index' in plan['Extra'], plan


# SQLite has no row locks: a write transaction holds the whole database.
@pytest.mark.parametrize('database', ['mysql', 'postgresql'], indirect=True)
def test_locking_a_volume_locks_that_volume_only(database):
    """A locked read of a volume (snapshot create, delete) holds its row
    only: another volume of the same type can be locked meanwhile. With
    the type name from a FOR UPDATE join, InnoDB also locked the type's
    row, and every such write on volumes of one type waited for the
    others."""
    import concurrent.futures

    import sqlalchemy as sa

    from cinder import context as cinder_context
    from cinder.objects import volume as volumes
    migration.db_sync()
    admin = cinder_context.get_admin_context()
    with db_api.writer() as conn:
        type_id = conn.execute(sa.select(models.volume_types.c.id)).scalar()
        for volume_id in ('v1', 'v2'):
            volumes.insert(conn, {
                'id': volume_id, 'project_id': 'p', 'size': 1,
                'availability_zone': 'nova',
                'status': 'available', 'attach_status': 'detached',
                'volume_type_id': type_id})
    timeout = {'mysql': 'SET SESSION innodb_lock_wait_timeout = 1',
               'postgresql': "SET lock_timeout = '1s'"}[database]

    def lock_other(volume_id):
        with db_api.get_engine().connect() as other:
            other.execute(sa.text(timeout))  # for the session
            other.commit()
            with other.begin():
                return volumes.lock_in(other, admin, volume_id)['id']

    with db_api.writer() as conn:
        locked = volumes.lock_in(conn, admin, 'v1')
        assert locked['volume_type_name'] == '__DEFAULT__'
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            assert pool.submit(lock_other, 'v2').result(timeout=10) == 'v2'
            with pytest.raises(sa.exc.OperationalError):
                pool.submit(lock_other, 'v1').result(timeout=10)
