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
"""What operators do to a running server, in every production mode:
reload it under load, stop it with requests in flight, read its logs, and
rely on workers that share no connection made before the fork.

cinder-api's own reload and stop are in test_eventlet_server.py; the
development server (cinder-wsgi) neither reloads nor drains, as its guide
says.
"""

import ctypes
import errno
import json
import os
import platform
import signal
import threading
import time

import psutil
import pytest

from tests.functional import servers

# How an operator reloads each mode gracefully (the guides' commands):
# a signal to the application server, a command to uWSGI's master FIFO,
# or a signal to nginx in front.
RELOADS = {
    'uwsgi-module': [('signal', signal.SIGHUP)],
    'uwsgi-chain': [('fifo', b'c')],
    'nginx-uwsgi': [('fifo', b'c'), ('front', signal.SIGHUP)],
    'gunicorn': [('signal', signal.SIGHUP)],
    'gunicorn-threads': [('signal', signal.SIGHUP)],
    'nginx-gunicorn': [('signal', signal.SIGHUP), ('front', signal.SIGHUP)],
    # apachectl graceful
    'mod_wsgi': [('signal', signal.SIGUSR1)],
    # mod_wsgi's daemon processes alone (pkill -USR1 '(wsgi:cinder-api)').
    'mod_wsgi-daemons': [('daemons', signal.SIGUSR1)],
}

# How each mode is stopped gracefully: SIGTERM, except Apache, whose
# SIGTERM means "stop now"; "apachectl graceful-stop" sends SIGWINCH.
STOP_SIGNALS = {'mod_wsgi': signal.SIGWINCH}
DRAIN_MODES = ('uwsgi-module', 'nginx-uwsgi', 'gunicorn', 'gunicorn-threads',
               'nginx-gunicorn', 'mod_wsgi')


def _start(mode, tmp_path, extra='', logs=()):
    backend = {'uwsgi-chain': 'uwsgi-module',
               'mod_wsgi-daemons': 'mod_wsgi'}.get(mode, mode)
    srv = servers.start_mode(backend, str(tmp_path), extra, logs)
    srv.mode = backend
    return srv


def _workers(srv):
    """The processes that run the application (not the master)."""
    workers = []
    for child in psutil.Process(srv.process.pid).children(recursive=True):
        try:
            if child.status() == psutil.STATUS_ZOMBIE:
                continue
            # mod_wsgi daemons (display-name=%{GROUP}), not Apache's own
            # children, which only pass requests on.
            if (srv.mode.startswith('mod_wsgi')
                    and 'wsgi:' not in ' '.join(child.cmdline())):
                continue
        except psutil.Error:
            continue
        workers.append(child)
    return workers


class Traffic:
    """Two clients sending requests back to back until stopped."""

    def __init__(self, srv, clients=2):
        self.srv = srv
        self.errors, self.answers = [], 0
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run)
                        for _ in range(clients)]

    def _run(self):
        while not self.stopping.is_set():
            try:
                status, _h, body = self.srv.request(
                    'GET', self.srv.path('/v3/extensions'), timeout=30)
                if status != 200:
                    self.errors.append((status, body[:200]))
                self.answers += 1
            except OSError as error:
                self.errors.append(repr(error))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(60)


def _reload(srv, how, what):
    if how == 'signal':
        srv.process.send_signal(what)
    elif how == 'front':
        srv.front.process.send_signal(what)
    elif how == 'daemons':
        for daemon in _workers(srv):
            daemon.send_signal(what)
    else:
        fifo = os.path.join(os.path.dirname(srv.log_path), 'run',
                            'cinder-api.fifo')
        with open(fifo, 'wb') as f:
            f.write(what)


