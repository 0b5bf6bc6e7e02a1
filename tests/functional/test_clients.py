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
"""Real clients, unmodified, against a live API.

python-cinderclient (CLI and library), openstacksdk and the openstack CLI
talk to the API under uWSGI, once under noauth and once behind the real
Keystone of tests/functional/keystone.py (password auth, endpoints from the
catalog). Every test taking ``cloud`` runs in both modes.

To cover a new resource with a client, add one test function, e.g.::

    def test_openstack_volume_type_create(cloud):
        created = cloud.run_json('openstack', 'volume', 'type', 'create',
                                 'gold')
        assert created['name'] == 'gold'

``Cloud.run_cli`` (and ``run_json`` for ``-f json`` output) calls the
console script from the test venv with the authentication of the mode:
command-line options for noauth, OS_* variables for Keystone.
"""

import json
import os
import re
import subprocess
import urllib.parse

import pytest

from tests.functional import keystone as ks
from tests.functional import servers

for _module, _package in (('cinderclient', 'python-cinderclient'),
                          ('openstack', 'openstacksdk'),
                          ('openstackclient', 'python-openstackclient')):
    pytest.importorskip(_module, reason='%s (test-requirements.txt) is not '
                        'installed' % _package)

# The shared session-scoped fixtures of tests/functional/keystone.py.
keystone = ks.keystone
keystone_api = ks.keystone_api

# noauth: the token is "user:project"; the project must be hex
# (project_id_regex) for the URLs that name it.
NOAUTH_USER = 'client-user'
NOAUTH_PROJECT = 'c0ffee00c0ffee00c0ffee00c0ffee00'
CLI_TIMEOUT = 120

# The SDK's warnings about its own internals are not ours to act on.
pytestmark = [
    pytest.mark.filterwarnings('ignore::openstack.warnings.%s' % name)
    for name in ('OpenStackDeprecationWarning', 'RemovedInSDK50Warning',
                 'RemovedInSDK60Warning')]


def client_executable(program):
    """A client's console script in the test venv's bin directory."""
    path = os.path.join(servers.BIN, program)
    if not os.access(path, os.X_OK):
        ks.unavailable('%s is not installed in %s (test-requirements.txt)'
                       % (program, servers.BIN))
    return path


def _version_range(api):
    """(min_version, version) as the server announces them at GET /."""
    status, _headers, body = api.request('GET', '/')
    assert status == 300
    (version,) = json.loads(body)['versions']
    return version['min_version'], version['version']


def _mv(text):
    major, minor = text.split('.')
    return int(major), int(minor)


def _lower(a, b):
    return min(a, b, key=_mv)


