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
"""A whole deployment on 127.0.0.1: the API under a WSGI server, and, with
RabbitMQ, cinder-scheduler and cinder-volume as separate processes.

Each deployment has its own state directory (SQLite, volume files), its own
RabbitMQ exchange and host name, so deployments of different tests never
see each other's messages. The URL of RabbitMQ comes from
CINDER_TEST_TRANSPORT_URL (.ci/run sets it).
"""

import json
import os
import shutil
import signal
import subprocess
import time
import uuid

import pytest

from tests.functional import servers

TRANSPORT_ENV = 'CINDER_TEST_TRANSPORT_URL'
ADMIN = {'X-Auth-Token': 'admin:admin', 'Content-Type': 'application/json'}
SLOW_DRIVER = 'cinder_test_slow_driver.SlowLocalFileDriver'


def transport_url():
    url = os.environ.get(TRANSPORT_ENV)
    if not url:
        servers.missing('%s is not set (e.g. rabbit://guest:guest@'
                        '127.0.0.1:5672/)' % TRANSPORT_ENV)
    return url


def backend_config(transport=None, backends=('alpha', 'beta'), extra=''):
    """[DEFAULT] lines and backend sections for servers.write_config."""
    name = 'test-%s' % uuid.uuid4().hex[:8]
    lines = ['host = %s' % name,
             'enabled_backends = %s' % ','.join(backends),
             'report_interval = 1',
             'periodic_interval = 2',
             'quota_gigabytes = -1',
             extra]
    if transport:
        lines += ['transport_url = %s' % transport,
                  'control_exchange = cinder-%s' % name]
    for backend in backends:
        lines += ['[%s]' % backend,
                  'volume_driver = %s' % SLOW_DRIVER,
                  'volume_backend_name = %s' % backend,
                  'local_volumes_dir = $state_path/%s' % backend]
    # servers.write_config appends [oslo_middleware] after these lines.
    return '\n'.join(lines) + '\n[DEFAULT]'


class Service:
    """cinder-volume or cinder-scheduler, run as systemd would."""

    def __init__(self, binary, config_dir, log_path, delay=0):
        self.binary, self.config_dir = binary, config_dir
        self.log_path = log_path
        self.delay = delay
        self.process = None

    def start(self, timeout=60):
        env = dict(os.environ, PYTHONPATH=self.config_dir,
                   PYTHONUNBUFFERED='1',
                   CINDER_TEST_DRIVER_DELAY=str(self.delay))
        offset = (os.path.getsize(self.log_path)
                  if os.path.exists(self.log_path) else 0)
        log = open(self.log_path, 'ab')
        self.process = subprocess.Popen(
            [servers.find_executable(self.binary), '--config-file',
             os.path.join(self.config_dir, 'cinder.conf')],
            env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail('%s exited:\n%s' % (self.binary, self.output()))
            with open(self.log_path, 'rb') as f:
                f.seek(offset)
                if b'%s ready' % self.binary.encode() in f.read():
                    return self
            time.sleep(0.1)
        pytest.fail('%s did not start:\n%s' % (self.binary, self.output()))

    def kill(self):
        """SIGKILL: no cleanup, no goodbye."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail('%s ignored SIGTERM:\n%s' % (self.binary,
                                                      self.output()))

    def output(self):
        with open(self.log_path, 'rb') as f:
            return f.read().decode(errors='replace')[-6000:]


class Deployment:
    """The API (self.api, a servers.Server) and its services."""

    def __init__(self, tmp_dir, mode, transport=None, delay=0, extra='',
                 delay_filter=True):
        self.tmp_dir = str(tmp_dir)
        self.config_dir = os.path.join(self.tmp_dir, 'etc')
        self.transport = transport
        self.mode = mode
        self.delay = delay
        self.services = {}
        servers.write_config(self.config_dir,
                             backend_config(transport, extra=extra),
                             delay_filter=delay_filter)
        # Importable by every process through PYTHONPATH=config_dir.
        shutil.copy(os.path.join(os.path.dirname(__file__),
                                 'slow_driver.py'),
                    os.path.join(self.config_dir,
                                 'cinder_test_slow_driver.py'))
        self.api = None

    def start(self):
        subprocess.run([servers.find_executable('cinder-manage'),
                        '--config-file',
                        os.path.join(self.config_dir, 'cinder.conf'),
                        'db', 'sync'], check=True, capture_output=True)
        if self.transport:
            for binary in ('cinder-scheduler', 'cinder-volume'):
                self.services[binary] = Service(
                    binary, self.config_dir,
                    os.path.join(self.tmp_dir, binary + '.log'),
                    delay=self.delay if binary == 'cinder-volume' else 0,
                ).start()
        started = time.monotonic()
        self.api = servers.start_mode(self.mode, self.tmp_dir,
                                      reuse_config=True,
                                      env={'CINDER_TEST_DRIVER_DELAY':
                                           str(self.delay)})
        # Launch to every worker serving, for the benchmarks.
        self.api_start_seconds = time.monotonic() - started
        return self

    def stop(self):
        if self.api is not None:
            self.api.stop()
        for service in self.services.values():
            service.stop()

    def file_of(self, volume):
        """The file behind a volume view (admin: it shows the host)."""
        host = volume['os-vol-host-attr:host']
        return self.volume_file(volume['id'],
                                host.split('@')[1].split('#')[0])

    def volume_file(self, volume_id, backend='alpha'):
        return os.path.join(self.config_dir, backend, 'volume-%s'
                            % volume_id)

    def snapshot_file(self, snapshot_id, backend='alpha'):
        return os.path.join(self.config_dir, backend, 'snapshot-%s'
                            % snapshot_id)

    # HTTP

    def call(self, method, path, body=None, version=None, expect=None):
        headers = dict(ADMIN)
        if version:
            headers['OpenStack-API-Version'] = 'volume %s' % version
        status, _, data = self.api.request(
            method, self.api.path('/v3' + path), headers=headers,
            body=json.dumps(body) if body is not None else None)
        if expect is not None:
            assert status == expect, (status, data, self.logs())
        return status, (json.loads(data) if data else None)

    def volume(self, volume_id):
        return self.call('GET', '/volumes/%s' % volume_id, expect=200)[1][
            'volume']

    def wait_for(self, check, what, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = check()
            if result:
                return result
            time.sleep(0.2)
        pytest.fail('timed out waiting for %s\n%s' % (what, self.logs()))

    def wait_volume(self, volume_id, status='available', timeout=60):
        return self.wait_for(
            lambda: (lambda v: v if v['status'] == status else None)(
                self.volume(volume_id)),
            'volume %s to be %s' % (volume_id, status), timeout)

    def wait_gone(self, path, timeout=60):
        self.wait_for(lambda: self.call('GET', path)[0] == 404,
                      '%s to be gone' % path, timeout)

    def create_volume(self, size=1, **fields):
        fields['size'] = size
        return self.call('POST', '/volumes', {'volume': fields},
                         expect=202)[1]['volume']

    def usage(self):
        quota = self.call('GET', '/os-quota-sets/admin?usage=True',
                          expect=200)[1]['quota_set']
        return {key: (quota[key]['in_use'], quota[key]['reserved'])
                for key in ('volumes', 'gigabytes', 'snapshots')}

    def logs(self):
        text = self.api.output()[-4000:] if self.api else ''
        for binary, service in self.services.items():
            text += '\n--- %s\n%s' % (binary, service.output()[-3000:])
        return text
