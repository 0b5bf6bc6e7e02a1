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
"""Real clients run the volume and snapshot lifecycle, unmodified.

python-cinderclient (the cinder CLI), openstacksdk and the openstack CLI
against the API under uWSGI with the embedded volume service, under noauth
and behind the real Keystone (the ``cloud`` fixture of test_clients).
"""

import time

import pytest

from tests.functional import test_clients

# The fixtures of test_clients, shared.
cloud = test_clients.cloud
noauth_api = test_clients.noauth_api
keystone = test_clients.keystone
keystone_api = test_clients.keystone_api

pytestmark = test_clients.pytestmark


def _wait(cloud, kind, item_id, status='available', timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = cloud.get('/v3/%ss/%s' % (kind, item_id))[kind]
        if body['status'] == status:
            return body
        if body['status'].startswith('error'):
            pytest.fail('%s %s went to %s' % (kind, item_id,
                                               body['status']))
        time.sleep(0.2)
    pytest.fail('%s %s is not %s:\n%s' % (kind, item_id, status,
                                          cloud.api.output()[-3000:]))


def _wait_gone(cloud, kind, item_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ids = [item['id'] for item in
               cloud.get('/v3/%ss/detail' % kind)['%ss' % kind]]
        if item_id not in ids:
            return
        time.sleep(0.2)
    pytest.fail('%s %s was not deleted' % (kind, item_id))


def _type(cloud, name):
    """A volume type for retypes, created once per cloud (admin)."""
    types = [t['name'] for t in cloud.get('/v3/types')['volume_types']]
    if name not in types:
        cloud.run_cli('openstack', 'volume', 'type', 'create', name)
    return name


def test_cinder_cli_lifecycle(cloud):
    def cinder(*args):
        return cloud.run_cli('cinder', *args).stdout

    def field(text, name):
        for row in test_clients._table_rows(text):
            if row[0] == name:
                return row[1]
        pytest.fail('no %s in:\n%s' % (name, text))

    volume_id = field(cinder('create', '1', '--name', 'cli-v1',
                             '--metadata', 'k1=v1'), 'id')
    _wait(cloud, 'volume', volume_id)
    shown = cinder('show', 'cli-v1')
    assert field(shown, 'size') == '1'
    assert field(shown, 'metadata') == 'k1 : v1'
    listed = cinder('list', '--name', 'cli-v1')
    assert volume_id in listed

    cinder('metadata', 'cli-v1', 'set', 'k2=v2')
    cinder('metadata', 'cli-v1', 'unset', 'k1')
    assert cloud.get('/v3/volumes/%s/metadata' % volume_id) == {
        'metadata': {'k2': 'v2'}}

    cinder('extend', 'cli-v1', '2')
    assert _wait(cloud, 'volume', volume_id)['size'] == 2

    snapshot_id = field(cinder('snapshot-create', 'cli-v1', '--name',
                               'cli-s1'), 'id')
    _wait(cloud, 'snapshot', snapshot_id)
    assert snapshot_id in cinder('snapshot-list')

    from_snapshot = field(cinder('create', '--snapshot-id', snapshot_id,
                                 '--name', 'cli-v2'), 'id')
    clone = field(cinder('create', '--source-volid', volume_id, '--name',
                         'cli-v3'), 'id')
    _wait(cloud, 'volume', from_snapshot)
    _wait(cloud, 'volume', clone)

    new_type = _type(cloud, 'cli-retype')
    cinder('retype', '--migration-policy', 'on-demand', 'cli-v3', new_type)
    deadline = time.monotonic() + 60
    while cloud.get('/v3/volumes/%s' % clone)['volume'][
            'volume_type'] != new_type:
        assert time.monotonic() < deadline, 'retype did not finish'
        time.sleep(0.2)

    cinder('snapshot-delete', 'cli-s1')
    _wait_gone(cloud, 'snapshot', snapshot_id)
    cinder('delete', 'cli-v1', 'cli-v2', 'cli-v3')
    for doomed in (volume_id, from_snapshot, clone):
        _wait_gone(cloud, 'volume', doomed)


def test_openstacksdk_lifecycle_and_paging(cloud):
    conn = cloud.sdk()
    try:
        storage = conn.block_storage
        created = [storage.create_volume(size=1, name='sdk-%d' % i)
                   for i in range(5)]
        for volume in created:
            storage.wait_for_status(volume, 'available', wait=60)
        # Pages of two: every volume exactly once, no endless loop.
        names = [v.name for v in storage.volumes(details=True, limit=2)
                 if v.name.startswith('sdk-')]
        assert sorted(names) == ['sdk-%d' % i for i in range(5)]

        volume = storage.find_volume('sdk-0')
        storage.set_volume_metadata(volume, purpose='test')
        assert storage.get_volume(volume).metadata == {'purpose': 'test'}
        storage.extend_volume(volume, 3)
        _wait(cloud, 'volume', volume.id)
        assert storage.get_volume(volume).size == 3

        snapshot = storage.create_snapshot(volume_id=volume.id,
                                           name='sdk-snap')
        storage.wait_for_status(snapshot, 'available', wait=60)
        assert 'sdk-snap' in [s.name for s in storage.snapshots()]
        storage.delete_snapshot(snapshot)
        storage.wait_for_delete(snapshot, wait=60)

        for volume in created:
            storage.delete_volume(volume)
        for volume in created:
            storage.wait_for_delete(volume, wait=60)
    finally:
        conn.close()


def test_openstack_cli_lifecycle(cloud):
    def openstack(*args):
        return cloud.run_cli('openstack', *args).stdout

    volume = cloud.run_json('openstack', 'volume', 'create', '--size', '1',
                            '--property', 'a=b', 'osc-v1')
    _wait(cloud, 'volume', volume['id'])
    shown = cloud.run_json('openstack', 'volume', 'show', 'osc-v1')
    assert shown['size'] == 1
    listed = cloud.run_json('openstack', 'volume', 'list', '--name',
                            'osc-v1')
    assert [row['ID'] for row in listed] == [volume['id']]

    openstack('volume', 'set', '--property', 'c=d', 'osc-v1')
    openstack('volume', 'unset', '--property', 'a', 'osc-v1')
    assert cloud.get('/v3/volumes/%s' % volume['id'])['volume'][
        'metadata'] == {'c': 'd'}
    openstack('volume', 'set', '--size', '2', 'osc-v1')
    assert _wait(cloud, 'volume', volume['id'])['size'] == 2

    snapshot = cloud.run_json('openstack', 'volume', 'snapshot', 'create',
                              '--volume', 'osc-v1', 'osc-s1')
    _wait(cloud, 'snapshot', snapshot['id'])
    listed = cloud.run_json('openstack', 'volume', 'snapshot', 'list')
    assert snapshot['id'] in [row['ID'] for row in listed]
    copy = cloud.run_json('openstack', 'volume', 'create', '--snapshot',
                          'osc-s1', 'osc-v2')
    clone = cloud.run_json('openstack', 'volume', 'create', '--source',
                           'osc-v1', 'osc-v3')
    _wait(cloud, 'volume', copy['id'])
    _wait(cloud, 'volume', clone['id'])

    new_type = _type(cloud, 'osc-retype')
    openstack('volume', 'set', '--type', new_type, '--retype-policy',
              'on-demand', 'osc-v3')
    deadline = time.monotonic() + 60
    while cloud.get('/v3/volumes/%s' % clone['id'])['volume'][
            'volume_type'] != new_type:
        assert time.monotonic() < deadline, 'retype did not finish'
        time.sleep(0.2)

    openstack('volume', 'snapshot', 'delete', 'osc-s1')
    _wait_gone(cloud, 'snapshot', snapshot['id'])
    openstack('volume', 'delete', 'osc-v1', 'osc-v2', 'osc-v3')
    for doomed in (volume['id'], copy['id'], clone['id']):
        _wait_gone(cloud, 'volume', doomed)
