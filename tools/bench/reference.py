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
"""The real OpenStack Cinder 29 as a reference beside ours, in the same run.

Benchmark ratios mean something only against the service we re-implement,
run on the same machine, server and worker count. Cinder (PyPI
cinder==29.0.0) is never a dependency of this project: install() puts it,
with uWSGI, in a scratch virtualenv the caller names, and ReferenceCinder
drives it as an external program, as an operator would:

- cinder-manage db sync, then cinder-volume and cinder-scheduler talking
  over RabbitMQ, then cinder-api (Cinder's own cinder.wsgi.api:application)
  under uWSGI started from our etc/cinder/cinder-api-uwsgi.ini, so every
  server flag is the same but threads (one, as Cinder's deployment tools
  run it); only that, the port, directories, worker count, process
  name, and Cinder's config file (pyargv: it ignores OS_CINDER_CONFIG_DIR and
  reads /etc/cinder otherwise) and virtualenv differ.
- noauth (X-Auth-Token: user:project). Cinder 29 routes /v3/volumes/...
  without a project id whatever the microversion, and its project id
  pattern (hex) would not match 'admin' anyway: path() changes nothing.
- Database: database_url (an empty database of its own), else a MariaDB
  database cinder_ref_<random> that start() creates on 127.0.0.1:3306
  (root, no password) and stop() drops. Not SQLite: Cinder 29's db sync
  works there, but with the API, scheduler and volume service writing from
  separate processes, plain one-at-a-time creates fail now and then with
  "database is locked" (a 500 from the API, or cinder-volume exiting at
  start), and Cinder has no setting to avoid it.
- Storage: Cinder's fake driver, cinder.tests.fake_driver.
  FakeLoggingVolumeDriver (shipped in the wheel), which does no storage
  work: creates still go API -> cinder-scheduler -> cinder-volume over
  RabbitMQ and back through the database, but this favours Cinder against
  our file-backed default. LVM is not an option here: the kernel of the
  benchmark machine has no device-mapper (no /dev/mapper/control), so a
  volume group on a loop device cannot be activated.
- RabbitMQ: oslo.messaging names queues after topics ('cinder-scheduler')
  and fanout exchanges after topics too, whatever control_exchange says, so
  two deployments on one virtual host consume each other's messages. When
  the broker is local and rabbitmqctl is there, each run gets its own
  virtual host (deleted by stop()); otherwise only its own control_exchange
  and host name, which isolates everything but those shared names.
"""

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from tests.functional import servers  # noqa: E402

UWSGI_SAMPLE = os.path.join(ROOT, 'etc', 'cinder', 'cinder-api-uwsgi.ini')
CINDER = 'cinder==29.0.0'
FAKE_DRIVER = 'cinder.tests.fake_driver.FakeLoggingVolumeDriver'
HEADERS = {'X-Auth-Token': 'admin:admin',
           'Content-Type': 'application/json'}
MYSQL_ADMIN_URL = 'mysql+pymysql://root@127.0.0.1:3306/'
UWSGI_READY = b"WSGI app 0 (mountpoint='') ready"
# What each service logs once it has finished starting.
SERVICES = (('cinder-volume',
             b'Driver post RPC initialization completed successfully'),
            ('cinder-scheduler', b'cleanup completed'))

# Run with the virtualenv's Python: SQL that needs no Cinder code.
_CHECK = ("import importlib.metadata as m, cinder.tests.fake_driver, "
          "pymysql, psycopg; assert m.version('cinder') == '29.0.0'")
_ADMIN_SQL = '''
import sys, sqlalchemy as sa
engine = sa.create_engine(sys.argv[1], isolation_level='AUTOCOMMIT')
with engine.connect() as conn:
    conn.execute(sa.text(sys.argv[2]))
'''
_SEED = '''
import datetime, sys, uuid, sqlalchemy as sa
engine = sa.create_engine(sys.argv[1])
count = int(sys.argv[2])
volumes = sa.Table('volumes', sa.MetaData(), autoload_with=engine)
with engine.begin() as conn:
    template = conn.execute(
        sa.select(volumes).where(volumes.c.deleted == sa.false(),
                                 volumes.c.status == 'available')
        .limit(1)).mappings().first()
    if template is None:
        sys.exit('no available volume to copy')
    start = datetime.datetime.utcnow() - datetime.timedelta(seconds=count)
    rows = []
    for index in range(count):
        row = dict(template)
        when = start + datetime.timedelta(seconds=index)
        row.update(id=str(uuid.uuid4()), display_name='seed-%d' % index,
                   created_at=when, updated_at=when, launched_at=when,
                   status='available', attach_status='detached', size=1,
                   user_id='admin', project_id='admin')
        rows.append(row)
        if len(rows) == 1000:
            conn.execute(volumes.insert(), rows)
            rows = []
    if rows:
        conn.execute(volumes.insert(), rows)
if len(sys.argv) > 3:  # refresh the planner's statistics
    with engine.connect() as conn:
        conn.exec_driver_sql(sys.argv[3])
        conn.commit()
'''


