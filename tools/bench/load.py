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
"""Load generators and server measurements for the benchmarks.

Reads go through wrk (Debian's package): a C load generator costs far less
CPU per request than the servers do, so on two CPUs it leaves them the
most room and does not measure itself. Write scenarios need a client that
waits for each volume to become available before its next step, which wrk
cannot do; they run as closed loops in Python threads (one keep-alive
connection each), Rally's way, and are counted per scenario iteration, so
the client's own cost stays small next to a create's.
"""

import http.client
import json
import re
import subprocess
import threading
import time

import psutil

# noauth's token: user:project.
AUTH_HEADER = ('X-Auth-Token', 'admin:admin')
# Each step of a write scenario must finish within this, or it counts as
# an error: the run is bounded whatever the server does.
STEP_TIMEOUT = 60.0
# Rally polls every 1 to 2 seconds, which would hide the latency being
# measured; polls across all clients are capped at this many per second so
# that polling does not become the load itself.
POLLS_PER_SECOND = 200


def wrk(url, duration, connections):
    """(requests/s, p50 ms, p99 ms, errors) from wrk --latency."""
    out = subprocess.run(
        ['wrk', '-t%d' % min(2, connections), '-c%d' % connections,
         '-d%ds' % duration, '--timeout', '10s', '--latency',
         '-H', '%s: %s' % AUTH_HEADER, url],
        capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r'Requests/sec:\s+([\d.]+)', out).group(1))

    def latency(percent):
        match = re.search(r'%s%%\s+([\d.]+)(us|ms|s)' % percent, out)
        if match is None:  # no request completed
            return float('nan')
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


class StepFailed(Exception):
    """A write scenario's step got an unexpected answer, or none in time."""


