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
"""Rally-style benchmark of the deployment modes: ``tox -e bench``.

Every mode runs its shipped sample with two worker processes, noauth and
the local file driver, on SQLite or on a fresh MariaDB/PostgreSQL database
(--database), with the embedded volume service or, with --rabbit,
cinder-scheduler and cinder-volume over RabbitMQ. For each mode, in order:

* the hello-world ceiling: the same launcher, server and flags serving an
  app that does nothing (tools/bench/hello.py);
* reads with wrk, 100 volumes in the table: ``/healthcheck``, ``GET /v3/``,
  get_volume, list_volumes (detail, page of 100);
* Rally's CinderVolumes write scenarios as closed loops
  (tools/bench/load.py): create_and_delete_volume, create_and_list_volume,
  create_volume_and_extend, create_and_delete_snapshot;
* list_volumes again with 10,000 volumes in the table (rows inserted
  straight into the database: creating them through the API would take
  longer than the rest of the run).

Each point runs for a fixed duration at each concurrency of the sweep.
Reported per point: throughput (requests, or scenario iterations, per
second), p50 and p99 latency, errors, the server's CPU per request (every
process of the server and of its volume services, from /proc), and the
busiest worker's share of the workers' CPU (50 % is an even spread over
two workers). Per mode: seconds from launch to every worker serving, and
the largest worker RSS after the reads (warm) and at the end. With
--reference-cinder, real Cinder 29 runs the same scenarios under uWSGI
with the same flags and workers, but one thread as Cinder's deployment
tools run it (tools/bench/reference.py; it installs
Cinder into a scratch virtualenv, never into ours).

Writes results.md (the tables, then the ratios the performance targets
are about, all from this one run) and a PNG per scenario (throughput and
p99 against concurrency, a line per mode) to --out.

Run: python tools/bench/modes.py [--mode M ...] [--database D ...]
[--rabbit] [--reference-cinder] [--duration S] [--scenario NAME ...]
"""

import argparse
import concurrent.futures
import contextlib
import datetime
import functools
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from tests.functional import deployment  # noqa: E402
from tests.functional import servers  # noqa: E402
from tests.unit import db_fixtures  # noqa: E402
from tools.bench import hello  # noqa: E402
from tools.bench import load  # noqa: E402
from tools.bench import report  # noqa: E402

MODES = ('eventlet', 'uwsgi-module', 'nginx-uwsgi', 'gunicorn', 'mod_wsgi')
DATABASES = ('sqlite', 'mysql', 'postgresql')
CONCURRENCY = (1, 10, 50, 200)
TABLE_SIZES = (100, 10000)
READS = ('healthcheck', 'version', 'get_volume', 'list_volumes')
WRITES = tuple(name for name, _, _ in load.WRITE_SCENARIOS)
DEFAULT_ADMIN_URLS = {
    'mysql': 'mysql+pymysql://root@127.0.0.1:3306/',
    'postgresql': 'postgresql+psycopg://postgres@127.0.0.1:5432/postgres'}


def read_path(scenario, volume_id):
    return {'healthcheck': '/healthcheck',
            'version': '/v3/',
            'get_volume': '/v3/volumes/%s' % volume_id,
            'list_volumes': '/v3/volumes/detail?limit=100'}[scenario]


