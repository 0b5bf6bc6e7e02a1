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

uWSGI, gunicorn, nginx and Apache are started from the sample files shipped
in etc/ (the very files operators copy), with only their documented
placeholders replaced: ports (127.0.0.1:8776, nginx's listen ports,
Apache's 8776), and directories (/etc/cinder, /run/cinder, /opt/cinder ...).
A sample that stops working fails these tests.
"""

import grp
import http.client
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
PASTE = os.path.join(ROOT, 'etc', 'cinder', 'api-paste.ini')
SAMPLES = os.path.join(ROOT, 'etc')
# Where the shipped samples listen and keep their files, as documented in
# each one; the tests replace exactly these strings.
SAMPLE_ADDRESS = '127.0.0.1:8776'
SAMPLE_RUN_DIR = '/run/cinder'
SAMPLE_CONFIG_DIR = '/etc/cinder'
MODULE_LINE = 'module = cinder.wsgi.api:application'

# CI sets this: a server binary that is missing fails instead of skipping.
REQUIRE_ENV = 'CINDER_TEST_REQUIRE_SERVERS'


HINTS = {
    'cinder-wsgi': 'cinder-wsgi needs a regular "pip install .", not -e',
    'nginx': 'apt-get install nginx',
    'apache2': 'apt-get install apache2',
    'mod_wsgi-express': ('pip install mod_wsgi into this environment; it '
                         'builds with apache2-dev\'s apxs (tox does it when '
                         'apxs exists)'),
    'openssl': 'apt-get install openssl',
    'unshare': 'util-linux; root runs Apache in a user namespace',
}


def missing(reason):
    """Skip on a developer's machine; fail in CI (CINDER_TEST_REQUIRE_...)."""
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(reason + '; %s is set' % REQUIRE_ENV)
    pytest.skip(reason)


def find_executable(name):
    search = os.pathsep.join([BIN, os.environ.get('PATH', ''),
                              '/usr/sbin', '/sbin'])
    path = shutil.which(name, path=search)
    if path:
        return path
    missing('%s is not installed (%s)' % (
        name, HINTS.get(name, 'install it into this environment')))


def render_sample(name, dest, replacements):
    """Copy the shipped etc/<name> to dest, replacing placeholders.

    Each placeholder must be in the sample: a test never silently runs a
    file that no longer looks like what the guide describes.
    """
    with open(os.path.join(SAMPLES, name)) as f:
        text = f.read()
    for old, new in replacements.items():
        assert old in text, '%s no longer contains %r' % (name, old)
        text = text.replace(old, new)
    with open(dest, 'w') as f:
        f.write(text)
    return dest


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def tail(path, size=4000):
    """The end of a log file, or '' if there is none."""
    try:
        with open(path, 'rb') as f:
            return f.read().decode(errors='replace')[-size:]
    except OSError:
        return ''


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
UWSGI_READY = ("WSGI app 0 (mountpoint='') ready", 2)
READY_LINES = {
    'eventlet': ('accepting on', 2),
    'uwsgi-wsgi-file': UWSGI_READY,
    'uwsgi-module': UWSGI_READY,
    'nginx-uwsgi': UWSGI_READY,
    'nginx-uwsgi-prefix': UWSGI_READY,
    'gunicorn': ('Booting worker', 2),
    'gunicorn-threads': ('Booting worker', 2),
    'nginx-gunicorn': ('Booting worker', 2),
    'nginx-gunicorn-prefix': ('Booting worker', 2),
    # WSGIImportScript loads the app in each daemon process at start.
    'mod_wsgi': ('Loading the API from', 2),
    'mod_wsgi-prefix': ('Loading the API from', 2),
}

# Modes with nginx in front: (application server mode, nginx server block).
NGINX_MODES = {
    'nginx-uwsgi': ('uwsgi-module', 'uwsgi'),
    'nginx-uwsgi-prefix': ('uwsgi-module', 'uwsgi'),
    'nginx-gunicorn': ('gunicorn-threads', 'http'),
    'nginx-gunicorn-prefix': ('gunicorn-threads', 'http'),
}
PREFIXES = {mode: '/volume' for mode in (
    'nginx-uwsgi-prefix', 'nginx-gunicorn-prefix', 'mod_wsgi-prefix')}


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
    base = os.path.dirname(config_dir)
    if mode.startswith('uwsgi'):
        # etc/cinder/cinder-api-uwsgi.ini as shipped: http-socket on the
        # port, the uwsgi socket and master FIFO in <base>/run.
        run_dir = os.path.join(base, 'run')
        os.makedirs(run_dir, exist_ok=True)
        replacements = {SAMPLE_ADDRESS: address, SAMPLE_RUN_DIR: run_dir,
                        SAMPLE_CONFIG_DIR: config_dir}
        if mode == 'uwsgi-wsgi-file':
            replacements[MODULE_LINE] = (
                'wsgi-file = %s' % find_executable('cinder-wsgi'))
        ini = render_sample('cinder/cinder-api-uwsgi.ini',
                            os.path.join(config_dir, 'cinder-api-uwsgi.ini'),
                            replacements)
        return [find_executable('uwsgi'), '--ini', ini], env
    if mode.startswith('gunicorn'):
        conf = render_sample('cinder/gunicorn.conf.py',
                             os.path.join(config_dir, 'gunicorn.conf.py'),
                             {SAMPLE_ADDRESS: address,
                              SAMPLE_CONFIG_DIR: config_dir})
        command = [find_executable('gunicorn'), '--config', conf]
        if mode == 'gunicorn-threads':
            command += ['--threads', '4']
        return command, env
    if mode.startswith('mod_wsgi'):
        return apache_command(port, config_dir, env)
    raise ValueError(mode)


def _apache_user():
    """Apache refuses to serve as root and mod_wsgi to run a daemon as
    root. As root, run Apache in a user namespace as "nobody", where the
    files root owns (the pyenv Python under /root included) read as its
    own; otherwise as the current user (then Apache ignores user=)."""
    if os.geteuid() != 0:
        return [], pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(
            os.getgid()).gr_name
    nobody = pwd.getpwnam('nobody')
    probe = subprocess.run(
        [find_executable('unshare'), '--user',
         '--map-user=%d' % nobody.pw_uid, '--map-group=%d' % nobody.pw_gid,
         'true'], capture_output=True, text=True)
    if probe.returncode != 0:
        missing('user namespaces are not available to run Apache as a '
                'non-root user: %s' % probe.stderr.strip())
    return ([find_executable('unshare'), '--user',
             '--map-user=%d' % nobody.pw_uid,
             '--map-group=%d' % nobody.pw_gid],
            nobody.pw_name, grp.getgrgid(nobody.pw_gid).gr_name)


def apache_command(port, config_dir, env):
    """Apache with etc/cinder/apache-cinder-api.conf included, in the
    foreground, from a minimal server configuration in the temp dir."""
    apache = find_executable('apache2')
    express = find_executable('mod_wsgi-express')
    base = os.path.dirname(config_dir)
    module_config = subprocess.run([express, 'module-config'], check=True,
                                   capture_output=True, text=True).stdout
    modules = '/usr/lib/apache2/modules'
    apxs = shutil.which('apxs') or shutil.which('apxs2')
    if apxs:
        modules = subprocess.run([apxs, '-q', 'LIBEXECDIR'],
                                 capture_output=True,
                                 text=True).stdout.strip() or modules
    prefix, user, group = _apache_user()
    dirs = {name: os.path.join(base, name)
            for name in ('cgi-bin', 'log', 'home', 'apache')}
    for path in dirs.values():
        os.makedirs(path, exist_ok=True)
    # The WSGI script: cinder's own cinder/wsgi/api.py, copied as the
    # guide says.
    import_probe = subprocess.run(
        [sys.executable, '-c', 'import cinder.wsgi, os; '
         'print(os.path.dirname(cinder.wsgi.__file__))'],
        capture_output=True, text=True, check=True, cwd='/')
    shutil.copy(os.path.join(import_probe.stdout.strip(), 'api.py'),
                os.path.join(dirs['cgi-bin'], 'cinder-api'))
    vhost = render_sample('cinder/apache-cinder-api.conf',
                          os.path.join(dirs['apache'], 'cinder-api.conf'), {
                              '8776': str(port),
                              '/opt/cinder': sys.prefix,
                              '/var/www/cgi-bin/cinder': dirs['cgi-bin'],
                              '/var/log/apache2': dirs['log'],
                              '/var/lib/cinder': dirs['home'],
                              'user=cinder group=cinder':
                                  'user=%s group=%s' % (user, group)})
    server_conf = os.path.join(dirs['apache'], 'httpd.conf')
    with open(server_conf, 'w') as f:
        f.write('ServerRoot %(root)s\n'
                'ServerName 127.0.0.1\n'
                'PidFile %(root)s/httpd.pid\n'
                'DefaultRuntimeDir %(root)s\n'
                'ErrorLog /dev/stderr\n'
                'LogLevel info\n'
                'GracefulShutdownTimeout 30\n'
                'LoadModule mpm_event_module %(modules)s/mod_mpm_event.so\n'
                'Include %(mpm)s\n'
                'LoadModule authz_core_module %(modules)s/mod_authz_core.so\n'
                '%(wsgi)s\n'
                'WSGISocketPrefix %(root)s/wsgi\n'
                'Include %(vhost)s\n'
                % {'root': dirs['apache'], 'modules': modules,
                   'mpm': os.path.join(SAMPLES, 'cinder',
                                       'apache-mpm-event.conf'),
                   'wsgi': module_config, 'vhost': vhost})
    return prefix + [apache, '-DFOREGROUND', '-f', server_conf], env


def nginx_command(base, block, backend_address, run_dir):
    """nginx in the foreground with etc/cinder/nginx-cinder-api.conf
    included. Returns the command, and the plain and TLS ports of the
    server block for the backend ('uwsgi' or 'http')."""
    nginx = find_executable('nginx')
    ports = {'http': free_port(), 'https': free_port(), 'proxy': free_port(),
             'proxy-https': free_port()}
    ssl_dir = os.path.join(base, 'ssl')
    make_certificate(ssl_dir)
    site = render_sample('cinder/nginx-cinder-api.conf',
                         os.path.join(base, 'nginx-cinder-api.conf'), {
                             'listen 80;': 'listen 127.0.0.1:%d;'
                                           % ports['http'],
                             'listen 443 ssl;': 'listen 127.0.0.1:%d ssl;'
                                                % ports['https'],
                             'listen 8080;': 'listen 127.0.0.1:%d;'
                                             % ports['proxy'],
                             'listen 8443 ssl;': 'listen 127.0.0.1:%d ssl;'
                                                 % ports['proxy-https'],
                             SAMPLE_ADDRESS: backend_address,
                             SAMPLE_RUN_DIR: run_dir,
                             '/etc/cinder/ssl': ssl_dir})
    temp = os.path.join(base, 'nginx')
    os.makedirs(temp, exist_ok=True)
    conf = os.path.join(base, 'nginx.conf')
    with open(conf, 'w') as f:
        f.write('daemon off;\n'
                'master_process on;\n'
                '%(user)s'
                # Debian's nginx.conf defaults: fewer connections make nginx
                # drop clients under load (it needs one per client plus
                # one per request in flight to the backend).
                'worker_processes auto;\n'
                'pid %(temp)s/nginx.pid;\n'
                'error_log stderr notice;\n'
                'events { worker_connections 768; }\n'
                'http {\n'
                '  access_log off;\n'
                '  client_body_temp_path %(temp)s/body;\n'
                '  proxy_temp_path %(temp)s/proxy;\n'
                '  fastcgi_temp_path %(temp)s/fastcgi;\n'
                '  uwsgi_temp_path %(temp)s/uwsgi;\n'
                '  scgi_temp_path %(temp)s/scgi;\n'
                '  include %(site)s;\n'
                '}\n' % {'temp': temp, 'site': site,
                          # Workers must reach the socket in root's temp dir.
                          'user': 'user root;\n' if os.geteuid() == 0
                          else ''})
    port = ports['http'] if block == 'uwsgi' else ports['proxy']
    tls_port = ports['https'] if block == 'uwsgi' else ports['proxy-https']
    return [nginx, '-p', temp, '-e', 'stderr', '-c', conf], port, tls_port


def make_certificate(ssl_dir):
    """A self-signed certificate for nginx's TLS listener."""
    os.makedirs(ssl_dir, exist_ok=True)
    subprocess.run([find_executable('openssl'), 'req', '-x509', '-newkey',
                    'rsa:2048', '-nodes', '-days', '2', '-subj',
                    '/CN=127.0.0.1',
                    '-keyout', os.path.join(ssl_dir, 'cinder-api.key'),
                    '-out', os.path.join(ssl_dir, 'cinder-api.crt')],
                   check=True, capture_output=True)


class Server:
    """A server process under test, stopped with the signal operators use.

    port is where clients connect: the front (nginx) when there is one,
    else the server itself. prefix is the URL path the API is under
    ('' or '/volume'); path() builds request paths under it.
    """

    def __init__(self, command, env, port, log_path, cwd=None,
                 ready_line=None, workers=1, prefix='', front=None,
                 logs=(), health_port=None, tls_port=None):
        self.command, self.env, self.port = command, env, port
        self.log_path = log_path
        self.cwd = cwd
        self.ready_line, self.workers = ready_line, workers
        self.prefix = prefix
        self.front = front
        self.logs = list(logs)
        self.health_port = health_port or port
        self.tls_port = tls_port
        self.process = None
        self.log = None

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    @property
    def proxied(self):
        """True when a proxy in front replaces clients' X-Forwarded-*."""
        return self.front is not None

    def path(self, path):
        return self.prefix + path

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
                if (self._health(self.health_port)
                        and self._all_workers_ready()):
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            output = self.output()[-6000:]
            self.kill()
            pytest.fail('%s did not answer in %ds:\n%s' % (
                self.command[0], timeout, output))
        if self.front is not None:
            self.front.start(timeout)
        return self

    def _health(self, port):
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=5)
        try:
            conn.request('GET', self.path('/healthcheck')
                         if port == self.port else '/healthcheck')
            return conn.getresponse().status == 200
        finally:
            conn.close()

    def _all_workers_ready(self):
        if not self.ready_line:
            return True
        return self.output().count(self.ready_line) >= self.workers

    def request(self, method, path, headers=None, body=None, timeout=30,
                tls=False):
        if tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            conn = http.client.HTTPSConnection(
                '127.0.0.1', self.tls_port, timeout=timeout, context=context)
        else:
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
        """Stop the application server with signum (then the front, with
        nginx's graceful SIGQUIT); returns the server's exit status."""
        try:
            return self._stop(signum, timeout)
        finally:
            if self.front is not None:
                code = self.front._stop(signal.SIGQUIT, timeout)
                assert code == 0, 'nginx exited with %s:\n%s' % (
                    code, self.front.output()[-3000:])

    def _stop(self, signum, timeout):
        if self.process is None:
            return None
        try:
            if self.process.poll() is not None:
                return self.process.returncode
            self.process.send_signal(signum)
            try:
                return self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
                pytest.fail('%s ignored signal %d:\n%s' % (
                    self.command[0], signum, self.output()[-6000:]))
        finally:
            # Whatever the server left behind in its process group once it
            # exited (a test must never leak processes).
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            if self.log is not None:
                self.log.close()

    def kill(self):
        """SIGKILL to the whole process group (workers, Apache's children
        included), of the front too."""
        for server in (self, self.front):
            if server is None or server.process is None:
                continue
            try:
                os.killpg(server.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            server.process.wait()
            if server.log is not None:
                server.log.close()

    def output(self):
        """Everything the servers wrote: their standard output and error,
        and the log files they write to (Apache's vhost ErrorLog)."""
        if self.log is not None and not self.log.closed:
            self.log.flush()
        text = ''
        for path in [self.log_path] + self.logs:
            if os.path.exists(path):
                with open(path, 'rb') as f:
                    text += f.read().decode(errors='replace')
        if self.front is not None:
            text += self.front.output()
        return text


def start_mode(mode, tmp_dir, extra_config='', logs=(), reuse_config=False,
               env=None):
    """Start mode with its files in tmp_dir; logs: more files it writes
    (a log_file set in extra_config), for readiness and output().
    reuse_config: tmp_dir/etc holds a config already; env: more
    environment for the server."""
    port = free_port()
    config_dir = os.path.join(tmp_dir, 'etc')
    if not reuse_config:
        write_config(config_dir, extra_config)
    extra_env = dict(env or {})
    ready_line, workers = READY_LINES.get(mode, (None, 1))
    log = os.path.join(tmp_dir, 'server.log')
    prefix = PREFIXES.get(mode, '')
    if mode in NGINX_MODES:
        backend, block = NGINX_MODES[mode]
        command, env = mode_command(backend, port, config_dir)
        env.update(extra_env)
        nginx, entry, tls_port = nginx_command(
            tmp_dir, block, '127.0.0.1:%d' % port,
            os.path.join(tmp_dir, 'run'))
        front = Server(nginx, env, entry, os.path.join(tmp_dir, 'nginx.log'),
                       cwd=tmp_dir, prefix=prefix)
        return Server(command, env, entry, log, cwd=tmp_dir,
                      ready_line=ready_line, workers=workers, prefix=prefix,
                      front=front, health_port=port, tls_port=tls_port,
                      logs=logs).start()
    command, env = mode_command(mode, port, config_dir)
    env.update(extra_env)
    logs = list(logs)
    if mode.startswith('mod_wsgi'):
        logs.append(os.path.join(tmp_dir, 'log', 'cinder-api.log'))
    return Server(command, env, port, log, cwd=tmp_dir,
                  ready_line=ready_line, workers=workers, prefix=prefix,
                  logs=logs).start()