class Cloud:
    """The API in one auth mode, and how each client authenticates to it."""

    def __init__(self, mode, api, home, keystone=None, user='admin'):
        self.mode, self.api, self.home = mode, api, home
        self.keystone, self.user = keystone, user
        self.url = api.url
        self.min_version, self.max_version = _version_range(api)

    @property
    def project_id(self):
        if self.mode == 'noauth':
            return NOAUTH_PROJECT
        return self.keystone.project_id

    def session(self):
        """A keystoneauth session as cinderclient's library users build."""
        if self.mode == 'keystone':
            return self.keystone.session(self.user)
        from cinderclient.contrib import noauth
        from keystoneauth1 import session

        return session.Session(auth=noauth.CinderNoAuthPlugin(
            NOAUTH_USER, NOAUTH_PROJECT, endpoint=self.url + '/v3'),
            timeout=30)

    def sdk(self):
        """An openstacksdk Connection, ignoring clouds.yaml and OS_*."""
        import openstack

        common = {'load_yaml_config': False, 'load_envvars': False,
                  'api_timeout': 30}
        if self.mode == 'noauth':
            return openstack.connect(
                auth_type='admin_token',
                auth={'endpoint': self.url + '/v3',
                      'token': '%s:%s' % (NOAUTH_USER, NOAUTH_PROJECT)},
                **common)
        credentials = self.keystone.credentials(self.user)
        return openstack.connect(auth_type='password', auth=credentials,
                                 region_name=ks.REGION, interface='public',
                                 **common)

    def cli_auth(self, program):
        """(options, environment) that authenticate *program*."""
        # Nothing from the developer's shell or clouds.yaml leaks in.
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(('OS_', 'CINDER_'))}
        env['HOME'] = self.home
        if self.mode == 'keystone':
            env.update(self.keystone.cli_env(self.user))
            return [], env
        endpoint = self.url + '/v3'
        if program == 'cinder':
            return ['--os-auth-type', 'noauth', '--os-user-id', NOAUTH_USER,
                    '--os-project-id', NOAUTH_PROJECT,
                    '--os-endpoint', endpoint], env
        if program == 'openstack':
            return ['--os-auth-type', 'admin_token', '--os-endpoint', endpoint,
                    '--os-token', '%s:%s' % (NOAUTH_USER, NOAUTH_PROJECT)], env
        raise ValueError(program)

    def run_cli(self, program, *args, check=True):
        """Run a client's console script from the test venv; the result."""
        path = client_executable(program)
        options, env = self.cli_auth(program)
        result = subprocess.run([path] + options + list(args), env=env,
                                cwd=self.home, capture_output=True,
                                text=True, stdin=subprocess.DEVNULL,
                                timeout=CLI_TIMEOUT)
        if check and result.returncode != 0:
            pytest.fail('%s %s exited with %d (%s mode):\n%s\n%s\n'
                        'server log:\n%s' % (
                            program, ' '.join(args), result.returncode,
                            self.mode, result.stdout, result.stderr,
                            self.api.output()[-4000:]))
        return result

    def run_json(self, program, *args):
        """run_cli with ``-f json``; the parsed output."""
        return json.loads(self.run_cli(program, *args, '-f', 'json').stdout)

    def get(self, path):
        """The API's own answer, for comparing with what clients show."""
        if self.mode == 'keystone':
            token = self.keystone.token(self.user)
        else:
            token = '%s:%s' % (NOAUTH_USER, NOAUTH_PROJECT)
        status, _headers, body = self.api.request(
            'GET', path, headers={'X-Auth-Token': token})
        assert status == 200, body
        return json.loads(body)


@pytest.fixture(scope='module')
def noauth_api(tmp_path_factory):
    server = servers.start_mode(
        'uwsgi-module', str(tmp_path_factory.mktemp('clients-noauth')))
    yield server
    ks.stop(server)


@pytest.fixture(scope='module', params=('noauth', 'keystone'))
def cloud(request, tmp_path_factory):
    home = str(tmp_path_factory.mktemp('clients-home-' + request.param))
    if request.param == 'noauth':
        return Cloud('noauth', request.getfixturevalue('noauth_api'), home)
    return Cloud('keystone', request.getfixturevalue('keystone_api'), home,
                 keystone=request.getfixturevalue('keystone'))


@pytest.fixture(scope='module')
def keystone_cloud(keystone_api, keystone, tmp_path_factory):
    home = str(tmp_path_factory.mktemp('clients-home-catalog'))
    return Cloud('keystone', keystone_api, home, keystone=keystone)


def _table_rows(text):
    """The rows of a prettytable as lists of cell strings."""
    return [[cell.strip() for cell in line.strip('|').split('|')]
            for line in text.splitlines() if line.startswith('|')]


def _extension_aliases(cloud):
    return sorted(ext['alias']
                  for ext in cloud.get('/v3/extensions')['extensions'])


# python-cinderclient: the CLI.

def test_cinder_api_version(cloud):
    result = cloud.run_cli('cinder', 'api-version')
    header, *rows = _table_rows(result.stdout)
    assert header == ['ID', 'Status', 'Version', 'Min_version']
    assert rows == [['v3.0', 'CURRENT', cloud.max_version,
                     cloud.min_version]]


def test_cinder_list_extensions(cloud):
    result = cloud.run_cli('cinder', 'list-extensions')
    header, *rows = _table_rows(result.stdout)
    assert header == ['Name', 'Summary', 'Alias', 'Updated']
    assert sorted(row[2] for row in rows) == _extension_aliases(cloud)


