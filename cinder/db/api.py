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
"""The database engines and transactions: the only module that makes engines.

Engines are created on first use, never at import or configure time, so a
process that forks workers (cinder-api, gunicorn --preload, uWSGI without
lazy-apps) hands no connection to its children; a fork hook drops any pool
the parent did open.

On MySQL and PostgreSQL a process has two pools: writer() transactions on
one, reader() queries on the other, whose connections are read-only and in
autocommit. A read is then one round trip: no transaction to end, and no
ping while the connection was in use a moment ago (see PING_AFTER_IDLE).
A volume show went from three round trips to one; server CPU per show
(ours and the database's) fell by a quarter.
"""

import contextlib
import functools
import os
import random
import threading
import time

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext import compiler as sa_compiler
from sqlalchemy.sql import functions as sa_functions

from cinder import exception

_lock = threading.Lock()
_conf = None
_engine = None
_read_engine = None
_fork_hook_registered = False
# Set while a retry_on_db_error call runs in this thread (green thread
# under cinder-api, whose threading.local is patched).
_retrying = threading.local()

# Error codes that mean "try the whole transaction again": MySQL/MariaDB
# deadlock and lock wait timeout, PostgreSQL serialization failure and
# deadlock. SQLite reports a held write lock as "database is locked".
_MYSQL_RETRY_CODES = (1205, 1213)
_PG_RETRY_SQLSTATES = ('40001', '40P01')


def configure(conf):
    """Use the [database] options of *conf*; drops any existing engine."""
    global _conf, _fork_hook_registered
    dispose()
    _conf = conf
    if not _fork_hook_registered:
        os.register_at_fork(after_in_child=_forget_engine_after_fork)
        _fork_hook_registered = True


def get_engine():
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                if _conf is None:
                    raise exception.DBNotConfigured()
                _engine = create_engine(_conf.database)
    return _engine


def get_read_engine():
    """The engine of reader(): the same as get_engine() on SQLite."""
    global _read_engine
    if _read_engine is None:
        engine = get_engine()
        with _lock:
            if _read_engine is None:
                if engine.dialect.name == 'sqlite':
                    _read_engine = engine
                else:
                    _read_engine = create_engine(_conf.database,
                                                 read_only=True)
    return _read_engine


def dispose():
    """Close the pools of this process (before a fork, or to reconfigure)."""
    global _engine, _read_engine
    with _lock:
        for engine in {_engine, _read_engine} - {None}:
            engine.dispose()
        _engine = _read_engine = None


def _forget_engine_after_fork():
    # The parent's connections belong to the parent: drop them without
    # closing them, so the child opens its own on first use.
    global _engine, _read_engine
    for engine in {_engine, _read_engine} - {None}:
        engine.dispose(close=False)
    _engine = _read_engine = None


def normalize_url(connection):
    """Return a SQLAlchemy URL with the drivers this project ships.

    ``mysql://`` and ``postgresql://`` without a driver would pick MySQLdb
    and psycopg2, which are not dependencies; PyMySQL and psycopg 3 are.
    """
    url = sa.engine.make_url(connection)
    if url.drivername == 'mysql':
        url = url.set(drivername='mysql+pymysql')
    elif url.drivername in ('postgresql', 'postgres'):
        url = url.set(drivername='postgresql+psycopg')
    if url.get_backend_name() == 'mysql' and 'charset' not in url.query:
        url = url.update_query_dict({'charset': 'utf8mb4'})
    return url


# A pooled connection idle for longer than this many seconds is pinged
# before use: the server may have closed it (wait_timeout, a restart, a
# failover), and a failed ping replaces every connection of the pool.
# SQLAlchemy's pool_pre_ping pings on every checkout, a round trip on every
# request; a connection used a moment ago is used as it is, and if the
# server went away in that moment the request fails as it would have had
# the server gone away during it. The pools are LIFO so that, under light
# load, one connection stays in use and the others idle.
PING_AFTER_IDLE = 1.0