class Ours:
    """One deployment mode of this project, on one database."""

    def __init__(self, mode, tmp, database_url, transport):
        self.label = mode + ('+rabbitmq' if transport else '')
        extra = 'quota_volumes = -1\nquota_snapshots = -1'
        if database_url:
            extra += '\n[database]\nconnection = %s\n[DEFAULT]' % (
                database_url)
        self.database_url = database_url or 'sqlite:///%s' % os.path.join(
            tmp, 'etc', 'cinder.sqlite')
        self.env = deployment.Deployment(tmp, mode, transport=transport,
                                         extra=extra, delay_filter=False)

    def start(self):
        self.env.start()
        self.start_seconds = self.env.api_start_seconds
        self.port = self.env.api.port
        return self

    def path_of(self, path):
        return self.env.api.path(path)

    def processes(self):
        pids = [self.env.api.process.pid]
        if self.env.api.front is not None:
            pids.append(self.env.api.front.process.pid)
        pids += [service.process.pid
                 for service in self.env.services.values()]
        return [p for pid in pids for p in load.process_tree(pid)]

    def workers(self):
        return load.worker_processes(self.env.api.process.pid)

    def seed(self, total):
        """Copy an existing volume's row until the table holds total."""
        from cinder.db import models
        volumes = models.volumes
        engine = sa.create_engine(self.database_url)
        try:
            with engine.begin() as conn:
                existing = conn.execute(
                    sa.select(sa.func.count()).select_from(volumes)).scalar()
                template = dict(conn.execute(
                    sa.select(volumes).limit(1)).mappings().one())
                start = template['created_at']
                rows = [dict(template, id=str(uuid.uuid4()),
                             display_name='bench-seed-%d' % index,
                             created_at=start - datetime.timedelta(
                                 seconds=index + 1))
                        for index in range(total - existing)]
                if rows:
                    conn.execute(volumes.insert(), rows)
            refresh_statistics(engine)
        finally:
            engine.dispose()

    def stop(self):
        self.env.stop()


# What a server database does on its own a little after rows arrive
# (PostgreSQL's autovacuum, InnoDB's background statistics), done at once
# after a seed: else the first minute of a run plans with the statistics
# of an empty table. SQLite keeps none unless told to.
ANALYZE = {'postgresql': 'ANALYZE volumes', 'mysql': 'ANALYZE TABLE volumes'}


def refresh_statistics(engine):
    statement = ANALYZE.get(engine.dialect.name)
    if statement is not None:
        with engine.connect() as conn:
            conn.exec_driver_sql(statement)
            conn.commit()


class HelloWorld:
    """The same mode serving tools/bench/hello.py: the ceiling."""

    def __init__(self, mode, tmp):
        self.label, self.mode, self.tmp = mode, mode, tmp

    def start(self):
        config_dir = os.path.join(self.tmp, 'etc')
        servers.write_config(config_dir, delay_filter=False)
        shutil.copy(hello.__file__,
                    os.path.join(config_dir, 'cinder_bench_hello.py'))
        with open(os.path.join(config_dir, 'api-paste.ini'), 'w') as f:
            f.write(hello.PASTE_CONFIG % 'cinder_bench_hello')
        started = time.monotonic()
        self.api = servers.start_mode(self.mode, self.tmp,
                                      reuse_config=True)
        self.start_seconds = time.monotonic() - started
        self.port = self.api.port
        return self

    def path_of(self, path):
        return self.api.path(path)

    def processes(self):
        pids = [self.api.process.pid]
        if self.api.front is not None:
            pids.append(self.api.front.process.pid)
        return [p for pid in pids for p in load.process_tree(pid)]

    def workers(self):
        return load.worker_processes(self.api.process.pid)

    def stop(self):
        self.api.stop()


class ReferenceCinder:
    """Real Cinder 29 under uWSGI (tools/bench/reference.py)."""

    def __init__(self, tmp, venv, database_url, transport):
        from tools.bench import reference
        self.label = 'cinder-29 uwsgi+rabbitmq'
        self.cinder = reference.ReferenceCinder(
            tmp, venv, transport, database_url=database_url, workers=2)

    def start(self):
        self.cinder.start()
        # Its start includes db sync and its services: not comparable
        # with our API's launch time, so not reported.
        self.start_seconds = None
        self.port = self.cinder.port
        return self

    def path_of(self, path):
        return self.cinder.path(path)

    def processes(self):
        pids = [self.cinder.api_pid] + list(self.cinder.service_pids())
        return [p for pid in pids for p in load.process_tree(pid)]

    def workers(self):
        return load.worker_processes(self.cinder.api_pid)

    def seed(self, total):
        client = load.Client(self.port, self.path_of, 0.1)
        existing = client.call('GET', '/v3/volumes?with_count=true&limit=1',
                               version='3.45')[1].get('count')
        client.conn.close()
        if existing is None:
            raise RuntimeError('the reference did not report a count')
        if total > existing:
            self.cinder.seed_volumes(total - existing, analyze=ANALYZE.get(
                sa.engine.make_url(self.cinder.database).get_backend_name()))

    def stop(self):
        self.cinder.stop()