def test_cinder_cli_negotiates_the_server_maximum(cloud):
    from cinderclient import api_versions

    result = cloud.run_cli('cinder', '--debug', 'list-extensions')
    expected = _lower(cloud.max_version, api_versions.MAX_VERSION)
    if _mv(expected) < _mv(api_versions.MAX_VERSION):
        assert 'downgrading to %s based on server support' % expected in (
            result.stderr)
    requests = [line for line in result.stderr.splitlines()
                if line.startswith('REQ: ')]
    assert requests, result.stderr
    api_requests = [line for line in requests
                    if urllib.parse.urlsplit(re.search(
                        r' (https?://\S+)', line).group(1)).path != '/']
    assert api_requests, requests
    for line in api_requests:
        # cinderclient sends the header only for minor versions above 0;
        # version discovery (GET /) goes without it.
        sent = 'OpenStack-API-Version: volume '
        if sent in line:
            assert sent + expected in line, line
        else:
            assert expected.endswith('.0'), line
    if cloud.mode == 'keystone':
        # cinderclient's service type is volumev3: the project-id form.
        assert any('/v3/%s/extensions' % cloud.project_id in line
                   for line in requests), requests


# python-cinderclient: the library.

def test_cinderclient_library(cloud):
    from cinderclient import api_versions
    from cinderclient import client

    def make(version):
        return client.Client(version, session=cloud.session(),
                             extensions=client.discover_extensions('3'))

    discovery = make('3.0')
    (server,) = discovery.services.server_api_version()
    assert (server.min_version, server.version) == (
        cloud.min_version, cloud.max_version)
    negotiated = api_versions.discover_version(
        discovery, api_versions.APIVersion(api_versions.MAX_VERSION))
    assert negotiated.get_string() == _lower(cloud.max_version,
                                             api_versions.MAX_VERSION)
    cinder = make(negotiated.get_string())
    assert cinder.api_version == negotiated
    aliases = sorted(ext.alias for ext in cinder.list_extensions.show_all())
    assert aliases == _extension_aliases(cloud)


# openstacksdk.

def test_openstacksdk_block_storage_discovery(cloud):
    from openstack.block_storage.v3 import volume
    from openstack import utils

    conn = cloud.sdk()
    try:
        proxy = conn.block_storage
        assert proxy.get_endpoint() == cloud.url + '/v3'
        assert proxy.get_api_major_version() == (3, 0)
        data = proxy.get_endpoint_data()
        assert data.min_microversion == _mv(cloud.min_version)
        assert data.max_microversion == _mv(cloud.max_version)
        # What the SDK sends for volumes: its maximum, capped by ours.
        client_max = volume.Volume._max_microversion
        negotiated = utils.maximum_supported_microversion(proxy, client_max)
        assert negotiated == _lower(cloud.max_version, client_max)
        response = proxy.get('/extensions', microversion=negotiated)
        assert response.status_code == 200
        assert response.headers['OpenStack-API-Version'] == (
            'volume ' + negotiated)
        assert response.json() == cloud.get('/v3/extensions')
        aliases = sorted(ext.alias for ext in proxy.extensions())
        assert aliases == _extension_aliases(cloud)
    finally:
        conn.close()


# python-openstackclient.

def test_openstack_extension_list_volume(cloud):
    listed = cloud.run_json('openstack', 'extension', 'list', '--volume')
    assert sorted(ext['Alias'] for ext in listed) == (
        _extension_aliases(cloud))


def test_openstack_versions_show(keystone_cloud):
    # Reads the catalog: there is none without Keystone.
    cloud = keystone_cloud
    rows = cloud.run_json('openstack', 'versions', 'show',
                          '--service', 'block-storage')
    assert len(rows) == 1, rows
    (row,) = rows
    assert row['Service Type'] == 'block-storage'
    assert row['Version'] == '3.0'
    assert row['Status'] == 'CURRENT'
    assert row['Endpoint'] == cloud.url + '/v3/'
    assert row['Min Microversion'] == cloud.min_version
    assert row['Max Microversion'] == cloud.max_version



# The resources of the API, through each client, in both auth modes.