def create_engine(db_conf, read_only=False):
    """An engine on [database] connection; *read_only*: reader()'s, whose
    connections autocommit and refuse writes (not for SQLite)."""
    url = normalize_url(db_conf.connection)
    backend = url.get_backend_name()
    debug = db_conf.connection_debug
    kwargs = {'echo': 'debug' if debug >= 100 else debug >= 50}
    if backend == 'sqlite':
        return _create_sqlite_engine(url, db_conf, kwargs)
    kwargs.update(pool_size=db_conf.max_pool_size or 0,
                  max_overflow=db_conf.max_overflow,
                  pool_timeout=db_conf.pool_timeout,
                  pool_recycle=db_conf.connection_recycle_time,
                  pool_use_lifo=True)
    if read_only:
        # Autocommit: a query is its own transaction, and ending it (the
        # rollback on return to the pool) costs no round trip.
        kwargs.update(isolation_level='AUTOCOMMIT',
                      skip_autocommit_rollback=True,
                      connect_args=_read_only_session(url))
    engine = sa.create_engine(url, **kwargs)
    _ping_when_idle(engine)
    if backend == 'mysql':
        sql_mode = db_conf.mysql_sql_mode

        @event.listens_for(engine, 'connect')
        def _set_sql_mode(dbapi_conn, record):
            if sql_mode:
                with dbapi_conn.cursor() as cursor:
                    cursor.execute('SET SESSION sql_mode = %s', [sql_mode])
    return engine


def _read_only_session(url):
    """Driver arguments that make every transaction of a session read-only,
    set as the connection opens: a write on a reader() connection fails
    instead of committing on its own."""
    if url.get_backend_name() == 'mysql':
        return {'init_command': 'SET SESSION TRANSACTION READ ONLY'}
    options = url.query.get('options', '')
    return {'options': (options + ' -c default_transaction_read_only=on')
            .strip()}


def _ping_when_idle(engine):
    @event.listens_for(engine, 'checkin')
    def _on_checkin(dbapi_conn, record):
        record.info['idle_since'] = time.monotonic()

    @event.listens_for(engine, 'checkout')
    def _on_checkout(dbapi_conn, record, proxy):
        idle_since = record.info.pop('idle_since', None)
        if (idle_since is None  # just connected
                or time.monotonic() - idle_since < PING_AFTER_IDLE):
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool replaces this connection and those older than it,
            # then hands out a new one.
            raise sa_exc.InvalidatePoolError(str(error)) from error


# Seconds a SQLite connection waits for another process's write lock before
# giving up; retries in retry_on_db_error come on top of that.
SQLITE_BUSY_TIMEOUT = 30


def _create_sqlite_engine(url, db_conf, kwargs):
    """SQLite tuned for several worker processes writing at once.

    WAL lets readers run beside a writer; writers take the write lock at
    BEGIN (IMMEDIATE) so they queue on the busy timeout instead of failing
    when a deferred transaction tries to upgrade its lock.
    """
    database = url.database
    in_memory = not database or database == ':memory:'
    if not in_memory:
        os.makedirs(os.path.dirname(os.path.abspath(database)), exist_ok=True)
    else:
        kwargs['poolclass'] = sa.pool.StaticPool
    kwargs['connect_args'] = {'timeout': SQLITE_BUSY_TIMEOUT,
                              'check_same_thread': False}
    engine = sa.create_engine(url, **kwargs)
    synchronous = 'FULL' if db_conf.sqlite_synchronous else 'OFF'

    @event.listens_for(engine, 'connect')
    def _on_connect(dbapi_conn, record):
        # Let SQLAlchemy's begin event below issue BEGIN itself.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        if not in_memory:
            cursor.execute('PRAGMA journal_mode=WAL')
        cursor.execute('PRAGMA synchronous=%s' % synchronous)
        cursor.execute('PRAGMA foreign_keys=ON')
        cursor.execute('PRAGMA busy_timeout=%d' % (SQLITE_BUSY_TIMEOUT * 1000))
        cursor.close()

    @event.listens_for(engine, 'begin')
    def _on_begin(conn):
        mode = conn.get_execution_options().get('sqlite_begin', 'DEFERRED')
        conn.exec_driver_sql('BEGIN %s' % mode)

    return engine


