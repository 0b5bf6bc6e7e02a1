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
"""A real Keystone on 127.0.0.1, and our API behind it, for functional tests.

Keystone (PyPI ``keystone``, every dependency pinned by
tools/keystone-constraints.txt) has heavy dependencies of its own, so it is
installed into a separate virtualenv, never into the test venv. The venv is
built on first use and reused while its stamp (the constraints file and the
Python version) matches: ``$CINDER_TEST_KEYSTONE_VENV`` if set, else
``.tox/keystone-<version>-py<X.Y>`` in the source tree. A cold install
(no pip cache, uWSGI compiled) takes about 30 s here; starting and
bootstrapping Keystone about 10 s.

The ``keystone`` fixture runs that Keystone under uWSGI with SQLite and
fernet tokens, bootstrapped as an operator does (db_sync, fernet_setup,
credential_setup, bootstrap), then creates over its API:

* project ``cinder-test`` with users ``admin``, ``member`` and ``reader``
  holding the role of the same name (Keystone's implied roles make admin a
  member and a reader too);
* project ``other`` (nobody's), for requests naming a foreign project;
* project ``service`` with the service user ``cinder`` (roles admin and
  service), which keystonemiddleware in our API uses to validate tokens.

The ``keystone_api`` fixture starts our API as servers.start_mode
('uwsgi-module') does, with ``auth_strategy = keystone`` and a
``[keystone_authtoken]`` section for that Keystone, then registers it in
the catalog under both service types devstack creates for Cinder:
``block-storage`` at ``http://127.0.0.1:PORT/v3`` (no project id: the
official type, which openstacksdk and OSC look up first, and keystoneauth
discovers from the unversioned form anyway) and ``volumev3`` at
``http://127.0.0.1:PORT/v3/%(project_id)s`` (cinderclient's default
service type, with the classic project-id form). Real clients thus
exercise both URL shapes, which the API serves alike.

Both fixtures are session-scoped and shared by every test module that uses
them: one Keystone and one API per test session, stopped (process groups
killed) when the session ends. If Keystone cannot be installed the tests
that need it skip, or fail when CINDER_TEST_REQUIRE_SERVERS is set (CI).
"""

import atexit
import contextlib
import fcntl
import grp
import hashlib
import os
import pwd
import shutil
import signal
import subprocess
import sys

import pytest

from tests.functional import servers

CONSTRAINTS = os.path.join(servers.ROOT, 'tools', 'keystone-constraints.txt')
VENV_ENV = 'CINDER_TEST_KEYSTONE_VENV'
INSTALL_TIMEOUT = 600
MANAGE_TIMEOUT = 120

# uWSGI's --http-socket closes the connection after each response without
# saying so; a keep-alive client (requests, keystoneauth: every OpenStack
# client, keystonemiddleware too) that sends its next request on that
# connection before the close arrives gets "Connection reset by peer" (a
# few percent of reused connections on this machine). Keystone's uWSGI
# says it, as etc/cinder/cinder-api-uwsgi.ini does for our API.
CONNECTION_CLOSE = ['--add-header', 'Connection: close']

REGION = 'RegionOne'
DOMAIN = 'default'
PROJECT = 'cinder-test'
OTHER_PROJECT = 'other'
SERVICE_PROJECT = 'service'
# user -> role on PROJECT; each user's password is its name + PASSWORD_TAIL.
USERS = {'admin': 'admin', 'member': 'member', 'reader': 'reader'}
PASSWORD_TAIL = '-secret'
SERVICE_USER = 'cinder'
SERVICE_ROLES = ('admin', 'service')
BOOTSTRAP_USER = 'bootstrap-admin'

# Only the processes this module started, for the atexit safety net.
_RUNNING = set()


def unavailable(reason):
    """Skip on a developer machine, fail where servers are required."""
    if os.environ.get(servers.REQUIRE_ENV):
        pytest.fail('%s; %s is set' % (reason, servers.REQUIRE_ENV))
    pytest.skip(reason)


def pinned_version(name, constraints=CONSTRAINTS):
    prefix = name.lower() + '=='
    with open(constraints) as f:
        for line in f:
            if line.lower().startswith(prefix):
                return line.strip().split('==', 1)[1]
    raise ValueError('%s does not pin %s' % (constraints, name))


def venv_path():
    default = os.path.join(servers.ROOT, '.tox', 'keystone-%s-py%d.%d' % (
        pinned_version('keystone'), *sys.version_info[:2]))
    return os.path.abspath(os.environ.get(VENV_ENV) or default)