def _register_volume_service(cloud, host, zone):
    """A volume service row, as cinder-volume writes when it starts.

    The API only reads services; until the volume service exists the tests
    write its row into the server's database themselves.
    """
    import datetime
    import sqlite3
    import uuid

    config_dir = cloud.api.env['OS_CINDER_CONFIG_DIR']
    with open(os.path.join(config_dir, 'cinder.conf')) as conf:
        state_path = [line.split('=', 1)[1].strip() for line in conf
                      if line.startswith('state_path')][-1]
    now = datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None).isoformat(sep=' ')
    with sqlite3.connect(os.path.join(state_path, 'cinder.sqlite')) as db:
        db.execute(
            'INSERT INTO services (uuid, host, binary, topic, '
            'availability_zone, report_count, disabled, frozen, '
            'replication_status, created_at, updated_at, last_seen_up) '
            "VALUES (?, ?, 'cinder-volume', 'cinder-volume', ?, 1, 0, 0, "
            "'not-capable', ?, ?, ?)",
            (str(uuid.uuid4()), host, zone, now, now, now))


def _rows_by_first_cell(text):
    header, *rows = _table_rows(text)
    return header, {row[0]: row for row in rows}


def test_openstack_volume_type_lifecycle(cloud):
    name = 'gold-' + cloud.mode
    created = cloud.run_json(
        'openstack', 'volume', 'type', 'create', '--description',
        'fast disks', '--property', 'volume_backend_name=fast', name)
    assert (created['name'], created['description'], created['is_public'],
            created['properties']) == (name, 'fast disks', True,
                                       {'volume_backend_name': 'fast'})
    cloud.run_cli('openstack', 'volume', 'type', 'set', '--property',
                  'tier=1', name)
    shown = cloud.run_json('openstack', 'volume', 'type', 'show', name)
    assert shown['properties'] == {'volume_backend_name': 'fast',
                                   'tier': '1'}
    cloud.run_cli('openstack', 'volume', 'type', 'unset', '--property',
                  'tier', name)
    listed = cloud.run_json('openstack', 'volume', 'type', 'list', '--long')
    (row,) = [t for t in listed if t['Name'] == name]
    assert row['Properties'] == {'volume_backend_name': 'fast'}
    cloud.run_cli('openstack', 'volume', 'type', 'delete', name)
    names = [t['Name'] for t in cloud.run_json('openstack', 'volume',
                                               'type', 'list')]
    assert name not in names and '__DEFAULT__' in names


def test_cinder_private_type_extra_specs_and_access(cloud):
    name = 'silver-' + cloud.mode
    cloud.run_cli('cinder', 'type-create', '--is-public', 'false', name)
    cloud.run_cli('cinder', 'type-key', name, 'set', 'replication=none')
    _header, specs = _rows_by_first_cell(
        cloud.run_cli('cinder', 'extra-specs-list').stdout)
    assert any(row[1] == name and 'replication' in row[2]
               for row in specs.values())
    cloud.run_cli('cinder', 'type-access-add', '--volume-type', name,
                  '--project-id', cloud.project_id)
    header, *rows = _table_rows(cloud.run_cli(
        'cinder', 'type-access-list', '--volume-type', name).stdout)
    assert header == ['Volume_type_ID', 'Project_ID']
    assert [row[1] for row in rows] == [cloud.project_id]
    cloud.run_cli('cinder', 'type-access-remove', '--volume-type', name,
                  '--project-id', cloud.project_id)
    assert _table_rows(cloud.run_cli(
        'cinder', 'type-access-list', '--volume-type', name).stdout)[1:] == []
    cloud.run_cli('cinder', 'type-delete', name)


def test_openstack_type_access_through_keystone(keystone_cloud):
    """OSC names projects through Identity, so this needs Keystone."""
    cloud = keystone_cloud
    name = 'bronze-keystone'
    cloud.run_cli('openstack', 'volume', 'type', 'create', '--private', name)
    cloud.run_cli('openstack', 'volume', 'type', 'set', '--project',
                  cloud.project_id, name)
    shown = cloud.run_json('openstack', 'volume', 'type', 'show', name)
    assert shown['is_public'] is False
    assert shown['access_project_ids'] == [cloud.project_id]
    cloud.run_cli('openstack', 'volume', 'type', 'delete', name)