def wait_for_connection():
    """Connect once, retrying as [database] max_retries/retry_interval say.

    Raises DBConnectionError with the URL (password hidden) and the driver's
    reason, so a wrong or unreachable database fails the start in one line.
    """
    engine = get_engine()
    retries = _conf.database.max_retries
    attempt = 0
    while True:
        try:
            with engine.connect():
                return
        except sa_exc.DBAPIError as error:
            attempt += 1
            if retries != -1 and attempt > retries:
                reason = str(getattr(error, 'orig', error)).strip()
                raise exception.DBConnectionError(
                    url=engine.url.render_as_string(hide_password=True),
                    reason=reason.splitlines()[0] if reason else repr(error))
            time.sleep(_conf.database.retry_interval)


def is_retriable(error):
    """True for errors that a fresh attempt of the transaction may avoid."""
    orig = getattr(error, 'orig', None)
    if orig is None:
        return False
    text = str(orig).lower()
    if 'database is locked' in text or 'database table is locked' in text:
        return True
    code = getattr(orig, 'args', [None])[0]
    if isinstance(code, int) and code in _MYSQL_RETRY_CODES:
        return True
    return getattr(orig, 'sqlstate', None) in _PG_RETRY_SQLSTATES


def retry_on_db_error(func):
    """Run *func* again when its transaction hit a lock or a deadlock.

    Wrap the whole transaction (the function that opens ``writer()``), never
    a statement inside one: a retry must start from a clean transaction.
    Only the outermost retrying call retries: one called from another
    (a volume delete reserving quota) raises to it, so attempts do not
    multiply.
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if getattr(_retrying, 'active', False):
            return func(*args, **kwargs)
        _retrying.active = True
        try:
            attempts = (_conf.database.db_max_retries if _conf else 20) + 1
            delay = 0.01
            for attempt in range(attempts):
                try:
                    return func(*args, **kwargs)
                except sa_exc.DBAPIError as error:
                    if not is_retriable(error) or attempt == attempts - 1:
                        raise
                # Jitter, not cryptography.
                time.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311
                delay = min(delay * 2, 1.0)
        finally:
            _retrying.active = False
    return wrapper


def padded_in_list(values):
    """*values* for an expanding IN parameter, padded to a power of two by
    repeating the last one (the IN matches the same rows).

    Every list length is a new SQL text, and drivers keep texts prepared:
    SQLite's driver 128 per connection, psycopg any it ran five times.
    Listing pages that grew from 1 to 1,000 volumes had left each worker
    with 150 MB of prepared statements; padded, a page of up to 1,024 ids
    needs at most eleven.
    """
    values = list(values)
    size = 1
    while size < len(values):
        size *= 2
    return values + values[-1:] * (size - len(values))


class JsonObjectAgg(sa_functions.GenericFunction):
    """The aggregated rows' ``{key: value}`` as one JSON value, on every
    backend: a row's key/value children come back in the row's own query
    (one round trip, one result set) instead of in a second one."""

    name = 'json_object_agg'  # PostgreSQL's own
    type = sa.JSON()
    inherit_cache = True


@sa_compiler.compiles(JsonObjectAgg, 'sqlite')
def _json_group_object(element, compiler, **kw):
    return 'json_group_object(%s)' % compiler.process(element.clauses, **kw)


@sa_compiler.compiles(JsonObjectAgg, 'mysql')
def _json_objectagg(element, compiler, **kw):
    # MariaDB 10.5 and MySQL 5.7.22 have it.
    return 'JSON_OBJECTAGG(%s)' % compiler.process(element.clauses, **kw)


def _write_engine():
    engine = get_engine()
    if engine.dialect.name != 'sqlite':
        return engine
    # Same pool, but transactions start with BEGIN IMMEDIATE.
    return engine.execution_options(sqlite_begin='IMMEDIATE')


@contextlib.contextmanager
def reader():
    """A connection for queries, which cannot write.

    MySQL and PostgreSQL: each query is a transaction of its own, so the
    queries of one reader() may see the commits that land between them, as
    PostgreSQL's default READ COMMITTED does within a transaction. SQLite:
    one read transaction (begun by the first query), which never waits for
    writers (WAL).
    """
    with get_read_engine().connect() as connection:
        yield connection


@contextlib.contextmanager
def writer():
    """A connection in a write transaction: committed on exit, rolled back
    on error."""
    with _write_engine().begin() as connection:
        yield connection