class Client:
    """One keep-alive connection to the API, as admin, JSON in and out.

    path_of maps an API path ('/v3/volumes') to the server's (a URL
    prefix, a project id).
    """

    def __init__(self, port, path_of, poll_interval):
        self.port, self.path_of = port, path_of
        self.poll_interval = poll_interval
        self.conn = http.client.HTTPConnection('127.0.0.1', port,
                                               timeout=STEP_TIMEOUT)

    def call(self, method, path, body=None, expect=(200,), version=None):
        headers = dict([AUTH_HEADER])
        if version:
            headers['OpenStack-API-Version'] = 'volume %s' % version
        if body is not None:
            headers['Content-Type'] = 'application/json'
            body = json.dumps(body)
        try:
            self.conn.request(method, self.path_of(path), body=body,
                              headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.conn.close()
            raise StepFailed('%s %s: %s' % (method, path, error))
        if response.status not in expect:
            raise StepFailed('%s %s: %d %s' % (method, path, response.status,
                                                data[:200]))
        return response.status, json.loads(data) if data else None

    def wait(self, path, key, status, check=None):
        """Poll path until its key's status is status (and check holds)."""
        deadline = time.monotonic() + STEP_TIMEOUT
        while time.monotonic() < deadline:
            view = self.call('GET', path)[1][key]
            if view['status'] == status and (check is None or check(view)):
                return view
            if view['status'] == 'error' or view['status'].startswith(
                    'error_'):
                raise StepFailed('%s is %s' % (path, view['status']))
            time.sleep(self.poll_interval)
        raise StepFailed('%s never became %s' % (path, status))

    def wait_gone(self, path):
        deadline = time.monotonic() + STEP_TIMEOUT
        while time.monotonic() < deadline:
            if self.call('GET', path, expect=(200, 404))[0] == 404:
                return
            time.sleep(self.poll_interval)
        raise StepFailed('%s was never deleted' % path)

    def create_volume(self, name, size=1):
        volume = self.call('POST', '/v3/volumes',
                           {'volume': {'size': size, 'name': name}},
                           expect=(202,))[1]['volume']
        return self.wait('/v3/volumes/%s' % volume['id'], 'volume',
                         'available')

    def delete_volume(self, volume_id):
        path = '/v3/volumes/%s' % volume_id
        self.call('DELETE', path, expect=(202,))
        self.wait_gone(path)


# Write scenarios, after Rally's CinderVolumes ones: one iteration each.
# state is the thread's own dict; setup runs once per thread, untimed.

def create_and_delete_volume(client, state):
    volume = client.create_volume('bench-cd')
    client.delete_volume(volume['id'])


def create_and_list_volume(client, state):
    volume = client.create_volume('bench-cl')
    state['leftovers'].append(volume['id'])
    client.call('GET', '/v3/volumes/detail')


def create_volume_and_extend(client, state):
    volume = client.create_volume('bench-ce')
    path = '/v3/volumes/%s' % volume['id']
    client.call('POST', path + '/action', {'os-extend': {'new_size': 2}},
                expect=(202,))
    client.wait(path, 'volume', 'available', lambda v: v['size'] == 2)
    client.delete_volume(volume['id'])


def snapshot_context(client, state):
    """Rally's context: one volume per client, made before timing."""
    volume = client.create_volume('bench-snapshot-source')
    state['leftovers'].append(volume['id'])
    state['volume_id'] = volume['id']


def create_and_delete_snapshot(client, state):
    snapshot = client.call('POST', '/v3/snapshots', {
        'snapshot': {'volume_id': state['volume_id'],
                     'name': 'bench-snapshot'}}, expect=(202,))[1]['snapshot']
    path = '/v3/snapshots/%s' % snapshot['id']
    client.wait(path, 'snapshot', 'available')
    client.call('DELETE', path, expect=(202,))
    client.wait_gone(path)


WRITE_SCENARIOS = (
    ('create_and_delete_volume', create_and_delete_volume, None),
    ('create_and_list_volume', create_and_list_volume, None),
    ('create_volume_and_extend', create_volume_and_extend, None),
    ('create_and_delete_snapshot', create_and_delete_snapshot,
     snapshot_context),
)
# The waits of one iteration of each write scenario. An asynchronous
# operation is never done at the GET right after the request that started
# it (its task crosses the message bus first), so each wait sleeps at least
# one poll interval.
WAITS = {'create_and_delete_volume': 2, 'create_and_list_volume': 1,
         'create_volume_and_extend': 3, 'create_and_delete_snapshot': 2}


def poll_interval(concurrency):
    """Seconds each client sleeps between two polls."""
    return max(0.01, concurrency / POLLS_PER_SECOND)


def poll_ceiling(scenario, concurrency):
    """Iterations per second no service can pass in *scenario*: its
    clients' sleeps alone, for a service that answered at once and
    finished every operation within one poll."""
    return concurrency / (WAITS[scenario] * poll_interval(concurrency))


def closed_loop(port, path_of, iteration, setup, concurrency, duration,
                begin=None):
    """Run iteration in concurrency threads, each starting a new one until
    duration is over; begin() is called once every thread's setup is done
    and timing starts. Returns (iterations/s, p50 s, p99 s, errors,
    leftover volume ids for the caller to delete)."""
    poll = poll_interval(concurrency)
    lock = threading.Lock()
    times, errors, leftovers = [], [], []
    ready = threading.Barrier(concurrency + 1)
    go = threading.Event()

    def worker():
        client = Client(port, path_of, poll)
        state = {'leftovers': []}
        ready_to_run = True
        try:
            if setup is not None:
                setup(client, state)
        except StepFailed as error:
            with lock:
                errors.append('setup: %s' % error)
            ready_to_run = False
        ready.wait()
        go.wait()
        while ready_to_run and time.monotonic() < stop_at:
            started = time.monotonic()
            try:
                iteration(client, state)
            except StepFailed as error:
                with lock:
                    errors.append(str(error))
                continue
            with lock:
                times.append(time.monotonic() - started)
        with lock:
            leftovers.extend(state['leftovers'])
        client.conn.close()

    threads = [threading.Thread(target=worker, daemon=True)
               for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    ready.wait()
    if begin is not None:
        begin()
    started = time.monotonic()
    stop_at = started + duration
    go.set()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    times.sort()
    if errors:
        print('  %d errors, first: %s' % (len(errors), errors[0]))

    def percentile(p):
        if not times:
            return float('nan')
        return times[min(len(times) - 1, int(len(times) * p / 100))]

    return (len(times) / elapsed, percentile(50), percentile(99),
            len(errors), leftovers)


def delete_all(port, path_of, volume_ids, concurrency=10):
    """Delete volumes (untimed cleanup between runs)."""
    ids = list(volume_ids)

    def worker():
        client = Client(port, path_of, 0.1)
        while True:
            try:
                volume_id = ids.pop()
            except IndexError:
                break
            try:
                client.delete_volume(volume_id)
            except StepFailed as error:
                print('  cleanup: %s' % error)
        client.conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# Server processes

def process_tree(pid):
    try:
        root = psutil.Process(pid)
        return [root] + root.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def worker_processes(pid):
    """The processes that run the application: mod_wsgi's daemon
    processes, else the direct children of a master (uWSGI, gunicorn,
    cinder-api)."""
    tree = process_tree(pid)
    daemons = [p for p in tree if _name(p).startswith('(wsgi:')]
    if daemons:
        return daemons
    children = [p for p in tree[1:] if _ppid(p) == pid]
    return children or tree[:1]


def _name(process):
    try:
        return ' '.join(process.cmdline()) or process.name()
    except psutil.Error:
        return ''


def _ppid(process):
    try:
        return process.ppid()
    except psutil.Error:
        return None


def cpu_seconds(processes):
    """{pid: user + system seconds} of each process still alive."""
    seconds = {}
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        seconds[process.pid] = times.user + times.system
    return seconds


def rss_mb(processes):
    sizes = []
    for process in processes:
        try:
            sizes.append(process.memory_info().rss / 2 ** 20)
        except psutil.Error:
            pass
    return max(sizes, default=float('nan'))
