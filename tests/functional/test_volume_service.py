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
"""Volumes on real storage through a real deployment.

With RabbitMQ: the API under uWSGI (2 workers), cinder-scheduler and
cinder-volume as separate processes. Without: the embedded default under
cinder-api. The files behind volumes are checked byte for byte, and the
volume service is SIGKILLed in the middle of work to prove nothing is lost
or left stuck.
"""

import os
import time

import pytest

from tests.functional import deployment

GiB = 2 ** 30
PATTERN = b'cinder-functional-' * 64


def _write(path, data, offset=0):
    with open(path, 'r+b') as f:
        f.seek(offset)
        f.write(data)


def _read(path, size, offset=0):
    with open(path, 'rb') as f:
        f.seek(offset)
        return f.read(size)


@pytest.fixture(scope='module')
def rabbit(tmp_path_factory):
    url = deployment.transport_url()
    env = deployment.Deployment(tmp_path_factory.mktemp('rabbit'),
                                'uwsgi-module', transport=url)
    env.start()
    env.call('POST', '/types', {'volume_type': {
        'name': 'alpha-type',
        'extra_specs': {'volume_backend_name': 'alpha'}}}, expect=200)
    yield env
    env.stop()


def test_services_register_and_report(rabbit):
    services = rabbit.call('GET', '/os-services', expect=200)[1]['services']
    hosts = {(s['binary'], s['host'].split('@')[-1]) for s in services
             if s['state'] == 'up'}
    assert {('cinder-volume', 'alpha'), ('cinder-volume', 'beta')} <= hosts
    assert any(b == 'cinder-scheduler' for b, _ in hosts)


def test_lifecycle_reaches_storage(rabbit):
    volume = rabbit.create_volume(1, name='data', volume_type='alpha-type')
    assert volume['status'] == 'creating'
    volume = rabbit.wait_volume(volume['id'])
    assert volume['os-vol-host-attr:host'].split('@')[1] == 'alpha#alpha'
    path = rabbit.volume_file(volume['id'])
    assert os.path.getsize(path) == GiB
    _write(path, PATTERN, offset=5 * 2 ** 20)

    # Snapshot, then overwrite, then revert: the snapshot's bytes are back.
    snap = rabbit.call('POST', '/snapshots', {'snapshot': {
        'volume_id': volume['id'], 'name': 's1'}}, expect=202)[1]['snapshot']
    rabbit.wait_for(lambda: rabbit.call(
        'GET', '/snapshots/%s' % snap['id'])[1]['snapshot']['status']
        == 'available', 'snapshot')
    _write(path, b'X' * len(PATTERN), offset=5 * 2 ** 20)
    rabbit.call('POST', '/volumes/%s/action' % volume['id'],
                {'revert': {'snapshot_id': snap['id']}}, version='3.40',
                expect=202)
    rabbit.wait_volume(volume['id'])
    assert _read(path, len(PATTERN), 5 * 2 ** 20) == PATTERN

    # A volume from the snapshot and a clone carry the same bytes.
    from_snap = rabbit.create_volume(2, snapshot_id=snap['id'])
    clone = rabbit.create_volume(source_volid=volume['id'])
    for copy, size in ((from_snap, 2), (clone, 1)):
        rabbit.wait_volume(copy['id'])
        copy_path = rabbit.volume_file(copy['id'])
        assert os.path.getsize(copy_path) == size * GiB
        assert _read(copy_path, len(PATTERN), 5 * 2 ** 20) == PATTERN

    # Extend grows the file.
    rabbit.call('POST', '/volumes/%s/action' % clone['id'],
                {'os-extend': {'new_size': 3}}, expect=202)
    assert rabbit.wait_volume(clone['id'])['size'] == 3
    assert os.path.getsize(rabbit.volume_file(clone['id'])) == 3 * GiB

    # Retype to a type of the other backend moves the data there.
    rabbit.call('POST', '/types', {'volume_type': {
        'name': 'beta-type',
        'extra_specs': {'volume_backend_name': 'beta'}}}, expect=200)
    rabbit.call('POST', '/volumes/%s/action' % clone['id'],
                {'os-retype': {'new_type': 'beta-type',
                               'migration_policy': 'on-demand'}},
                expect=202)
    moved = rabbit.wait_volume(clone['id'])
    assert moved['volume_type'] == 'beta-type'
    assert moved['os-vol-host-attr:host'].split('@')[1] == 'beta#beta'
    assert not os.path.exists(rabbit.volume_file(clone['id']))
    beta_path = rabbit.volume_file(clone['id'], 'beta')
    assert _read(beta_path, len(PATTERN), 5 * 2 ** 20) == PATTERN

    # Connection info points at the file (os-brick's LOCAL connector).
    info = rabbit.call('POST', '/volumes/%s/action' % clone['id'],
                       {'os-initialize_connection': {'connector': {}}},
                       expect=200)[1]['connection_info']
    assert info['driver_volume_type'] == 'local'
    assert info['data']['device_path'] == beta_path

    # Delete everything; the files go with the rows.
    rabbit.call('DELETE', '/volumes/%s?cascade=true' % volume['id'],
                expect=202)
    for doomed in (from_snap, clone):
        rabbit.call('DELETE', '/volumes/%s' % doomed['id'], expect=202)
    for gone in (volume, from_snap, clone):
        rabbit.wait_gone('/volumes/%s' % gone['id'])
    assert not os.path.exists(path)
    assert not os.path.exists(rabbit.snapshot_file(snap['id']))
    assert not os.path.exists(beta_path)
    assert rabbit.usage() == {'volumes': (0, 0), 'gigabytes': (0, 0),
                              'snapshots': (0, 0)}


