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
"""Start the API under each deployment mode on 127.0.0.1, as operators do.

Each mode gets a fresh configuration directory (cinder.conf, and a copy of
the shipped api-paste.ini with a test-only delay filter), a free port, and
its output in a log file that failures print.
"""

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
PASTE = os.path.join(ROOT, 'etc', 'cinder', 'api-paste.ini')

# CI sets this: a server binary that is missing fails instead of skipping.
REQUIRE_ENV = 'CINDER_TEST_REQUIRE_SERVERS'


def find_executable(name):
    path = shutil.which(name, path=BIN) or shutil.which(name)
    if path:
        return path
    reason = ('%s is not installed (cinder-wsgi needs a regular '
              '"pip install .", not -e)' % name)
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(reason + '; %s is set' % REQUIRE_ENV)
    pytest.skip(reason)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def write_config(directory, extra='', delay_filter=True):
    """A config dir for a mode: cinder.conf plus an api-paste.ini."""
    os.makedirs(directory, exist_ok=True)
    paste = open(PASTE).read()
    if delay_filter:
        # A copy beside the config, importable by the server without putting
        # the source tree (and its cinder package) on the server's path.
        shutil.copy(os.path.join(os.path.dirname(__file__), 'slow_filter.py'),
                    os.path.join(directory, 'cinder_test_slow.py'))
        paste = paste.replace(' noauth apiv3', ' noauth slow apiv3') + (
            '\n[filter:slow]\npaste.filter_factory = '
            'cinder_test_slow:filter_factory\n')
    with open(os.path.join(directory, 'api-paste.ini'), 'w') as f:
        f.write(paste)
    config = os.path.join(directory, 'cinder.conf')
    with open(config, 'w') as f:
        f.write('[DEFAULT]\n'
                'auth_strategy = noauth\n'
                'osapi_volume_listen = 127.0.0.1\n'
                'state_path = %s\n'
                'osapi_volume_workers = 2\n'
                'graceful_shutdown_timeout = 30\n'
                '%s\n'
                '[oslo_middleware]\n'
                'enable_proxy_headers_parsing = true\n'
                % (directory, extra))
    return config


# Log lines that say one worker is ready, and how many to wait for, so that
# tests (and their SIGTERM) never race a worker still loading the app.
READY_LINES = {
    'eventlet': ('wsgi starting up', 2),
    'uwsgi-wsgi-file': ("WSGI app 0 (mountpoint='') ready", 2),
    'uwsgi-module': ("WSGI app 0 (mountpoint='') ready", 2),
    'gunicorn': ('Booting worker', 2),
}


def mode_command(mode, port, config_dir):
    """The command line and environment an operator would use."""
    config = os.path.join(config_dir, 'cinder.conf')
    env = dict(os.environ, OS_CINDER_CONFIG_DIR=config_dir,
               PYTHONPATH=config_dir, PYTHONUNBUFFERED='1')
    address = '127.0.0.1:%d' % port
    if mode == 'eventlet':
        env.pop('OS_CINDER_CONFIG_DIR')
        env['OS_DEFAULT__OSAPI_VOLUME_LISTEN_PORT'] = str(port)
        return [find_executable('cinder-api'), '--config-file', config], env
    if mode == 'cinder-wsgi':
        env.pop('OS_CINDER_CONFIG_DIR')
        return [find_executable('cinder-wsgi'), '--port', str(port),
                '--host', '127.0.0.1', '--', '--config-file', config], env
    if mode.startswith('uwsgi'):
        if mode == 'uwsgi-wsgi-file':
            target = ['--wsgi-file', find_executable('cinder-wsgi')]
        else:
            target = ['--module', 'cinder.wsgi.api:application']
        return [find_executable('uwsgi'), '--http-socket', address,
                '--master', '--processes', '2', '--enable-threads',
                '--lazy-apps', '--need-app', '--die-on-term',
                '--hook-master-start',
                'unix_signal:15 gracefully_kill_them_all',
                '--worker-reload-mercy', '30',
                '--buffer-size', '65535', '--disable-logging'] + target, env
    if mode == 'gunicorn':
        return [find_executable('gunicorn'), '--workers', '2',
                '--bind', address, '--graceful-timeout', '30',
                'cinder.wsgi.api:application'], env
    raise ValueError(mode)


class Server:
    """A server process under test, stopped with the signal operators use."""

    def __init__(self, command, env, port, log_path, cwd=None,
                 ready_line=None, workers=1):
        self.command, self.env, self.port = command, env, port
        self.log_path = log_path
        self.cwd = cwd
        self.ready_line, self.workers = ready_line, workers
        self.process = None

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def start(self, timeout=60):
        self.log = open(self.log_path, 'wb')
        self.process = subprocess.Popen(self.command, env=self.env,
                                        stdout=self.log,
                                        stderr=subprocess.STDOUT,
                                        cwd=self.cwd, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail('%s exited with %s:\n%s' % (
                    self.command[0], self.process.returncode, self.output()))
            try:
                if (self.request('GET', '/healthcheck')[0] == 200
                        and self._all_workers_ready()):
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        pytest.fail('%s did not answer in %ds:\n%s' % (
            self.command[0], timeout, self.output()[-6000:]))

    def _all_workers_ready(self):
        if not self.ready_line:
            return True
        return self.output().count(self.ready_line) >= self.workers

    def request(self, method, path, headers=None, body=None, timeout=30):
        conn = http.client.HTTPConnection('127.0.0.1', self.port,
                                          timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            # response.msg: header names compare case-insensitively.
            return response.status, response.msg, response.read()
        finally:
            conn.close()

    def stop(self, signum=signal.SIGTERM, timeout=40):
        if self.process is None or self.process.poll() is not None:
            return self.process and self.process.returncode
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            pytest.fail('%s ignored signal %d:\n%s' % (
                self.command[0], signum, self.output()[-6000:]))
        finally:
            self.log.close()

    def output(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, 'rb') as f:
            return f.read().decode(errors='replace')


def start_mode(mode, tmp_dir, extra_config=''):
    port = free_port()
    config_dir = os.path.join(tmp_dir, 'etc')
    write_config(config_dir, extra_config)
    command, env = mode_command(mode, port, config_dir)
    ready_line, workers = READY_LINES.get(mode, (None, 1))
    return Server(command, env, port, os.path.join(tmp_dir, 'server.log'),
                  cwd=tmp_dir, ready_line=ready_line, workers=workers).start()
