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
"""cinder-api specifics: connections spread over workers, SIGTERM drains,
SIGHUP reloads the configuration without dropping a request."""

import http.client
import json
import os
import re
import signal
import subprocess
import threading
import time

import psutil
import pytest

from tests.functional import servers


@pytest.fixture
def eventlet_server(tmp_path):
    srv = servers.start_mode('eventlet', str(tmp_path))
    yield srv
    srv.stop()


def _worker_pids(server):
    return [child.pid for child in
            psutil.Process(server.process.pid).children()]


def _established_per_worker(server):
    counts = {}
    for pid in _worker_pids(server):
        connections = psutil.Process(pid).net_connections(kind='tcp')
        counts[pid] = sum(1 for c in connections
                          if c.status == psutil.CONN_ESTABLISHED
                          and c.laddr.port == server.port)
    return counts


def test_keep_alive_connections_spread_over_workers(eventlet_server):
    """Cinder 29's eventlet mode lets one worker take every keep-alive
    connection; each worker here owns a SO_REUSEPORT socket instead."""
    connections = []
    for _ in range(16):
        conn = http.client.HTTPConnection('127.0.0.1', eventlet_server.port,
                                          timeout=10)
        conn.request('GET', '/healthcheck')
        assert conn.getresponse().read() == b'OK'
        connections.append(conn)
    try:
        counts = _established_per_worker(eventlet_server)
        assert sum(counts.values()) == 16, counts
        # Both workers hold connections (the chance that a fair split of 16
        # gives one worker fewer than 2 is under 0.1%).
        assert len(counts) == 2 and min(counts.values()) >= 2, counts
    finally:
        for conn in connections:
            conn.close()


def test_idle_keep_alive_connections_do_not_starve_new_clients(
        eventlet_server):
    """A keep-alive connection holds its worker's green thread while idle.
    With a pool of 100 per worker (Cinder's wsgi_default_pool_size), 300
    clients that keep their connections open left the third hundred
    unanswered until client_socket_timeout (900 s)."""
    clients = 300
    connections = [http.client.HTTPConnection(
        '127.0.0.1', eventlet_server.port, timeout=20)
        for _ in range(clients)]
    failures = []

    def first_request(conn):
        try:
            conn.request('GET', '/healthcheck')
            if conn.getresponse().read() != b'OK':
                failures.append('not OK')
        except OSError as error:
            failures.append(repr(error))

    threads = [threading.Thread(target=first_request, args=(conn,))
               for conn in connections]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == [], '%d of %d unanswered, first: %s' % (
            len(failures), clients, failures[0])
        assert sum(_established_per_worker(eventlet_server).values()) == (
            clients)
    finally:
        for conn in connections:
            conn.close()


def test_workers_start_the_volume_service_before_any_request(
        eventlet_server):
    """Each worker starts its embedded volume service before it accepts:
    started by the first request, under 200 connections the requests that
    arrived meanwhile queued on its lock and took up to 1.8 s."""
    pids = set(_worker_pids(eventlet_server))
    started = set()
    deadline = time.monotonic() + 30
    while started != pids and time.monotonic() < deadline:
        started = {int(pid) for pid in re.findall(
            r'Embedded volume service started in process (\d+)',
            eventlet_server.output())}
        time.sleep(0.1)
    # Only /healthcheck has been asked (the start's readiness probe), and
    # it does not reach the router.
    assert started == pids, eventlet_server.output()[-3000:]


def test_sigterm_finishes_in_flight_requests(eventlet_server):
    result = {}

    def slow_request():
        result['answer'] = eventlet_server.request(
            'GET', '/v3/extensions', headers={'X-Test-Delay': '2'})

    thread = threading.Thread(target=slow_request)
    thread.start()
    time.sleep(0.7)  # the request is inside the app now
    started = time.monotonic()
    assert eventlet_server.stop(signal.SIGTERM) == 0
    thread.join(10)
    status, _headers, body = result['answer']
    assert status == 200 and 'extensions' in json.loads(body)
    assert time.monotonic() - started >= 0.8, 'did not wait for the request'
    with pytest.raises(OSError):
        eventlet_server.request('GET', '/healthcheck', timeout=2)