def _clean_env(**extra):
    """Our environment without what would make Cinder load our code or
    options: PYTHONPATH (our cinder package), OS_* (oslo.config reads
    OS_<GROUP>__<OPTION>), a virtualenv's variables."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith('OS_')
           and key not in ('PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV')}
    env.update(PYTHONUNBUFFERED='1', **extra)
    return env


def _uwsgi_requirement():
    """The uWSGI of the caller's environment, so both run the same one."""
    try:
        from importlib import metadata
        return 'uWSGI==%s' % metadata.version('uWSGI')
    except Exception:
        return 'uWSGI'


def install(venv_dir):
    """Create venv_dir (python3 -m venv) with cinder==29.0.0 and uWSGI
    installed, unless it is already there and importable; return the
    venv's bin directory. Also fixtures (the fake driver imports Cinder's
    unit test helpers), PyMySQL and psycopg (database URLs, the MariaDB
    fallback)."""
    bin_dir = os.path.join(os.path.abspath(venv_dir), 'bin')
    python = os.path.join(bin_dir, 'python')

    def ready():
        return (os.path.exists(os.path.join(bin_dir, 'uwsgi'))
                and subprocess.run([python, '-c', _CHECK], cwd='/',
                                   env=_clean_env(),
                                   capture_output=True).returncode == 0)

    if os.path.exists(python) and ready():
        return bin_dir
    subprocess.run([shutil.which('python3') or sys.executable, '-m', 'venv',
                    venv_dir], check=True)
    subprocess.run([python, '-m', 'pip', 'install', '-q', CINDER,
                    _uwsgi_requirement(), 'fixtures', 'PyMySQL',
                    'psycopg[binary]'],
                   check=True, cwd='/', env=_clean_env())
    if not ready():
        raise RuntimeError('%s: cinder 29 does not import after install'
                           % venv_dir)
    return bin_dir