class Run:
    """The rows of one benchmark run, and how each point is measured."""

    def __init__(self, args):
        self.args = args
        self.rows = []
        self.targets = []

    def wanted(self, scenario):
        return not self.args.scenario or scenario in self.args.scenario

    def point(self, target, database, scenario, connections, measure):
        """Measure one point; measure(begin) calls begin() when timing
        starts (after any untimed setup)."""
        processes = target.processes()
        workers = {p.pid for p in target.workers()}
        before = {}
        rate, p50, p99, errors, unit = measure(
            lambda: before.update(load.cpu_seconds(processes)))
        after = load.cpu_seconds(processes)
        used = {pid: after[pid] - before[pid]
                for pid in after if pid in before}
        worker_cpu = [used[pid] for pid in used if pid in workers]
        duration = (self.args.duration if unit == 'request'
                    else self.args.write_duration)
        count = max(rate * duration, 1)
        self.rows.append({
            'target': target.label, 'database': database,
            'scenario': scenario, 'connections': connections,
            'rate': rate, 'unit': unit, 'p50': p50, 'p99': p99,
            'errors': errors, 'cpu_ms': 1000 * sum(used.values()) / count,
            'hot': (100 * max(worker_cpu) / sum(worker_cpu)
                    if worker_cpu and sum(worker_cpu) else float('nan'))})
        print('%-28s %-10s %-28s c=%-3d %8.1f/s p50 %7.1f ms p99 %7.1f ms '
              'errors %d' % (target.label, database, scenario, connections,
                             rate, p50, p99, errors), flush=True)

    def reads(self, target, database, names, volume_id, label=None):
        for name in names:
            if not self.wanted(label or name):
                continue
            url = 'http://127.0.0.1:%d%s' % (
                target.port, target.path_of(read_path(name, volume_id)))
            for connections in self.args.concurrency:
                self.point(target, database, label or name, connections,
                           functools.partial(self.read_point, url,
                                             connections))

    def read_point(self, url, connections, begin):
        begin()
        return load.wrk(url, self.args.duration, connections) + ('request',)

    def writes(self, target, database):
        for name, iteration, setup in load.WRITE_SCENARIOS:
            if not self.wanted(name):
                continue
            for connections in self.args.concurrency:
                leftovers = []
                self.point(target, database, name, connections,
                           functools.partial(self.write_point, target,
                                             iteration, setup, connections,
                                             leftovers))
                load.delete_all(target.port, target.path_of, leftovers)

    def write_point(self, target, iteration, setup, connections, leftovers,
                    begin):
        rate, p50, p99, errors, left = load.closed_loop(
            target.port, target.path_of, iteration, setup, connections,
            self.args.write_duration, begin)
        leftovers.extend(left)
        return rate, p50 * 1000, p99 * 1000, errors, 'iteration'

    def finish(self, target, database, warm_rss=None):
        self.targets.append({
            'target': target.label, 'database': database,
            'start_s': target.start_seconds, 'warm_rss_mb': warm_rss,
            'rss_mb': load.rss_mb(target.workers())})

    def hello(self, mode):
        if not self.wanted('hello_world'):
            return
        with tempfile.TemporaryDirectory(prefix='cinder-bench-') as tmp:
            target = HelloWorld(mode, tmp).start()
            try:
                self.reads(target, '-', ['version'], None,
                           label='hello_world')
                self.finish(target, '-')
            finally:
                target.stop()

    def application(self, target, database):
        """Every scenario against a started target (ours or Cinder)."""
        client = load.Client(target.port, target.path_of, 0.05)
        with concurrent.futures.ThreadPoolExecutor(10) as pool:
            ids = list(pool.map(
                lambda i: load.Client(target.port, target.path_of, 0.05)
                .create_volume('bench-table-%d' % i)['id'],
                range(TABLE_SIZES[0])))
        client.conn.close()
        self.reads(target, database, READS, ids[0])
        # After warm-up: every read served, no write load yet.
        warm_rss = load.rss_mb(target.workers())
        self.writes(target, database)
        if self.wanted('list_volumes_10000'):
            target.seed(TABLE_SIZES[1])
            self.reads(target, database, ['list_volumes'], None,
                       label='list_volumes_10000')
        self.finish(target, database, warm_rss)


