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
"""Volume benchmarks: create-to-available latency, creates per second, and
show / detail (100 volumes) throughput, under uWSGI with 2 workers.

Runs the deployment of the functional tests (tests/functional/deployment):
the embedded default, and, with --transport-url (or
CINDER_TEST_TRANSPORT_URL), the API with cinder-scheduler and
cinder-volume over RabbitMQ. Reads are measured with wrk (apt-get install
wrk): keep-alive connections, fixed duration, loopback only. wrk and the
servers share the machine's CPUs, so compare ratios of one run.

Run: python tools/bench/volumes.py [--duration S] [--connections C]
"""

import argparse
import concurrent.futures
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from tests.functional import deployment  # noqa: E402

# noauth's token: user:project.
AUTH_HEADER = 'X-Auth-Token: admin:admin'


def wrk(url, duration, connections):
    """(requests/s, p50 ms, p99 ms, errors) from wrk --latency."""
    out = subprocess.run(
        ['wrk', '-t%d' % min(2, connections), '-c%d' % connections,
         '-d%ds' % duration, '--latency', '-H', AUTH_HEADER, url],
        capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r'Requests/sec:\s+([\d.]+)', out).group(1))

    def latency(percent):
        match = re.search(r'%s%%\s+([\d.]+)(us|ms|s)' % percent, out)
        value, unit = float(match.group(1)), match.group(2)
        return value * {'us': 0.001, 'ms': 1, 's': 1000}[unit]

    errors = 0
    for pattern in (r'Non-2xx or 3xx responses: (\d+)',
                    r'Socket errors: connect (\d+), read (\d+), '
                    r'write (\d+), timeout (\d+)'):
        match = re.search(pattern, out)
        if match:
            errors += sum(int(n) for n in match.groups())
    return rps, latency(50), latency(99), errors


def create_to_available(env, count, concurrency):
    """Per-volume seconds from POST to available, and creates/s overall."""
    def one(index):
        started = time.perf_counter()
        volume = env.create_volume(1, name='bench-%d' % index)
        while env.volume(volume['id'])['status'] != 'available':
            time.sleep(0.02)
        return time.perf_counter() - started, volume['id']

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(count)))
    total = time.perf_counter() - started
    latencies = sorted(r[0] for r in results)
    return ({'creates_per_s': count / total,
             'p50_ms': 1000 * statistics.median(latencies),
             'p99_ms': 1000 * latencies[int(len(latencies) * 0.99) - 1]},
            [r[1] for r in results])


def bench(label, transport, args, rows):
    tmp = tempfile.mkdtemp(prefix='cinder-bench-')
    env = deployment.Deployment(tmp, 'uwsgi-module', transport=transport,
                                extra='quota_volumes = -1')
    try:
        env.start()
        # One create first: loads the volume service in each worker.
        env.wait_volume(env.create_volume(1)['id'])
        creates, ids = create_to_available(env, args.volumes,
                                           args.create_concurrency)
        rows.append((label, 'create to available (%d at %d at once)'
                     % (args.volumes, args.create_concurrency),
                     '%.1f creates/s' % creates['creates_per_s'],
                     '%.0f' % creates['p50_ms'], '%.0f' % creates['p99_ms'],
                     '0'))
        base = env.api.url + '/v3'
        for name, path in (('volume show', '/volumes/%s' % ids[0]),
                           ('volume detail, 100 volumes',
                            '/volumes/detail?limit=100')):
            rps, p50, p99, errors = wrk(base + path, args.duration,
                                        args.connections)
            rows.append((label, '%s (%d connections)'
                         % (name, args.connections), '%.0f req/s' % rps,
                         '%.1f' % p50, '%.1f' % p99, str(errors)))
    finally:
        env.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--duration', type=int, default=10)
    parser.add_argument('--connections', type=int, default=10)
    parser.add_argument('--volumes', type=int, default=101)
    parser.add_argument('--create-concurrency', type=int, default=10)
    parser.add_argument('--transport-url',
                        default=os.environ.get(deployment.TRANSPORT_ENV))
    args = parser.parse_args()
    if shutil.which('wrk') is None:
        sys.exit('wrk is not installed: apt-get install wrk')
    rows = []
    bench('embedded', None, args, rows)
    if args.transport_url:
        bench('RabbitMQ', args.transport_url, args, rows)
    print('| mode | scenario | throughput | p50 ms | p99 ms | errors |')
    print('| --- | --- | --- | --- | --- | --- |')
    for row in rows:
        print('| %s |' % ' | '.join(row))


if __name__ == '__main__':
    main()
