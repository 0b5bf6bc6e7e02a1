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
"""The eventlet server behind cinder-api, the default deployment mode.

Imported only by cinder.cmd.api, after it monkey-patched the process.

A master process builds the app once (so a broken configuration fails
before any worker starts), then forks osapi_volume_workers workers. Each
worker listens on its own SO_REUSEPORT socket bound to the same address, so
the kernel spreads new connections evenly over the workers; with one shared
socket, eventlet's accept loop lets the first awake worker drain the whole
backlog and keep every keep-alive connection (Cinder's eventlet mode does).
cinder.wsgi.sockets keeps a second instance out of that group.

Signals: SIGTERM/SIGINT stop accepting, let in-flight requests finish (up to
graceful_shutdown_timeout) and exit. SIGHUP re-reads the configuration and
logging and rebuilds the app in every worker, without dropping a socket; a
configuration that no longer loads is logged and the running app kept.
"""

import errno
import os
import signal
import time

import eventlet
import eventlet.hubs
import eventlet.patcher
import eventlet.wsgi
from oslo_log import log as logging

from cinder.api import app as api_app
import cinder.conf
from cinder.db import api as db_api
from cinder.volume import embedded
from cinder.wsgi import sockets

LOG = logging.getLogger(__name__)

# Keystone tokens and big headers: Cinder's eventlet default.
MAX_HEADER_LINE = 16384
# Client connections a worker serves at once, each on a green thread. A
# keep-alive connection keeps its green thread while idle, and the accept
# loop waits for a free one: with Cinder's 100 (wsgi_default_pool_size),
# the 101st keep-alive client of a worker got no answer until another
# connection closed.
MAX_CONNECTIONS = 1024

# Signal handlers run on the hub; the green os.write would try to switch.
_os_write = eventlet.patcher.original('os').write