def _stamp(constraints=CONSTRAINTS):
    with open(constraints, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return '%s python %s\n' % (digest, sys.version.split()[0])


def ensure_venv(venv=None, constraints=CONSTRAINTS,
                packages=('keystone', 'uWSGI', 'PyMySQL')):
    """The path of a venv holding *packages* as *constraints* pin them
    (Keystone's by default), installing it first if needed."""
    venv = venv or venv_path()
    stamp_file = os.path.join(venv, '.cinder-test-stamp')
    stamp = _stamp(constraints)
    os.makedirs(os.path.dirname(venv), exist_ok=True)
    # One installer at a time (parallel tox runs share the cache).
    with open(venv + '.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        python = os.path.join(venv, 'bin', 'python')
        try:
            with open(stamp_file) as f:
                # exists(): the base interpreter may have gone since.
                if f.read() == stamp and os.path.exists(python):
                    return venv
        except OSError:
            pass
        shutil.rmtree(venv, ignore_errors=True)
        log_path = venv + '.install.log'
        steps = (
            [sys.executable, '-m', 'venv', venv],
            [python, '-m', 'pip', 'install', '--disable-pip-version-check',
             '-c', constraints] + list(packages),
        )
        with open(log_path, 'wb') as log:
            for step in steps:
                try:
                    code = subprocess.run(
                        step, stdout=log, stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        timeout=INSTALL_TIMEOUT).returncode
                except subprocess.TimeoutExpired:
                    code = 'a time-out after %ds' % INSTALL_TIMEOUT
                if code != 0:
                    log.flush()
                    unavailable('%s could not be installed into %s '
                                '(%s exited with %s); log %s:\n%s' % (
                                    packages[0], venv, ' '.join(step[:4]),
                                    code, log_path, servers.tail(log_path)))
        with open(stamp_file, 'w') as f:
            f.write(stamp)
        return venv


def password(user):
    return user + PASSWORD_TAIL


def clean_env(**extra):
    """The environment of a child that must not see the test venv."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(('PYTHON', 'VIRTUAL_ENV', 'OS_'))}
    env.update(extra)
    return env


class Keystone:
    """A running Keystone, its test identities, and token helpers."""

    def __init__(self, server, venv, config_dir):
        self.server, self.venv, self.config_dir = server, venv, config_dir
        self.url = server.url
        self.auth_url = self.url + '/v3'
        self.project_ids, self.user_ids, self.role_ids = {}, {}, {}
        self._sessions = {}

    @property
    def project_id(self):
        return self.project_ids[PROJECT]

    @property
    def other_project_id(self):
        return self.project_ids[OTHER_PROJECT]

    def credentials(self, user, project=PROJECT):
        """keystoneauth password-plugin arguments for a test user."""
        return {'auth_url': self.auth_url, 'username': user,
                'password': password(user), 'project_name': project,
                'user_domain_id': DOMAIN, 'project_domain_id': DOMAIN}

    def session(self, user, project=PROJECT):
        """A keystoneauth session authenticated as *user* (cached)."""
        key = (user, project)
        if key not in self._sessions:
            from keystoneauth1.identity import v3
            from keystoneauth1 import session

            self._sessions[key] = session.Session(
                auth=v3.Password(**self.credentials(user, project)),
                timeout=30)
        return self._sessions[key]

    def token(self, user, project=PROJECT):
        return self.session(user, project).get_token()

    def cli_env(self, user, project=PROJECT):
        """OS_* variables an operator exports for the OpenStack CLIs."""
        return {'OS_AUTH_TYPE': 'password', 'OS_AUTH_URL': self.auth_url,
                'OS_IDENTITY_API_VERSION': '3',
                'OS_USERNAME': user, 'OS_PASSWORD': password(user),
                'OS_PROJECT_NAME': project,
                'OS_USER_DOMAIN_ID': DOMAIN,
                'OS_PROJECT_DOMAIN_ID': DOMAIN,
                'OS_REGION_NAME': REGION, 'OS_INTERFACE': 'public'}

    def _admin_call(self, method, path, body=None):
        response = self.session(BOOTSTRAP_USER, 'admin').request(
            self.auth_url + path, method, json=body, raise_exc=False)
        if response.status_code >= 400:
            pytest.fail('Keystone setup: %s %s answered %s: %s' % (
                method, path, response.status_code, response.text))
        return response.json() if response.content else None

    def create_identities(self):
        """Projects, users and role assignments of the module docstring."""
        roles = self._admin_call('GET', '/roles')['roles']
        self.role_ids = {role['name']: role['id'] for role in roles}
        for project in (PROJECT, OTHER_PROJECT, SERVICE_PROJECT):
            self.project_ids[project] = self._admin_call(
                'POST', '/projects', {'project': {
                    'name': project, 'domain_id': DOMAIN}})['project']['id']
        grants = [(user, PROJECT, (role,)) for user, role in USERS.items()]
        grants.append((SERVICE_USER, SERVICE_PROJECT, SERVICE_ROLES))
        for user, project, roles in grants:
            self.user_ids[user] = self._admin_call('POST', '/users', {
                'user': {'name': user, 'password': password(user),
                         'domain_id': DOMAIN,
                         'default_project_id': self.project_ids[project]},
            })['user']['id']
            for role in roles:
                self._admin_call('PUT', '/projects/%s/users/%s/roles/%s' % (
                    self.project_ids[project], self.user_ids[user],
                    self.role_ids[role]))

    def register_block_storage(self, api_url):
        """Catalog entries for our API at *api_url* (scheme://host:port)."""
        for service_type, name, url in (
                ('block-storage', 'cinder', api_url + '/v3'),
                ('volumev3', 'cinderv3', api_url + '/v3/%(project_id)s')):
            service_id = self._admin_call('POST', '/services', {'service': {
                'type': service_type, 'name': name,
                'enabled': True}})['service']['id']
            self._admin_call('POST', '/endpoints', {'endpoint': {
                'service_id': service_id, 'interface': 'public',
                'region_id': REGION, 'url': url}})

    def api_config(self):
        """What our API's cinder.conf needs to use this Keystone.

        servers.write_config puts it at the end of [DEFAULT], after its
        "auth_strategy = noauth": oslo.config takes the last value.
        """
        return ('auth_strategy = keystone\n'
                '[keystone_authtoken]\n'
                'www_authenticate_uri = %(url)s\n'
                'auth_url = %(url)s\n'
                'auth_type = password\n'
                'username = %(user)s\n'
                'password = %(password)s\n'
                'project_name = %(project)s\n'
                'user_domain_id = %(domain)s\n'
                'project_domain_id = %(domain)s\n'
                'service_token_roles_required = true\n'
                'http_connect_timeout = 10\n'
                % {'url': self.url, 'user': SERVICE_USER,
                   'password': password(SERVICE_USER),
                   'project': SERVICE_PROJECT, 'domain': DOMAIN})


def _config(tmp_dir, port, database_url=None):
    keys = os.path.join(tmp_dir, 'fernet-keys')
    credential_keys = os.path.join(tmp_dir, 'credential-keys')
    for directory in (keys, credential_keys):
        os.makedirs(directory, mode=0o700, exist_ok=True)
    path = os.path.join(tmp_dir, 'keystone.conf')
    with open(path, 'w') as f:
        f.write('[DEFAULT]\n'
                'use_stderr = true\n'
                'public_endpoint = http://127.0.0.1:%(port)d\n'
                '[database]\n'
                'connection = %(database)s\n'
                '[token]\n'
                'provider = fernet\n'
                '[fernet_tokens]\n'
                'key_repository = %(keys)s\n'
                '[fernet_receipts]\n'
                'key_repository = %(keys)s\n'
                '[credential]\n'
                'key_repository = %(credential_keys)s\n'
                '[identity]\n'
                # Fast hashing: test passwords, test speed.
                'password_hash_rounds = 4\n'
                '[cache]\n'
                'enabled = false\n'
                % {'port': port, 'keys': keys,
                   'database': database_url or 'sqlite:///%s/keystone.db' % (
                       tmp_dir),
                   'credential_keys': credential_keys})
    return path


def _manage(venv, config, log_path, *args):
    command = [os.path.join(venv, 'bin', 'keystone-manage'),
               '--config-file', config] + list(args)
    with open(log_path, 'ab') as log:
        try:
            code = subprocess.run(command, stdout=log,
                                  stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, env=clean_env(),
                                  timeout=MANAGE_TIMEOUT).returncode
        except subprocess.TimeoutExpired:
            code = 'a time-out'
    if code != 0:
        pytest.fail('keystone-manage %s exited with %s:\n%s' % (
            args[0], code, servers.tail(log_path)))


def start_keystone(tmp_dir, database_url=None):
    """Install (or reuse), bootstrap and start Keystone; a Keystone. Its
    database is SQLite in tmp_dir unless *database_url* (an empty MySQL
    one: SQLite fails Keystone's concurrent writes with "database is
    locked", which a benchmark's load reaches)."""
    venv = ensure_venv()
    port = servers.free_port()
    config = _config(tmp_dir, port, database_url)
    url = 'http://127.0.0.1:%d' % port
    manage_log = os.path.join(tmp_dir, 'keystone-manage.log')
    user = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    _manage(venv, config, manage_log, 'db_sync')
    for repository in ('fernet_setup', 'credential_setup'):
        _manage(venv, config, manage_log, repository,
                '--keystone-user', user, '--keystone-group', group)
    _manage(venv, config, manage_log, 'bootstrap',
            '--bootstrap-username', BOOTSTRAP_USER,
            '--bootstrap-password', password(BOOTSTRAP_USER),
            '--bootstrap-project-name', 'admin',
            '--bootstrap-role-name', 'admin',
            '--bootstrap-region-id', REGION,
            '--bootstrap-admin-url', url + '/v3',
            '--bootstrap-internal-url', url + '/v3',
            '--bootstrap-public-url', url + '/v3')
    command = [os.path.join(venv, 'bin', 'uwsgi'),
               '--http-socket', '127.0.0.1:%d' % port,
               '--home', venv,
               '--master', '--processes', '1', '--threads', '4',
               '--lazy-apps', '--need-app', '--die-on-term',
               '--buffer-size', '65535', '--disable-logging',
               '--module', 'keystone.wsgi.api:application'] + CONNECTION_CLOSE
    server = servers.Server(
        command, clean_env(OS_KEYSTONE_CONFIG_DIR=tmp_dir), port,
        os.path.join(tmp_dir, 'keystone.log'), cwd=tmp_dir,
        ready_line="WSGI app 0 (mountpoint='') ready", workers=1)
    _track(server)
    try:
        server.start()
        keystone = Keystone(server, venv, tmp_dir)
        keystone.create_identities()
    except BaseException:
        stop(server)
        raise
    return keystone


def start_api(tmp_dir, keystone):
    """Our API as servers.start_mode('uwsgi-module') starts it, with
    auth_strategy = keystone, and in Keystone's catalog; a Server."""
    server = servers.start_mode('uwsgi-module', tmp_dir,
                                extra_config=keystone.api_config())
    _track(server)
    try:
        keystone.register_block_storage(server.url)
    except BaseException:
        stop(server)
        raise
    server.keystone = keystone
    return server


def _track(server):
    if not _RUNNING:
        atexit.register(_stop_all)
    _RUNNING.add(server)


def stop(server):
    """Stop *server* and kill whatever is left of its process group."""
    _RUNNING.discard(server)
    if server.process is None:
        return None
    try:
        return server.stop() if server.process.poll() is None else (
            server.process.returncode)
    finally:
        try:
            os.killpg(server.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _stop_all():
    for server in list(_RUNNING):
        with contextlib.suppress(BaseException):
            stop(server)


_SHARED = pytest.StashKey[dict]()


def _shared(request, name, start):
    """One instance of *name* per test session, whichever module asks.

    A fixture imported into several test modules is a separate fixture in
    each; this keeps a single server and a single cleanup. A start-up
    that skipped or failed is reported the same way to later askers
    without trying again.
    """
    cache = request.config.stash.setdefault(_SHARED, {})
    if name not in cache:
        try:
            value = start()
        except BaseException as error:  # pytest's skip/fail outcomes too
            cache[name] = (False, error)
            raise
        cache[name] = (True, value)
        request.addfinalizer(lambda: stop(value.server
                                          if isinstance(value, Keystone)
                                          else value))
    ok, value = cache[name]
    if not ok:
        raise value
    return value


@pytest.fixture(scope='session')
def keystone(request, tmp_path_factory):
    """A bootstrapped Keystone on 127.0.0.1 (see the module docstring)."""
    return _shared(request, 'keystone', lambda: start_keystone(
        str(tmp_path_factory.mktemp('keystone'))))


@pytest.fixture(scope='session')
def keystone_api(request, keystone, tmp_path_factory):
    """Our API under uWSGI, auth_strategy = keystone, in the catalog."""
    return _shared(request, 'keystone_api', lambda: start_api(
        str(tmp_path_factory.mktemp('keystone-api')), keystone))
