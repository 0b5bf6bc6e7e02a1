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
"""Several processes writing to the embedded SQLite database at once.

Cinder 29 answers 500 "database is locked" when its API workers write
concurrently to SQLite; here two processes write in parallel and every
write must succeed. The control test shows that the same load does lock a
SQLite engine without WAL, BEGIN IMMEDIATE and the busy timeout, so the
main test is able to fail.
"""

import multiprocessing
import time

import sqlalchemy as sa

WRITES = 120


def _write_through_cinder(url, worker, barrier, results):
    import cinder.conf
    from cinder.db import api as db_api
    from cinder.objects import service

    conf = cinder.conf.CONF
    cinder.conf.parse(conf, [], default_config_files=[])
    conf.set_override('connection', url, group='database')
    db_api.configure(conf)
    barrier.wait()
    errors = 0
    for i in range(WRITES):
        try:
            created = service.create('host-%d-%d' % (worker, i),
                                     'cinder-volume')
            service.report_alive(created['id'])
        except Exception:
            errors += 1
    results.put(errors)


def _write_naively(url, worker, barrier, results):
    engine = sa.create_engine(url, connect_args={'timeout': 0})
    barrier.wait()
    errors = 0
    for _ in range(WRITES):
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql(
                    "SELECT count(*) FROM services").scalar()
                time.sleep(0.001)
                connection.exec_driver_sql(
                    "UPDATE services SET report_count = report_count + 1 "
                    "WHERE host = 'shared'")
        except sa.exc.OperationalError:
            errors += 1
    results.put(errors)


def _run_two_writers(target, url):
    ctx = multiprocessing.get_context('spawn')
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    processes = [ctx.Process(target=target, args=(url, n, barrier, results))
                 for n in range(2)]
    for process in processes:
        process.start()
    errors = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    return errors


def test_two_processes_write_without_errors(conf, tmp_path):
    from cinder.db import api as db_api
    from cinder.db import migration
    from cinder.objects import service

    url = 'sqlite:///%s' % (tmp_path / 'cinder.sqlite')
    conf.set_override('connection', url, group='database')
    db_api.configure(conf)
    migration.db_sync()
    db_api.dispose()

    assert _run_two_writers(_write_through_cinder, url) == [0, 0]
    rows = service.get_all()
    assert len(rows) == 2 * WRITES
    assert all(row['report_count'] == 1 for row in rows)


def test_control_naive_sqlite_does_lock(conf, tmp_path):
    from cinder.db import api as db_api
    from cinder.db import migration
    from cinder.objects import service

    url = 'sqlite:///%s' % (tmp_path / 'naive.sqlite')
    conf.set_override('connection', url, group='database')
    db_api.configure(conf)
    migration.db_sync()
    service.create('shared', 'cinder-volume')
    db_api.dispose()
    with sa.create_engine(url).begin() as connection:
        connection.exec_driver_sql('PRAGMA journal_mode=DELETE')

    assert sum(_run_two_writers(_write_naively, url)) > 0