@contextlib.contextmanager
def database_url(name, tmp):
    """None for SQLite in the state path, else a new empty database."""
    if name == 'sqlite':
        yield None
        return
    os.environ.setdefault(db_fixtures.ENV[name], DEFAULT_ADMIN_URLS[name])
    with contextlib.contextmanager(db_fixtures.temporary_database)(
            name, pathlib.Path(tmp)) as url:
        yield url


def run_target(run, make, database):
    with tempfile.TemporaryDirectory(prefix='cinder-bench-') as tmp:
        with database_url(database, tmp) as url:
            target = make(tmp=tmp, database_url=url).start()
            try:
                run.application(target, database)
            finally:
                target.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--mode', action='append', choices=MODES)
    parser.add_argument('--database', action='append', choices=DATABASES,
                        help='sqlite (default), mysql or postgresql: a new '
                        'database on the server named by '
                        'CINDER_TEST_MYSQL_URL / CINDER_TEST_POSTGRESQL_URL '
                        '(default: the local servers)')
    parser.add_argument('--rabbit', action='store_true',
                        help='also run each mode with cinder-scheduler and '
                        'cinder-volume over RabbitMQ '
                        '(CINDER_TEST_TRANSPORT_URL or the local server)')
    parser.add_argument('--reference-cinder', action='store_true',
                        help='also run real Cinder 29 under uWSGI')
    parser.add_argument('--reference-venv',
                        default=os.path.join(ROOT, '.tox', 'cinder-29'))
    parser.add_argument('--duration', type=int, default=5,
                        help='seconds per read point')
    parser.add_argument('--write-duration', type=int, default=10,
                        help='seconds per write point')
    parser.add_argument('--concurrency', type=int, action='append')
    parser.add_argument('--scenario', action='append',
                        help='only these (hello_world, %s, %s, '
                        'list_volumes_10000)' % (', '.join(READS),
                                                 ', '.join(WRITES)))
    parser.add_argument('--out', default='bench-results')
    args = parser.parse_args()
    args.concurrency = args.concurrency or list(CONCURRENCY)
    if shutil.which('wrk') is None:
        sys.exit('wrk is not installed: apt-get install wrk')
    transport = os.environ.get(deployment.TRANSPORT_ENV,
                               'rabbit://guest:guest@127.0.0.1:5672/')
    run = Run(args)
    started = time.monotonic()
    for database in args.database or ['sqlite']:
        for mode in args.mode or MODES:
            if database == (args.database or ['sqlite'])[0]:
                run.hello(mode)
            services = [None] + ([transport] if args.rabbit else [])
            for service in services:
                run_target(run, functools.partial(Ours, mode,
                                                  transport=service),
                           database)
        if args.reference_cinder:
            from tools.bench import reference
            reference.install(args.reference_venv)
            run_target(run, functools.partial(
                ReferenceCinder, venv=args.reference_venv,
                transport=transport), database)
    import_seconds = import_to_ready()
    report.write(run.rows, run.targets, import_seconds, args.out,
                 time.monotonic() - started)


def import_to_ready(runs=3):
    """Median seconds from ``import cinder.wsgi.api`` to a ready app."""
    from tools.bench import startup
    with tempfile.TemporaryDirectory(prefix='cinder-bench-') as tmp:
        config_dir = os.path.join(tmp, 'etc')
        startup.write_config(config_dir, 'noauth')
        subprocess.run([servers.find_executable('cinder-manage'),
                        '--config-file',
                        os.path.join(config_dir, 'cinder.conf'),
                        'db', 'sync'], check=True, capture_output=True)
        return startup.import_time(config_dir, runs)


if __name__ == '__main__':
    main()