def _wait_replaced(srv, old, timeout=60):
    """Until every worker that served before is gone, replaced by as many
    new ones that answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = {p.pid for p in _workers(srv)}
        if pids and not pids & old and len(pids) >= len(old):
            return pids
        time.sleep(0.1)
    pytest.fail('workers %s were not replaced:\n%s'
                % (sorted(old), srv.output()[-4000:]))


def _wait_for(srv, text, timeout=30):
    deadline = time.monotonic() + timeout
    while text not in srv.output():
        if time.monotonic() > deadline:
            pytest.fail('no %r in:\n%s' % (text, srv.output()[-4000:]))
        time.sleep(0.1)


def _wait_uwsgi_loaded(srv, loads, timeout=30):
    """Until both workers of each of *loads* generations of uWSGI workers
    have loaded the application (doc: uwsgi.rst, pitfalls)."""
    deadline = time.monotonic() + timeout
    while srv.output().count(servers.UWSGI_READY[0]) < 2 * loads:
        if time.monotonic() > deadline:
            pytest.fail('uWSGI workers not loaded:\n%s'
                        % srv.output()[-4000:])
        time.sleep(0.05)


@pytest.mark.parametrize('mode', sorted(RELOADS))
def test_graceful_reload_under_load_loses_nothing(mode, tmp_path):
    srv = _start(mode, tmp_path)
    loads = 1
    try:
        with Traffic(srv) as traffic:
            for how, what in RELOADS[mode]:
                time.sleep(0.3)
                before = traffic.answers
                old = {p.pid for p in _workers(srv)}
                _reload(srv, how, what)
                if how != 'front':
                    _wait_replaced(srv, old)
                if how == 'fifo':
                    # uWSGI 2.0 hangs when SIGTERM arrives while a chain
                    # reload is still running (doc: uwsgi.rst, pitfalls).
                    _wait_for(srv, 'chain reloading complete')
                if how in ('signal', 'fifo') and 'uwsgi' in srv.mode:
                    # And while a worker still loads (it ignores the
                    # SIGHUP the stop sends it): seen in CI.
                    loads += 1
                    _wait_uwsgi_loaded(srv, loads)
                # Served again after the reload, by the new workers.
                deadline = time.monotonic() + 30
                while (traffic.answers < before + 20
                       and time.monotonic() < deadline):
                    time.sleep(0.05)
            time.sleep(0.3)
        assert traffic.answers > 40
        if mode == 'mod_wsgi' and traffic.errors and all(
                isinstance(e, tuple) and e[0] in (502, 503)
                for e in traffic.errors):
            # Seen: 503 with WSGI0117 (most runs that fail), and once in
            # CI 502 "invalid response" from the daemon being replaced.
            wsgi_errors = [line for line in srv.output().splitlines()
                           if 'WSGI0' in line or 'wsgi:error' in line
                           and 'cinder' not in line]
            pytest.xfail(
                'Apache graceful restart: %d request(s) got %s from '
                'mod_wsgi while it replaced its daemon processes and socket '
                '(WSGI0117: mod_wsgi retries ECONNREFUSED, not ENOENT). '
                'Reloading the daemon processes alone (mod_wsgi-daemons) '
                'loses nothing. Log: %s'
                % (len(traffic.errors),
                   sorted({e[0] for e in traffic.errors}),
                   ' | '.join(wsgi_errors[-5:])))
        assert traffic.errors == [], (traffic.errors[:5],
                                      srv.output()[-6000:])
    finally:
        code = srv.stop(STOP_SIGNALS.get(srv.mode, signal.SIGTERM))
    assert code == 0, srv.output()[-4000:]


def test_uwsgi_reloads_reset_no_connection(tmp_path):
    """Many SIGHUP reloads under six clients. A single-threaded uWSGI 2.0
    worker that gets SIGHUP between accept() and reading the request exits
    with that connection open, and its client gets a reset: one reload in
    25 to 40 did, with threads = 1 (CI saw it once in the test above). The
    shipped threads = 2 takes uWSGI's threaded path, where a worker first
    serves what it accepted (doc: uwsgi.rst, pitfalls)."""
    srv = _start('uwsgi-module', tmp_path)
    try:
        with Traffic(srv, clients=6) as traffic:
            for reload in range(1, 16):
                before = traffic.answers
                old = {p.pid for p in _workers(srv)}
                srv.process.send_signal(signal.SIGHUP)
                _wait_replaced(srv, old)
                # Both new workers loaded: a worker still loading ignores
                # SIGHUP (doc: uwsgi.rst, pitfalls).
                _wait_uwsgi_loaded(srv, reload + 1)
                deadline = time.monotonic() + 30
                while traffic.answers < before + 50:
                    if time.monotonic() > deadline:
                        pytest.fail('not serving after reload %d:\n%s'
                                    % (reload, srv.output()[-4000:]))
                    time.sleep(0.02)
        assert traffic.errors == [], (traffic.errors[:5],
                                      srv.output()[-4000:])
        assert traffic.answers > 15 * 50
    finally:
        code = srv.stop()
    assert code == 0, srv.output()[-4000:]


@pytest.mark.parametrize('mode', DRAIN_MODES)
def test_stop_finishes_requests_in_flight(mode, tmp_path):
    srv = _start(mode, tmp_path)
    result = {}

    def slow_request():
        try:
            result['answer'] = srv.request(
                'GET', srv.path('/v3/extensions'),
                headers={'X-Test-Delay': '2'})
        except OSError as error:
            result['answer'] = error

    thread = threading.Thread(target=slow_request)
    thread.start()
    time.sleep(0.7)  # the request is inside the application now
    started = time.monotonic()
    # The application server is stopped; nginx, if any, stays until after.
    code = srv._stop(STOP_SIGNALS.get(mode, signal.SIGTERM), 40)
    thread.join(10)
    try:
        assert not isinstance(result['answer'], Exception), (
            result['answer'], srv.output()[-4000:])
        status, _headers, body = result['answer']
        assert status == 200, body
        assert 'extensions' in json.loads(body)
        assert time.monotonic() - started >= 0.8, 'did not wait'
        assert code == 0, srv.output()[-4000:]
    finally:
        srv.stop()


@pytest.mark.parametrize('mode', ['eventlet', 'uwsgi-module', 'gunicorn',
                                  'mod_wsgi'])
def test_log_file_gets_the_request_lines(mode, tmp_path):
    """[DEFAULT] log_file: oslo.log writes there in every mode, one line
    per request with its id, and not to standard error as well."""
    log_file = tmp_path / 'log' / 'cinder-api-app.log'
    log_file.parent.mkdir(exist_ok=True)
    srv = _start(mode, tmp_path, 'log_file = %s\n' % log_file,
                 logs=[str(log_file)])
    try:
        ids = []
        for _ in range(3):
            _s, headers, _b = srv.request('GET', srv.path('/v3/'))
            ids.append(headers['x-openstack-request-id'])
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            text = log_file.read_text()
            if all(rid in text for rid in ids):
                break
            time.sleep(0.1)
        for rid in ids:
            lines = [line for line in text.splitlines()
                     if rid in line and 'requestlog' in line]
            assert len(lines) == 1, (rid, text[-3000:])
            assert '"GET %s" status: 200' % srv.path('/v3/') in lines[0]
            # Standard error, and Apache's ErrorLog where it goes there.
            stderr = ''.join(open(path, errors='replace').read()
                             for path in [srv.log_path] + srv.logs
                             if path != str(log_file))
            assert rid not in stderr
    finally:
        assert srv.stop(STOP_SIGNALS.get(mode, signal.SIGTERM)) == 0


def _kcmp_same_file(pid1, fd1, pid2, fd2):
    """kcmp(KCMP_FILE): do two fds of two processes share one open file
    description (as a connection inherited across fork() does)?"""
    number = {'x86_64': 312, 'aarch64': 272}.get(platform.machine())
    if number is None:
        pytest.skip('kcmp syscall number unknown on %s' % platform.machine())
    libc = ctypes.CDLL(None, use_errno=True)
    result = libc.syscall(number, pid1, pid2, 0, fd1, fd2)
    if result < 0:
        error = ctypes.get_errno()
        if error == errno.EBADF:
            # Closed since it was listed (a -journal file comes and goes):
            # a connection's file stays open, so this was not one.
            return False
        servers.missing('kcmp: %s' % os.strerror(error))
    return result == 0


def _database_fds(process, database):
    fds = []
    for fd in os.listdir('/proc/%d/fd' % process.pid):
        try:
            target = os.readlink('/proc/%d/fd/%s' % (process.pid, fd))
        except OSError:
            continue
        if target.startswith(database):  # the file, its -journal, -wal
            fds.append(int(fd))
    return fds


@pytest.mark.parametrize('mode', ['eventlet', 'uwsgi-module', 'gunicorn',
                                  'mod_wsgi'])
def test_workers_share_no_database_connection(mode, tmp_path):
    """The parent keeps no database connection open once workers exist,
    and no two workers hold the same open file (a connection inherited
    across fork is one file shared by both)."""
    srv = _start(mode, tmp_path)
    database = str(tmp_path / 'etc' / 'cinder.sqlite')
    try:
        for _ in range(10):
            srv.request('GET', srv.path('/v3/extensions'))
        workers = _workers(srv)
        assert len(workers) >= 2
        assert _database_fds(psutil.Process(srv.process.pid),
                             database) == []
        held = [(worker.pid, fd) for worker in workers
                for fd in _database_fds(worker, database)]
        for index, (pid1, fd1) in enumerate(held):
            for pid2, fd2 in held[index + 1:]:
                if pid1 != pid2:
                    assert not _kcmp_same_file(pid1, fd1, pid2, fd2), (
                        'workers %d and %d share a database connection'
                        % (pid1, pid2))
    finally:
        assert srv.stop(STOP_SIGNALS.get(mode, signal.SIGTERM)) == 0


# Last in [DEFAULT] (servers.write_config), so it wins over noauth.
KEYSTONE = ('auth_strategy = keystone\n'
            '[keystone_authtoken]\n'
            # Nothing listens there: a request without a token is refused
            # without asking Keystone, and /healthcheck must not ask at all.
            'www_authenticate_uri = http://127.0.0.1:9/identity\n'
            'auth_url = http://127.0.0.1:9/identity\n')


@pytest.mark.parametrize('mode', ['eventlet', 'uwsgi-module',
                                  'nginx-uwsgi-prefix', 'mod_wsgi',
                                  'gunicorn', 'nginx-gunicorn'])
def test_healthcheck_needs_no_token_under_keystone(mode, tmp_path):
    """With auth_strategy = keystone, /healthcheck and version discovery
    answer without a token, while the API asks for one."""
    srv = servers.start_mode(mode, str(tmp_path), KEYSTONE)
    srv.mode = mode
    try:
        status, _h, body = srv.request('GET', srv.path('/healthcheck'))
        assert (status, body) == (200, b'OK')
        status, _h, _b = srv.request('GET', srv.path('/v3/'))
        assert status == 200
        status, headers, _b = srv.request('GET',
                                          srv.path('/v3/extensions'))
        assert status == 401
        assert 'WWW-Authenticate' in headers
    finally:
        assert srv.stop(STOP_SIGNALS.get(mode, signal.SIGTERM)) == 0