def test_member_may_not_create_types(keystone, keystone_api,
                                     tmp_path_factory):
    member = Cloud('keystone', keystone_api,
                   str(tmp_path_factory.mktemp('member-home')),
                   keystone=keystone, user='member')
    result = member.run_cli('openstack', 'volume', 'type', 'create', 'nope',
                            check=False)
    assert result.returncode != 0
    assert "Policy doesn't allow volume_extension:type_create" in (
        result.stderr + result.stdout)
    assert 'gold' not in [t['Name'] for t in member.run_json(
        'openstack', 'volume', 'type', 'list')]


def test_cinder_quotas_and_limits(cloud):
    project = cloud.project_id
    cloud.run_cli('cinder', 'quota-update', '--volumes', '17',
                  '--gigabytes', '170', project)
    _header, shown = _rows_by_first_cell(
        cloud.run_cli('cinder', 'quota-show', project).stdout)
    assert (shown['volumes'][1], shown['gigabytes'][1]) == ('17', '170')
    header, usage = _rows_by_first_cell(
        cloud.run_cli('cinder', 'quota-usage', project).stdout)
    assert header[:4] == ['Type', 'In_use', 'Reserved', 'Limit']
    assert usage['volumes'][1:4] == ['0', '0', '17']
    _header, defaults = _rows_by_first_cell(
        cloud.run_cli('cinder', 'quota-defaults', project).stdout)
    assert defaults['volumes'][1] == '10'
    _header, limits = _rows_by_first_cell(
        cloud.run_cli('cinder', 'absolute-limits').stdout)
    assert limits['maxTotalVolumes'][1] == '17'
    assert limits['totalVolumesUsed'][1] == '0'
    cloud.run_cli('cinder', 'quota-delete', project)
    assert cloud.get('/v3/os-quota-sets/%s' % project)[
        'quota_set']['volumes'] == 10


def test_sdk_quotas_limits_types(cloud):
    storage = cloud.sdk().block_storage
    project = cloud.project_id
    storage.update_quota_set(project, volumes=13)
    quota_set = storage.get_quota_set(project, usage=True)
    assert quota_set.volumes == 13
    assert quota_set.usage['volumes'] == 0
    assert quota_set.reservation['volumes'] == 0
    limits = storage.get_limits()
    assert limits.absolute.max_total_volumes == 13
    assert limits.absolute.total_volumes_used == 0
    created = storage.create_type(name='sdk-' + cloud.mode,
                                  extra_specs={'a': 'b'})
    assert created.extra_specs == {'a': 'b'}
    assert created.name in [t.name for t in storage.types()]
    storage.delete_type(created)
    assert created.name not in [t.name for t in storage.types()]
    storage.revert_quota_set(project)
    assert storage.get_quota_set(project).volumes == 10


def test_services_and_zones(cloud):
    host = 'node-%s@lvm' % cloud.mode
    _register_volume_service(cloud, host, 'az-' + cloud.mode)
    header, services = _rows_by_first_cell(
        cloud.run_cli('cinder', 'service-list', '--host', host).stdout)
    assert header[:5] == ['Binary', 'Host', 'Zone', 'Status', 'State']
    assert services['cinder-volume'][1:5] == [host, 'az-' + cloud.mode,
                                              'enabled', 'up']
    zones = cloud.run_json('openstack', 'availability', 'zone', 'list',
                           '--volume')
    assert {'Zone Name': 'az-' + cloud.mode,
            'Zone Status': 'available'} in zones

    cloud.run_cli('openstack', 'volume', 'service', 'set', '--disable',
                  '--disable-reason', 'disk swap', host, 'cinder-volume')
    listed = cloud.run_json('openstack', 'volume', 'service', 'list',
                            '--host', host, '--long')
    assert [(s['Status'], s['Disabled Reason']) for s in listed] == [
        ('disabled', 'disk swap')]
    _header, zones = _rows_by_first_cell(
        cloud.run_cli('cinder', 'availability-zone-list').stdout)
    assert zones['az-' + cloud.mode][1] == 'not available'

    cloud.run_cli('cinder', 'service-enable', host, 'cinder-volume')
    (service,) = cloud.get('/v3/os-services?host=%s' % host)['services']
    assert (service['status'], service['disabled_reason']) == (
        'enabled', None)
    sdk_services = [s for s in cloud.sdk().block_storage.services()
                    if s.host == host]
    assert [(s.binary, s.status, s.state) for s in sdk_services] == [
        ('cinder-volume', 'enabled', 'up')]
