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
"""Read scenarios across deployment modes: a concurrency sweep with wrk.

Each mode (the shipped samples, two worker processes, noauth, the embedded
volume service, SQLite unless --database names another) serves the same
data: --volumes volumes, one of them shown. For every scenario and every
concurrency, wrk runs for --duration seconds on keep-alive connections.
Reported per point: requests per second, p50 and p99 latency, errors
(non-2xx, socket errors), server CPU per request (all processes of the
server, from /proc, over the run) and, per mode, the largest worker RSS
after the runs. Writes results.md and one PNG per scenario (throughput
and p99 against concurrency, a line per mode) to --out.

wrk (apt-get install wrk) because a Python load generator on the same two
CPUs would cost more CPU per request than the servers, and measure itself.

Not yet here (issue 6): write scenarios (create_and_delete_volume ...),
a hello-world ceiling under each server, and real Cinder in the same run.

Run: python tools/bench/modes.py [--mode M ...] [--duration S]
"""

import argparse
import os
import shutil
import sys
import tempfile

import psutil

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from tests.functional import deployment  # noqa: E402
from tools.bench import volumes as volume_bench  # noqa: E402

MODES = ('eventlet', 'uwsgi-module', 'nginx-uwsgi', 'gunicorn', 'mod_wsgi')
CONCURRENCY = (1, 10, 50, 200)


def scenarios(volume_id):
    return (('healthcheck', '/healthcheck', False),
            ('version', '/v3/', False),
            ('get_volume', '/v3/volumes/%s' % volume_id, False),
            ('list_volumes (detail, page of 100)',
             '/v3/volumes/detail?limit=100', False))


def _tree(pid):
    try:
        root = psutil.Process(pid)
        return [root] + root.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _cpu_seconds(processes):
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def _server_pids(env):
    pids = [env.api.process.pid]
    if env.api.front is not None:
        pids.append(env.api.front.process.pid)
    return pids


def run_mode(mode, args, rows):
    tmp = tempfile.mkdtemp(prefix='cinder-modes-')
    extra = 'quota_volumes = -1'
    if args.database:
        extra += '\n[database]\nconnection = %s\n[DEFAULT]' % args.database
    env = deployment.Deployment(tmp, mode, extra=extra)
    try:
        env.start()
        ids = [env.create_volume(1)['id'] for _ in range(args.volumes)]
        for volume_id in ids:
            env.wait_volume(volume_id)
        for name, path, _ in scenarios(ids[0]):
            url = 'http://127.0.0.1:%d%s' % (env.api.port,
                                             env.api.path(path))
            for connections in args.concurrency:
                processes = [p for pid in _server_pids(env)
                             for p in _tree(pid)]
                before = _cpu_seconds(processes)
                rps, p50, p99, errors = volume_bench.wrk(
                    url, args.duration, connections)
                cpu = _cpu_seconds(processes) - before
                requests = max(rps * args.duration, 1)
                rows.append({'mode': mode, 'scenario': name,
                             'connections': connections, 'rps': rps,
                             'p50': p50, 'p99': p99, 'errors': errors,
                             'cpu_ms': 1000 * cpu / requests})
        rss = max((p.memory_info().rss for p in _tree(env.api.process.pid)
                   if p.pid != env.api.process.pid or mode == 'gunicorn'),
                  default=0)
        for row in rows:
            if row['mode'] == mode:
                row['rss_mb'] = rss / 2 ** 20
    finally:
        env.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def write_results(rows, out):
    os.makedirs(out, exist_ok=True)
    lines = ['| mode | scenario | connections | req/s | p50 ms | p99 ms | '
             'errors | server CPU ms/request | worker RSS MB |',
             '| --- | --- | --- | --- | --- | --- | --- | --- | --- |']
    for row in rows:
        lines.append('| %(mode)s | %(scenario)s | %(connections)d | '
                     '%(rps).0f | %(p50).1f | %(p99).1f | %(errors)d | '
                     '%(cpu_ms).2f | %(rss_mb).1f |' % row)
    with open(os.path.join(out, 'results.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))
    try:
        import matplotlib
        matplotlib.use('Agg')
        from matplotlib import pyplot
    except ImportError:
        print('matplotlib is not installed: no plots')
        return
    for scenario in sorted({row['scenario'] for row in rows}):
        figure, (left, right) = pyplot.subplots(1, 2, figsize=(11, 4))
        for mode in sorted({row['mode'] for row in rows}):
            points = [row for row in rows if row['mode'] == mode
                      and row['scenario'] == scenario]
            x = [row['connections'] for row in points]
            left.plot(x, [row['rps'] for row in points], marker='o',
                      label=mode)
            right.plot(x, [row['p99'] for row in points], marker='o',
                       label=mode)
        for axes, label in ((left, 'requests/s'), (right, 'p99 ms')):
            axes.set_xscale('log')
            axes.set_xlabel('connections')
            axes.set_ylabel(label)
            axes.grid(True, alpha=0.3)
        left.legend(fontsize='small')
        figure.suptitle(scenario)
        figure.tight_layout()
        name = ''.join(c if c.isalnum() else '_' for c in scenario)
        figure.savefig(os.path.join(out, '%s.png' % name.strip('_')))
        pyplot.close(figure)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--mode', action='append', choices=MODES)
    parser.add_argument('--duration', type=int, default=5)
    parser.add_argument('--concurrency', type=int, action='append')
    parser.add_argument('--volumes', type=int, default=100)
    parser.add_argument('--database', help='SQLAlchemy URL of an empty '
                        'database (default: SQLite in the state path)')
    parser.add_argument('--out', default='bench-results')
    args = parser.parse_args()
    args.concurrency = args.concurrency or list(CONCURRENCY)
    if shutil.which('wrk') is None:
        sys.exit('wrk is not installed: apt-get install wrk')
    rows = []
    for mode in args.mode or MODES:
        run_mode(mode, args, rows)
    write_results(rows, args.out)


if __name__ == '__main__':
    main()