def test_sighup_reloads_config_without_errors(eventlet_server, tmp_path):
    errors, answers = [], []
    stop = threading.Event()

    def steady_traffic():
        while not stop.is_set():
            try:
                status, _h, body = eventlet_server.request('GET', '/v3/')
                answers.append(body)
                if status != 200:
                    errors.append(status)
            except OSError as error:
                errors.append(error)

    traffic = threading.Thread(target=steady_traffic)
    traffic.start()
    try:
        time.sleep(0.5)
        config = tmp_path / 'etc' / 'cinder.conf'
        config.write_text(config.read_text().replace(
            '[DEFAULT]\n',
            '[DEFAULT]\npublic_endpoint = https://reloaded.example.com/vol\n'))
        eventlet_server.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if answers and b'reloaded.example.com' in answers[-1]:
                break
            time.sleep(0.2)
        time.sleep(0.5)
    finally:
        stop.set()
        traffic.join()
    assert b'https://reloaded.example.com/vol/v3/' in answers[-1]
    assert errors == []
    assert len(answers) > 20
    # Same workers: reloaded in place, no socket was closed.
    assert 'Reload failed' not in eventlet_server.output()


def test_embedded_default_without_any_config(tmp_path):
    """No config file anywhere: noauth on 127.0.0.1, SQLite under the
    per-user state directory, created on first start."""
    if os.path.exists('/etc/cinder/cinder.conf'):
        pytest.skip('this machine has /etc/cinder/cinder.conf')
    port = servers.free_port()
    env = dict(os.environ, HOME=str(tmp_path), XDG_STATE_HOME=str(
        tmp_path / 'state'), OS_DEFAULT__OSAPI_VOLUME_LISTEN_PORT=str(port),
        OS_DEFAULT__OSAPI_VOLUME_WORKERS='1')
    env.pop('OS_CINDER_CONFIG_DIR', None)
    srv = servers.Server([servers.find_executable('cinder-api')], env, port,
                         str(tmp_path / 'server.log'), cwd=str(tmp_path),
                         ready_line='accepting on', workers=1).start()
    try:
        status, _h, body = srv.request('GET', '/v3/extensions')
        assert status == 200
        listening = {c.laddr.ip for pid in _worker_pids(srv)
                     for c in psutil.Process(pid).net_connections('tcp')
                     if c.status == psutil.CONN_LISTEN}
        assert listening == {'127.0.0.1'}
        assert (tmp_path / 'state' / 'cinder' / 'cinder.sqlite').exists()
        assert 'No configuration file found' in srv.output()
    finally:
        assert srv.stop() == 0


def test_workers_stop_when_the_master_is_killed(eventlet_server):
    workers = [psutil.Process(pid) for pid in _worker_pids(eventlet_server)]
    assert len(workers) == 2
    os.kill(eventlet_server.process.pid, signal.SIGKILL)
    eventlet_server.process.wait()
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert alive == []


def test_a_second_instance_on_a_served_port_refuses_to_start(
        eventlet_server, tmp_path):
    """Its workers' SO_REUSEPORT sockets would join the running group and
    split the connections between two services with their own state."""
    config_dir = str(tmp_path / 'second')
    servers.write_config(config_dir)
    command, env = servers.mode_command('eventlet', eventlet_server.port,
                                        config_dir)
    result = subprocess.run(command, env=env, capture_output=True,
                            text=True, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert ('Cannot start the Block Storage API: 127.0.0.1:%d is already '
            'in use' % eventlet_server.port) in output
    status, _h, _b = eventlet_server.request('GET', '/healthcheck')
    assert status == 200