class CurrentApp:
    """A WSGI app that delegates to whatever app is current (for SIGHUP).

    It yields to the other green threads before each request: eventlet's
    server reads a keep-alive client's next request without switching when
    it has already arrived, so one busy connection kept its worker to
    itself and the others waited. Measured at 10 connections, same run:
    p99 of a volume show 89 -> 11 ms, of a detail page 1.16 -> 0.42 s, at
    the same throughput.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        eventlet.sleep(0)
        return self.app(environ, start_response)


class Master:
    def __init__(self, conf, app):
        self.conf = conf
        self.app = app
        self.host = conf.osapi_volume_listen
        self.port = conf.osapi_volume_listen_port
        self.workers = {}  # pid -> worker index
        self.stopping = False
        self.reload_requested = False

    def run(self):
        count = self.conf.osapi_volume_workers or os.cpu_count() or 1
        # Bind every socket before forking: a taken port fails the start.
        group = sockets.listen_group(self.host, self.port, count)
        self.port = group[0].getsockname()[1]
        for index, sock in enumerate(group):
            self._spawn(index, sock)
        LOG.info('cinder-api listening on %s:%d with %d workers',
                 self.host, self.port, count)
        signal.signal(signal.SIGTERM, self._on_stop)
        signal.signal(signal.SIGINT, self._on_stop)
        signal.signal(signal.SIGHUP, self._on_reload)
        while not self.stopping:
            if self.reload_requested:
                self.reload_requested = False
                self._reload()
            self._reap(respawn=True)
            time.sleep(0.1)
        return self._stop_workers()

    def _spawn(self, index, sock):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                # A hub of its own: the parent's epoll instance is shared
                # after fork, and would deliver one worker's events to
                # another.
                eventlet.hubs.use_hub()
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGHUP, signal.SIG_DFL)
                # Ctrl-C reaches the whole process group: the master decides.
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                Worker(self.conf, self.app, sock).run()
                code = 0
            except BaseException:
                LOG.exception('cinder-api worker %d died', os.getpid())
            finally:
                os._exit(code)
        sock.close()
        self.workers[pid] = index

    def _on_stop(self, signum, frame):
        self.stopping = True

    def _on_reload(self, signum, frame):
        self.reload_requested = True

    def _reload(self):
        LOG.info('SIGHUP: reloading configuration in %d workers',
                 len(self.workers))
        self.conf.reload_config_files()
        cinder.conf.setup_logging(self.conf)
        for pid in self.workers:
            _signal(pid, signal.SIGHUP)

    def _reap(self, respawn):
        while self.workers:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            index = self.workers.pop(pid, None)
            if index is None:
                continue
            if respawn and not self.stopping:
                LOG.error('cinder-api worker %d exited (status %d); '
                          'starting a new one', pid, status)
                self._spawn(index, sockets.listen(self.host, self.port))

    def _stop_workers(self):
        LOG.info('Stopping %d cinder-api workers', len(self.workers))
        for pid in self.workers:
            _signal(pid, signal.SIGTERM)
        timeout = self.conf.graceful_shutdown_timeout
        deadline = time.monotonic() + (timeout + 5 if timeout else 1e9)
        while self.workers and time.monotonic() < deadline:
            self._reap(respawn=False)
            time.sleep(0.05)
        for pid in self.workers:
            _signal(pid, signal.SIGKILL)
        return 0


def _signal(pid, signum):
    try:
        os.kill(pid, signum)
    except OSError as error:
        if error.errno != errno.ESRCH:
            raise


class Worker:
    """One process: an eventlet WSGI server on its own listening socket."""

    def __init__(self, conf, app, sock):
        self.conf = conf
        self.app = CurrentApp(app)
        self.sock = sock
        self.wakeup_r, self.wakeup_w = os.pipe()

    def run(self):
        os.set_blocking(self.wakeup_w, False)
        signal.signal(signal.SIGTERM, lambda *_: self._wake(b'T'))
        signal.signal(signal.SIGHUP, lambda *_: self._wake(b'H'))
        eventlet.wsgi.MAX_HEADER_LINE = MAX_HEADER_LINE
        if not self.conf.transport_url:
            # Before the first request rather than on it (as under other
            # servers): the requests that arrived while it started queued
            # on its lock, and a green lock lets one waiter through per
            # turn of the hub. At 200 connections a new worker's first
            # requests took up to 1.8 s.
            embedded.runtime_or_none(self.conf)
        timeout = self.conf.client_socket_timeout or None
        self.server = eventlet.spawn(
            eventlet.wsgi.server, self.sock, self.app,
            custom_pool=eventlet.GreenPool(MAX_CONNECTIONS),
            log=logging.getLogger('eventlet.wsgi.server'),
            socket_timeout=timeout,
            keepalive=True,
            debug=False)
        eventlet.spawn_n(self._watch_signals)
        eventlet.spawn_n(self._watch_master, os.getppid())
        LOG.info('cinder-api worker %d accepting on %s', os.getpid(),
                 '%s:%d' % self.sock.getsockname()[:2])
        self.server.wait()

    def _wake(self, code):
        try:
            _os_write(self.wakeup_w, code)
        except BlockingIOError:
            pass

    def _watch_signals(self):
        while True:
            eventlet.hubs.trampoline(self.wakeup_r, read=True)
            for code in os.read(self.wakeup_r, 64):
                if code == ord('T'):
                    self._stop()
                    return
                self._reload()

    def _watch_master(self, master_pid):
        # A master killed with SIGKILL cannot stop its workers: notice it
        # and drain, rather than serve on as an orphan nobody manages.
        while os.getppid() == master_pid:
            eventlet.sleep(1)
        LOG.warning('cinder-api master %d is gone; stopping', master_pid)
        self._stop()

    def _stop(self):
        timeout = self.conf.graceful_shutdown_timeout
        if timeout:
            # Requests still running then are cut: the operator's choice.
            eventlet.spawn_after(timeout, os._exit, 0)
        # Ends the accept loop; eventlet.wsgi.server then closes idle
        # keep-alive connections and waits for in-flight requests.
        self.server.kill(SystemExit)

    def _reload(self):
        LOG.info('SIGHUP: reloading configuration and the API')
        try:
            self.conf.reload_config_files()
            cinder.conf.setup_logging(self.conf)
            self.app.app = api_app.load_app(self.conf)
            api_app.settle_for_serving()
        except Exception as error:
            LOG.error('Reload failed, still serving the previous '
                      'configuration: %s', error)


def serve(conf):
    """Run cinder-api with *conf* already parsed; returns an exit code."""
    app = api_app.load_app(conf)  # validates every option first
    if (conf.auth_strategy.startswith('noauth')
            and not _is_loopback_host(conf.osapi_volume_listen)):
        LOG.warning('auth_strategy = %s on %s: anyone who can reach this '
                    'address is an admin. Use it for development only.',
                    conf.auth_strategy, conf.osapi_volume_listen)
    db_api.dispose()
    api_app.settle_for_serving()  # before the workers fork
    return Master(conf, app).run()


def _is_loopback_host(host):
    return host in ('127.0.0.1', '::1', 'localhost') or host.startswith('127.')