def test_no_backend_fits_is_an_error_with_a_message(rabbit):
    volume = rabbit.create_volume(10 ** 7)
    rabbit.wait_volume(volume['id'], 'error')
    messages = rabbit.call('GET', '/messages', version='3.3',
                           expect=200)[1]['messages']
    mine = [m for m in messages if m['resource_uuid'] == volume['id']]
    assert mine and 'schedule allocate volume' in mine[0]['user_message']
    rabbit.call('DELETE', '/volumes/%s' % volume['id'], expect=202)
    rabbit.wait_gone('/volumes/%s' % volume['id'])
    assert rabbit.usage()['volumes'] == (0, 0)


@pytest.fixture
def slow_rabbit(tmp_path):
    url = deployment.transport_url()
    env = deployment.Deployment(tmp_path, 'uwsgi-module', transport=url,
                                delay=6)
    env.start()
    yield env
    env.stop()


def test_volume_service_killed_mid_work_resumes(slow_rabbit):
    env = slow_rabbit
    service = env.services['cinder-volume']
    volumes = [env.create_volume(1, name='v%d' % i) for i in range(3)]
    env.wait_for(lambda: all(env.volume(v['id'])['os-vol-host-attr:host']
                             for v in volumes), 'placement')
    time.sleep(1)
    service.kill()
    assert {env.volume(v['id'])['status'] for v in volumes} == {'creating'}
    service.delay = 0
    service.start()
    for volume in volumes:
        volume = env.wait_volume(volume['id'])
        assert os.path.getsize(env.file_of(volume)) == GiB
    files = {v['id']: env.file_of(env.volume(v['id'])) for v in volumes}

    # Kill during extends and deletes: both finish after the restart.
    service.stop()
    service.delay = 6
    service.start()
    env.call('POST', '/volumes/%s/action' % volumes[0]['id'],
             {'os-extend': {'new_size': 2}}, expect=202)
    for volume in volumes[1:]:
        env.call('DELETE', '/volumes/%s' % volume['id'], expect=202)
    time.sleep(2)
    service.kill()
    assert env.volume(volumes[0]['id'])['status'] == 'extending'
    service.delay = 0
    service.start()
    assert env.wait_volume(volumes[0]['id'])['size'] == 2
    assert os.path.getsize(files[volumes[0]['id']]) == 2 * GiB
    for volume in volumes[1:]:
        env.wait_gone('/volumes/%s' % volume['id'])
        assert not os.path.exists(files[volume['id']])
    assert env.usage() == {'volumes': (1, 0), 'gigabytes': (2, 0),
                           'snapshots': (0, 0)}
    # Nothing else is on the backends: no orphaned files.
    left = [name for backend in ('alpha', 'beta')
            for name in os.listdir(os.path.join(env.config_dir, backend))]
    assert left == ['volume-%s' % volumes[0]['id']]


@pytest.fixture
def slow_embedded(tmp_path):
    env = deployment.Deployment(tmp_path, 'eventlet', delay=3)
    env.start()
    yield env
    env.stop()


def test_embedded_api_killed_mid_work_resumes(slow_embedded, tmp_path):
    """The embedded default: the API process runs the work; kill it with
    the work half done, start it again, and the work completes."""
    env = slow_embedded
    volumes = [env.create_volume(1) for _ in range(2)]
    time.sleep(2)
    env.api.kill()
    env.api = deployment.servers.start_mode(
        'eventlet', env.tmp_dir, reuse_config=True,
        env={'CINDER_TEST_DRIVER_DELAY': '0'})
    for volume in volumes:
        volume = env.wait_volume(volume['id'])
        assert os.path.getsize(env.file_of(volume)) == GiB
    assert env.usage()['volumes'] == (2, 0)


def test_log_levels_reach_the_services_over_rabbitmq(rabbit):
    """set-log and get-log (3.32) travel to cinder-volume and
    cinder-scheduler as RPC calls."""
    rabbit.call('PUT', '/os-services/set-log', {
        'binary': 'cinder-volume', 'prefix': 'cinder.volume.manager',
        'level': 'DEBUG'}, version='3.32', expect=202)
    levels = rabbit.call('PUT', '/os-services/get-log', {
        'prefix': 'cinder.volume.manager'}, version='3.32',
        expect=200)[1]['log_levels']
    by_binary = {}
    for item in levels:
        by_binary.setdefault(item['binary'], []).append(
            item['levels'].get('cinder.volume.manager'))
    # Both backends of the one cinder-volume process answer.
    assert by_binary['cinder-volume'] == ['DEBUG', 'DEBUG']
    # The scheduler process has no such logger.
    assert by_binary['cinder-scheduler'] == [None]
