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
"""Where one client's write iteration goes: each request, and each wait.

The benchmark's write scenarios poll every 10 ms at least (tools/bench/
load.py), so from one client an iteration is a whole number of polls and
hides how long the work itself takes. This probe runs one mode with one
client that polls every millisecond and reports the median and the 90th
percentile of each step: the POST of a volume, the wait until it is
``available``, its DELETE and the wait until it is gone, then the same for
a snapshot of a volume made beforehand.

Run: python tools/bench/latency.py [--mode M] [--database D] [--rabbit]
[--iterations N]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from tools.bench import load  # noqa: E402
from tools.bench import modes  # noqa: E402

POLL = 0.001
WARM_UP = 5
STEPS = ('volume POST', 'volume until available', 'volume DELETE',
         'volume until gone', 'snapshot POST', 'snapshot until available',
         'snapshot DELETE', 'snapshot until gone')


def _waited(client, path, key, status):
    """Seconds until path's status is status (None: until a 404)."""
    start = time.perf_counter()
    deadline = time.monotonic() + load.STEP_TIMEOUT
    while time.monotonic() < deadline:
        code, body = client.call('GET', path, expect=(200, 404))
        if status is None and code == 404:
            return time.perf_counter() - start
        if status is not None and code == 200:
            if body[key]['status'] == status:
                return time.perf_counter() - start
            if body[key]['status'].startswith('error'):
                raise load.StepFailed('%s is %s' % (path,
                                                    body[key]['status']))
        time.sleep(POLL)
    raise load.StepFailed('%s never became %s' % (path, status))


def _timed(call, *args, **kwargs):
    start = time.perf_counter()
    result = call(*args, **kwargs)
    return time.perf_counter() - start, result


def iteration(client, source_id):
    """The seconds of each of STEPS, in order."""
    post, (_, body) = _timed(client.call, 'POST', '/v3/volumes', {
        'volume': {'size': 1, 'name': 'latency'}}, expect=(202,))
    path = '/v3/volumes/%s' % body['volume']['id']
    available = _waited(client, path, 'volume', 'available')
    delete, _ = _timed(client.call, 'DELETE', path, expect=(202,))
    gone = _waited(client, path, 'volume', None)
    snap_post, (_, body) = _timed(client.call, 'POST', '/v3/snapshots', {
        'snapshot': {'volume_id': source_id, 'name': 'latency'}},
        expect=(202,))
    path = '/v3/snapshots/%s' % body['snapshot']['id']
    snap_available = _waited(client, path, 'snapshot', 'available')
    snap_delete, _ = _timed(client.call, 'DELETE', path, expect=(202,))
    snap_gone = _waited(client, path, 'snapshot', None)
    return (post, available, delete, gone, snap_post, snap_available,
            snap_delete, snap_gone)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--mode', default='uwsgi-module',
                        choices=modes.MODES)
    parser.add_argument('--database', default='mysql',
                        choices=modes.DATABASES)
    parser.add_argument('--rabbit', action='store_true',
                        help='cinder-scheduler and cinder-volume over '
                             'RabbitMQ (CINDER_TEST_TRANSPORT_URL or the '
                             'local server)')
    parser.add_argument('--iterations', type=int, default=40)
    args = parser.parse_args()
    transport = None
    if args.rabbit:
        transport = os.environ.get('CINDER_TEST_TRANSPORT_URL',
                                   'rabbit://guest:guest@127.0.0.1:5672/')
    samples = []
    with tempfile.TemporaryDirectory(prefix='cinder-latency-') as tmp:
        with modes.database_url(args.database, tmp) as url:
            target = modes.Ours(args.mode, tmp, url, transport).start()
            try:
                client = load.Client(target.port, target.path_of, POLL)
                source_id = client.create_volume('latency-source')['id']
                for index in range(WARM_UP + args.iterations):
                    steps = iteration(client, source_id)
                    if index >= WARM_UP:
                        samples.append(steps)
            finally:
                target.stop()
    print('%s on %s%s, one client polling every %d ms, %d iterations'
          % (args.mode, args.database, ' over RabbitMQ' if args.rabbit
             else '', POLL * 1000, len(samples)))
    print('| step | median ms | p90 ms |\n| --- | --- | --- |')
    for index, step in enumerate(STEPS):
        values = sorted(sample[index] * 1000 for sample in samples)
        print('| %s | %.1f | %.1f |' % (
            step, statistics.median(values),
            values[int(len(values) * 0.9)]))


if __name__ == '__main__':
    main()