class ReferenceCinder:
    """Cinder 29: cinder-api under uWSGI, cinder-scheduler, cinder-volume.

    Everything it writes (configuration, locks, logs) is under tmp_dir,
    which the caller creates and removes.
    """

    def __init__(self, tmp_dir, venv_dir, transport_url, database_url=None,
                 workers=2):
        self.tmp_dir = os.path.abspath(str(tmp_dir))
        self.venv_dir = os.path.abspath(venv_dir)
        self.bin_dir = os.path.join(self.venv_dir, 'bin')
        self.transport_url = transport_url
        self.database_url = database_url
        self.workers = workers
        self.name = 'ref-%s' % uuid.uuid4().hex[:8]
        self.config_dir = os.path.join(self.tmp_dir, 'etc')
        self.config = os.path.join(self.config_dir, 'cinder.conf')
        self.port = None
        self.api = None
        self.services = {}
        self.database = None  # its SQLAlchemy URL, once started
        self.created_database = None
        self.vhost = None

    @property
    def api_pid(self):
        return self.api.pid if self.api else None

    def service_pids(self):
        """cinder-scheduler and cinder-volume (each backend of
        cinder-volume is a child process of it)."""
        return [process.pid for process in self.services.values()]

    def path(self, path):
        return path

    # Start and stop

    def start(self):
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self):
        os.makedirs(os.path.join(self.config_dir, 'cinder.conf.d'),
                    exist_ok=True)
        for name in ('state', 'run', 'locks'):
            os.makedirs(os.path.join(self.tmp_dir, name), exist_ok=True)
        shutil.copy(os.path.join(self.venv_dir, 'etc', 'cinder',
                                 'api-paste.ini'), self.config_dir)
        transport = self._transport()
        database = self.database_url
        if database is None:
            self.created_database = 'cinder_ref_%s' % uuid.uuid4().hex[:8]
            self._python(_ADMIN_SQL, MYSQL_ADMIN_URL,
                         'CREATE DATABASE %s' % self.created_database)
            database = '%s%s?charset=utf8mb4' % (MYSQL_ADMIN_URL,
                                                 self.created_database)
        self._write_config(transport, database)
        sync = self._db_sync()
        if sync.returncode != 0:
            raise RuntimeError('cinder-manage db sync failed:\n%s'
                               % sync.stdout[-4000:])
        self.database = database
        # One at a time: their start-up writes collide on SQLite, should
        # database_url name one.
        for binary, marker in SERVICES:
            self.services[binary] = self._spawn(
                [os.path.join(self.bin_dir, binary)] + self._config_args(),
                binary)
            self._wait_log(binary, marker, 120)
        self.port = servers.free_port()
        self.api = self._spawn([os.path.join(self.bin_dir, 'uwsgi'),
                                '--ini', self._uwsgi_ini()], 'cinder-api')
        self._wait_api(120)
        self.wait_volume(self.create_volume()['id'], timeout=120)

    def _transport(self):
        """The transport URL on a virtual host of its own when the broker
        is on this machine and rabbitmqctl can create one."""
        url = urllib.parse.urlsplit(self.transport_url)
        rabbitmqctl = shutil.which('rabbitmqctl', path=os.pathsep.join(
            [os.environ.get('PATH', ''), '/usr/sbin', '/sbin']))
        if (url.scheme != 'rabbit' or ',' in url.netloc
                or url.hostname not in ('127.0.0.1', 'localhost', '::1')
                or rabbitmqctl is None):
            return self.transport_url
        vhost = 'cinder-%s' % self.name
        user = urllib.parse.unquote(url.username or 'guest')
        try:
            subprocess.run([rabbitmqctl, '-q', 'add_vhost', vhost],
                           check=True, capture_output=True, timeout=60)
            self.vhost = (rabbitmqctl, vhost)
            subprocess.run([rabbitmqctl, '-q', 'set_permissions', '-p',
                            vhost, user, '.*', '.*', '.*'], check=True,
                           capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            self._delete_vhost()
            return self.transport_url
        return urllib.parse.urlunsplit(url._replace(path='/' + vhost))

    def _delete_vhost(self):
        if self.vhost is None:
            return
        rabbitmqctl, vhost = self.vhost
        self.vhost = None
        subprocess.run([rabbitmqctl, '-q', 'delete_vhost', vhost],
                       capture_output=True, timeout=60)

    def _write_config(self, transport, database):
        state = os.path.join(self.tmp_dir, 'state')
        with open(self.config, 'w') as f:
            f.write('[DEFAULT]\n'
                    'auth_strategy = noauth\n'
                    'host = %(name)s\n'
                    'transport_url = %(transport)s\n'
                    'control_exchange = cinder-%(name)s\n'
                    'state_path = %(state)s\n'
                    'api_paste_config = %(paste)s\n'
                    'enabled_backends = fake\n'
                    'quota_volumes = -1\n'
                    'quota_gigabytes = -1\n'
                    'scheduler_driver_init_wait_time = 10\n'
                    '[database]\n'
                    'connection = %(database)s\n'
                    '[oslo_concurrency]\n'
                    'lock_path = %(locks)s\n'
                    '[coordination]\n'
                    'backend_url = file://%(state)s\n'
                    '[fake]\n'
                    'volume_driver = %(driver)s\n'
                    'volume_backend_name = fake\n'
                    'volume_clear = none\n'
                    % {'name': self.name, 'transport': transport,
                       'state': state, 'database': database,
                       'paste': os.path.join(self.config_dir,
                                             'api-paste.ini'),
                       'locks': os.path.join(self.tmp_dir, 'locks'),
                       'driver': FAKE_DRIVER})

    def _config_args(self):
        # An explicit (empty) config dir: never /etc/cinder/cinder.conf.d.
        return ['--config-file', self.config, '--config-dir',
                os.path.join(self.config_dir, 'cinder.conf.d')]

    def _db_sync(self):
        return subprocess.run(
            [os.path.join(self.bin_dir, 'cinder-manage')]
            + self._config_args() + ['db', 'sync'],
            cwd=self.tmp_dir, env=_clean_env(), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)

    def _python(self, script, *args):
        result = subprocess.run(
            [os.path.join(self.bin_dir, 'python'), '-c', script] + list(args),
            cwd=self.tmp_dir, env=_clean_env(), capture_output=True,
            text=True)
        if result.returncode != 0:
            raise RuntimeError('%s failed:\n%s' % (
                script.strip().splitlines()[-1], result.stderr[-4000:]))

    def _uwsgi_ini(self):
        """Our shipped sample, its placeholders replaced as the functional
        tests do; the module line is Cinder's too."""
        with open(UWSGI_SAMPLE) as f:
            text = f.read()
        replacements = {
            '127.0.0.1:8776': '127.0.0.1:%d' % self.port,
            '/run/cinder': os.path.join(self.tmp_dir, 'run'),
            '/etc/cinder': self.config_dir,
            'processes = 2': 'processes = %d' % self.workers,
            # One thread, as devstack, openstack-ansible and kolla run
            # Cinder; ours ships two for clean reloads (doc: uwsgi.rst).
            'threads = 2': 'threads = 1',
            'procname-prefix-spaced = cinder-api':
                'procname-prefix-spaced = cinder-reference-api',
            'module = cinder.wsgi.api:application':
                'module = cinder.wsgi.api:application',
        }
        for old, new in replacements.items():
            if old not in text:
                raise RuntimeError('%s no longer contains %r'
                                   % (UWSGI_SAMPLE, old))
            text = text.replace(old, new)
        text += ('\n# Cinder 29: its virtualenv, and its configuration on '
                 'its command line.\nvirtualenv = %s\npyargv = %s\n'
                 % (self.venv_dir, ' '.join(self._config_args())))
        ini = os.path.join(self.config_dir, 'cinder-api-uwsgi.ini')
        with open(ini, 'w') as f:
            f.write(text)
        return ini

    def _log(self, name):
        return os.path.join(self.tmp_dir, '%s.log' % name)

    def _spawn(self, command, name):
        with open(self._log(name), 'ab') as log:
            return subprocess.Popen(command, cwd=self.tmp_dir,
                                    env=_clean_env(), stdout=log,
                                    stderr=subprocess.STDOUT,
                                    start_new_session=True)

    def logs(self):
        return ''.join('\n--- %s\n%s' % (name, servers.tail(self._log(name)))
                       for name in ('cinder-api', 'cinder-scheduler',
                                    'cinder-volume'))

    def _check_alive(self):
        processes = list(self.services.items())
        if self.api is not None:
            processes.append(('cinder-api', self.api))
        for name, process in processes:
            if process.poll() is not None:
                raise RuntimeError('%s exited with %s:%s' % (
                    name, process.returncode, self.logs()))

    def _wait_log(self, name, marker, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            with open(self._log(name), 'rb') as f:
                if marker in f.read():
                    return
            time.sleep(0.2)
        raise RuntimeError('%s did not start in %ds:%s'
                           % (name, timeout, self.logs()))

    def _wait_api(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                with open(self._log('cinder-api'), 'rb') as f:
                    loaded = f.read().count(UWSGI_READY)
                if (loaded >= self.workers
                        and self.request('GET', '/')[0] in (200, 300)):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError('cinder-api did not answer in %ds:%s'
                           % (timeout, self.logs()))

    def stop(self):
        """Stop every process (SIGTERM, then SIGKILL to its process group),
        and drop what start() created outside tmp_dir."""
        processes = ([self.api] if self.api else []) + list(
            self.services.values())
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    pass
            # Whatever is left in its group (uWSGI workers, the
            # per-backend cinder-volume child).
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
        self.api, self.services = None, {}
        if self.created_database:
            name, self.created_database = self.created_database, None
            self._python(_ADMIN_SQL, MYSQL_ADMIN_URL,
                         'DROP DATABASE IF EXISTS %s' % name)
        self._delete_vhost()

    # HTTP

    def request(self, method, path, body=None, timeout=30):
        conn = http.client.HTTPConnection('127.0.0.1', self.port,
                                          timeout=timeout)
        try:
            conn.request(method, path, headers=HEADERS,
                         body=json.dumps(body) if body is not None else None)
            response = conn.getresponse()
            data = response.read()
            if 'json' in (response.getheader('Content-Type') or ''):
                data = json.loads(data)
            return response.status, data or None
        finally:
            conn.close()

    def _call(self, method, path, body=None, expect=200):
        status, data = self.request(method, self.path('/v3' + path), body)
        if status != expect:
            raise RuntimeError('%s %s: %s %s%s' % (
                method, path, status, data, self.logs()))
        return data

    def create_volume(self, size=1):
        return self._call('POST', '/volumes', {'volume': {'size': size}},
                          expect=202)['volume']

    def wait_volume(self, volume_id, status='available', timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            volume = self._call('GET', '/volumes/%s' % volume_id)['volume']
            if volume['status'] == status:
                return volume
            if (volume['status'].startswith('error')
                    or time.monotonic() > deadline):
                raise RuntimeError('volume %s is %s, not %s:%s' % (
                    volume_id, volume['status'], status, self.logs()))
            time.sleep(0.2)

    def seed_volumes(self, count, analyze=None):
        """count more available volumes of 1 GiB in project admin, copies
        of a volume start() created, written straight to the database
        (quota usage is not updated: the quotas are unlimited); then the
        *analyze* statement, if any."""
        self._python(_SEED, self.database, str(int(count)),
                     *([analyze] if analyze else []))

