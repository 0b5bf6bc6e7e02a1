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
"""Loopback throughput of each deployment mode, for comparing modes.

Starts each mode as the functional tests do (the shipped samples, two
worker processes, noauth, SQLite on 127.0.0.1), then sends a bounded
number of requests with a fixed concurrency, one fresh connection per
request, and reports requests per second and the median and 95th
percentile latency.

Run: python tools/bench/throughput.py [--requests N] [--concurrency C]
[--mode M ...]. The client runs on the same machine and competes for the
CPUs: compare the ratios between modes of one run, not absolute numbers.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from tests.functional import servers  # noqa: E402

MODES = ('eventlet', 'uwsgi-module', 'nginx-uwsgi', 'mod_wsgi', 'gunicorn',
         'gunicorn-threads', 'nginx-gunicorn', 'cinder-wsgi')
PATHS = ('/healthcheck', '/v3/', '/v3/extensions')


def run(srv, path, requests, concurrency):
    latencies, errors = [], []
    lock = threading.Lock()
    remaining = [requests]

    def client():
        while True:
            with lock:
                if remaining[0] == 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            try:
                status, _h, _b = srv.request('GET', srv.path(path),
                                             timeout=30)
            except OSError as error:
                errors.append(repr(error))
                continue
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append(status)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = time.perf_counter() - started
    latencies.sort()
    return {'rps': len(latencies) / total,
            'p50_ms': 1000 * statistics.median(latencies),
            'p95_ms': 1000 * latencies[int(len(latencies) * 0.95) - 1],
            'errors': len(errors)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--requests', type=int, default=2000)
    parser.add_argument('--concurrency', type=int, default=10)
    parser.add_argument('--mode', action='append', choices=MODES)
    args = parser.parse_args()
    rows = []
    for mode in args.mode or MODES:
        with tempfile.TemporaryDirectory() as tmp:
            srv = servers.start_mode(mode, tmp)
            try:
                for path in PATHS:
                    run(srv, path, min(100, args.requests), 2)  # warm up
                    result = run(srv, path, args.requests, args.concurrency)
                    rows.append((mode, path, result))
            finally:
                srv.stop()
    print('| mode | path | req/s | p50 ms | p95 ms | errors |')
    print('| --- | --- | --- | --- | --- | --- |')
    for mode, path, r in rows:
        print('| %s | %s | %.0f | %.1f | %.1f | %d |' % (
            mode, path, r['rps'], r['p50_ms'], r['p95_ms'], r['errors']))
    print(json.dumps({'python': sys.version.split()[0], 'cpus':
                      os.cpu_count(), 'requests': args.requests,
                      'concurrency': args.concurrency,
                      'when': time.strftime('%Y-%m-%d %H:%M')}))


if __name__ == '__main__':
    main()
