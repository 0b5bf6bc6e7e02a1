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
"""POST /volumes/{id}/action (api-surface.md 3.5 and 3.6)."""

import os

import pytest

from tests.unit.conftest import version
from tests.unit.test_volumes import action
from tests.unit.test_volumes import create_snapshot
from tests.unit.test_volumes import create_volume
from tests.unit.test_volumes import GiB
from tests.unit.test_volumes import idle
from tests.unit.test_volumes import read_at
from tests.unit.test_volumes import show
from tests.unit.test_volumes import stop_volume_service
from tests.unit.test_volumes import usage
from tests.unit.test_volumes import volume_file
from tests.unit.test_volumes import write_at

SERVER = '11111111-1111-1111-1111-111111111111'
CONNECTOR = {'host': 'compute1', 'initiator': 'iqn.1993-08.org.debian:01:1'}


@pytest.fixture(autouse=True)
def _stop_volume_service(conf):
    yield
    stop_volume_service()


@pytest.fixture
def versions():
    """Microversions above the announced maximum are served."""


@pytest.fixture
def volume(v3, conf):
    return create_volume(v3, conf)


def ok(response, status=202):
    assert response.status_int == status, response.text
    return response


def attach(v3, volume_id, persona='admin', **body):
    body.setdefault('instance_uuid', SERVER)
    body.setdefault('mountpoint', '/dev/vdb')
    return action(v3, volume_id, {'os-attach': body}, persona=persona)


def reset(v3, volume_id, **body):
    ok(action(v3, volume_id, {'os-reset_status': body}))


# The action body


def test_unknown_action_is_400(v3, volume):
    response = action(v3, volume['id'], {'os-frobnicate': {}})
    assert response.status_int == 400
    assert response.json['badRequest']['message'] == (
        'Invalid input received: There is no such action: os-frobnicate. '
        'Verify the request body and Content-Type header and try again.')


@pytest.mark.parametrize('body', [
    {'os-reserve': None, 'os-unreserve': None}, {}, [], 'os-reserve'])
def test_action_body_must_hold_one_key(v3, volume, body):
    response = action(v3, volume['id'], body)
    assert response.status_int == 400
    assert show(v3, volume['id'])['status'] == 'available'


def test_action_on_unknown_volume_is_404(v3):
    response = action(v3, '00000000-0000-0000-0000-000000000000',
                      {'os-reserve': None})
    assert response.status_int == 404


@pytest.mark.parametrize('body', [
    {'os-extend': {'new_size': 2}}, {'os-reserve': None},
    {'os-unreserve': {}}, {'os-set_bootable': {'bootable': True}},
    {'os-update_readonly_flag': {'readonly': True}},
    {'os-attach': {'instance_uuid': SERVER, 'mountpoint': '/dev/vdb'}},
    {'os-detach': None}, {'os-begin_detaching': None},
    {'os-roll_detaching': None},
    {'os-initialize_connection': {'connector': CONNECTOR}},
    {'os-terminate_connection': {'connector': CONNECTOR}},
    {'os-retype': {'new_type': '__DEFAULT__'}},
    {'os-reset_status': {'status': 'error'}}, {'os-force_delete': None}])
def test_action_on_other_projects_volume_is_404(v3, conf, volume, body):
    response = action(v3, volume['id'], body, persona='other_member')
    assert response.status_int == 404, response.text
    idle(conf)
    shown = show(v3, volume['id'])
    assert (shown['status'], shown['size'], shown['bootable']) == (
        'available', 1, 'false')
    assert shown['metadata'] == {}


def test_reader_cannot_act(v3, volume):
    for body in ({'os-extend': {'new_size': 2}}, {'os-reserve': None},
                 {'os-set_bootable': {'bootable': True}}):
        assert action(v3, volume['id'], body,
                      persona='reader').status_int == 403
    assert show(v3, volume['id'])['status'] == 'available'


def test_actions_need_a_json_body(v3, volume):
    response = v3('POST', '/volumes/%s/action' % volume['id'],
                  headers={'Content-Type': 'text/plain'})
    assert response.status_int in (400, 415)


# os-extend


def test_extend_grows_the_file(v3, conf, volume):
    path = volume_file(conf, volume['id'])
    write_at(path, 100, b'keep me')
    ok(action(v3, volume['id'], {'os-extend': {'new_size': '3'}},
              persona='member'))
    idle(conf)
    shown = show(v3, volume['id'])
    assert (shown['status'], shown['size']) == ('available', 3)
    assert os.path.getsize(path) == 3 * GiB
    assert read_at(path, 100, 7) == b'keep me'


@pytest.mark.parametrize('new_size', [1, 0, -1, 'two', None])
def test_extend_must_grow(v3, conf, volume, new_size):
    response = action(v3, volume['id'], {'os-extend': {
        'new_size': new_size}})
    assert response.status_int == 400
    idle(conf)
    assert show(v3, volume['id'])['size'] == 1
    assert os.path.getsize(volume_file(conf, volume['id'])) == GiB


def test_extend_same_size_message(v3, volume):
    response = action(v3, volume['id'], {'os-extend': {'new_size': 1}})
    assert response.json['badRequest']['message'] == (
        'Invalid input received: New size for extend must be greater than '
        'current size. (current: 1, extended: 1).')


def test_extend_in_use_from_3_42(v3, conf, volume, versions):
    ok(attach(v3, volume['id']))
    response = action(v3, volume['id'], {'os-extend': {'new_size': 2}},
                      headers=version('3.41'))
    assert response.status_int == 400
    ok(action(v3, volume['id'], {'os-extend': {'new_size': 2}},
              persona='member', headers=version('3.42')))
    idle(conf)
    shown = show(v3, volume['id'])
    assert (shown['status'], shown['size']) == ('in-use', 2)
    assert os.path.getsize(volume_file(conf, volume['id'])) == 2 * GiB


def test_extend_needs_available(v3, conf, volume):
    reset(v3, volume['id'], status='error')
    response = action(v3, volume['id'], {'os-extend': {'new_size': 2}})
    assert response.status_int == 400
    assert usage(v3)['gigabytes'] == (1, 0)


# os-reset_status


def test_reset_status(v3, volume):
    reset(v3, volume['id'], status='error', attach_status='detached',
          migration_status='none')
    shown = show(v3, volume['id'])
    assert shown['status'] == 'error'
    assert shown['migration_status'] is None
    reset(v3, volume['id'], status='available')
    assert show(v3, volume['id'])['status'] == 'available'


@pytest.mark.parametrize('persona', ['member', 'reader'])
def test_reset_status_is_admin_only(v3, volume, persona):
    response = action(v3, volume['id'], {'os-reset_status': {
        'status': 'error'}}, persona=persona)
    assert response.status_int == 403
    assert show(v3, volume['id'])['status'] == 'available'


@pytest.mark.parametrize('body', [
    {'status': 'bogus'}, {'attach_status': 'bogus'},
    {'migration_status': 'bogus'}, {}, {'status': 'error', 'size': 3},
    {'status': 1}])
def test_reset_status_bad_values_are_400(v3, volume, body):
    response = action(v3, volume['id'], {'os-reset_status': body})
    assert response.status_int == 400
    assert show(v3, volume['id'])['status'] == 'available'


def test_reset_to_detached_drops_the_attachments(v3, conf, volume):
    """The way out of a detach that went wrong: the volume can be deleted
    afterwards."""
    ok(attach(v3, volume['id']))
    reset(v3, volume['id'], status='available', attach_status='detached')
    shown = show(v3, volume['id'])
    assert (shown['status'], shown['attachments']) == ('available', [])
    assert shown['metadata'] == {}
    ok(v3('DELETE', '/volumes/%s' % volume['id']))
    idle(conf)
    assert v3('GET', '/volumes/%s' % volume['id']).status_int == 404


def test_reset_to_in_use_needs_an_attachment(v3, volume):
    response = action(v3, volume['id'], {'os-reset_status': {
        'status': 'in-use'}})
    assert response.status_int == 400


# os-force_delete


def test_force_delete(v3, conf, volume):
    reset(v3, volume['id'], status='maintenance')
    assert v3('DELETE', '/volumes/%s' % volume['id']).status_int == 400
    response = action(v3, volume['id'], {'os-force_delete': None},
                      persona='member')
    assert response.status_int == 403
    ok(action(v3, volume['id'], {'os-force_delete': {}}))
    idle(conf)
    assert v3('GET', '/volumes/%s' % volume['id']).status_int == 404
    assert not os.path.exists(volume_file(conf, volume['id']))
    assert usage(v3)['volumes'] == (0, 0)


def test_force_delete_refuses_attached(v3, conf, volume):
    ok(attach(v3, volume['id']))
    response = action(v3, volume['id'], {'os-force_delete': None})
    assert response.status_int == 400
    assert show(v3, volume['id'])['status'] == 'in-use'


# os-set_bootable, os-update_readonly_flag


@pytest.mark.parametrize('value,shown', [
    (True, 'true'), ('yes', 'true'), ('1', 'true'), (False, 'false'),
    ('off', 'false')])
def test_set_bootable(v3, volume, value, shown):
    if shown == 'false':
        ok(action(v3, volume['id'], {'os-set_bootable': {'bootable': True}}),
           200)
    response = ok(action(v3, volume['id'], {'os-set_bootable': {
        'bootable': value}}, persona='member'), 200)
    assert response.body == b''
    assert show(v3, volume['id'])['bootable'] == shown


@pytest.mark.parametrize('body', [{}, {'bootable': 'maybe'}, None])
def test_set_bootable_bad_body_is_400(v3, volume, body):
    response = action(v3, volume['id'], {'os-set_bootable': body})
    assert response.status_int == 400


def test_update_readonly_flag(v3, volume):
    ok(action(v3, volume['id'], {'os-update_readonly_flag': {
        'readonly': True}}, persona='member'))
    assert show(v3, volume['id'])['metadata'] == {'readonly': 'True'}
    # A read-only volume attaches read-only only.
    assert attach(v3, volume['id'], mode='rw').status_int == 400
    ok(attach(v3, volume['id'], mode='ro'))
    assert show(v3, volume['id'])['metadata'] == {
        'readonly': 'True', 'attached_mode': 'ro'}
    # Only available volumes change the flag.
    response = action(v3, volume['id'], {'os-update_readonly_flag': {
        'readonly': False}})
    assert response.status_int == 400


def test_readonly_flag_is_not_user_metadata(v3, volume):
    ok(action(v3, volume['id'], {'os-update_readonly_flag': {
        'readonly': 'false'}}))
    path = '/volumes/%s/metadata' % volume['id']
    assert v3('GET', path).json == {'metadata': {}}
    assert show(v3, volume['id'])['metadata'] == {'readonly': 'False'}


# Attach bookkeeping


def test_reserve_and_unreserve(v3, volume):
    ok(action(v3, volume['id'], {'os-reserve': None}, persona='member'))
    assert show(v3, volume['id'])['status'] == 'attaching'
    assert action(v3, volume['id'], {'os-reserve': {}}).status_int == 400
    ok(action(v3, volume['id'], {'os-unreserve': None}))
    assert show(v3, volume['id'])['status'] == 'available'
    # Unreserving what is not reserved changes nothing.
    ok(action(v3, volume['id'], {'os-unreserve': None}))
    assert show(v3, volume['id'])['status'] == 'available'


def test_attach_and_detach(v3, volume):
    ok(action(v3, volume['id'], {'os-reserve': None}))
    ok(attach(v3, volume['id'], persona='member', mode='rw'))
    shown = show(v3, volume['id'])
    assert shown['status'] == 'in-use'
    (attachment,) = shown['attachments']
    assert attachment['server_id'] == SERVER
    assert attachment['device'] == '/dev/vdb'
    assert attachment['volume_id'] == attachment['id'] == volume['id']
    assert attachment['attachment_id']
    assert attachment['attached_at']
    assert attachment['host_name'] is None
    assert shown['metadata'] == {'attached_mode': 'rw'}
    member_view = show(v3, volume['id'], persona='member')
    assert member_view['attachments'][0]['host_name'] is None
    # Not multiattach: a second attach is refused.
    assert attach(v3, volume['id']).status_int == 400
    ok(action(v3, volume['id'], {'os-detach': {
        'attachment_id': attachment['attachment_id']}}, persona='member'))
    shown = show(v3, volume['id'])
    assert (shown['status'], shown['attachments']) == ('available', [])
    assert shown['metadata'] == {}


def test_attach_to_a_host(v3, volume):
    ok(attach(v3, volume['id'], instance_uuid=None, host_name='node1'))
    (attachment,) = show(v3, volume['id'])['attachments']
    assert attachment['host_name'] == 'node1'
    assert attachment['server_id'] is None


@pytest.mark.parametrize('body', [
    {'instance_uuid': SERVER}, {'mountpoint': '/dev/vdb'},
    {'instance_uuid': 'not-a-uuid', 'mountpoint': '/dev/vdb'},
    {'instance_uuid': SERVER, 'mountpoint': '/dev/vdb', 'mode': 'rx'}])
def test_attach_bad_body_is_400(v3, volume, body):
    response = action(v3, volume['id'], {'os-attach': body})
    assert response.status_int == 400
    assert show(v3, volume['id'])['status'] == 'available'


def test_detach_without_attachment_id(v3, volume):
    ok(attach(v3, volume['id']))
    ok(action(v3, volume['id'], {'os-detach': None}))
    assert show(v3, volume['id'])['status'] == 'available'


def test_detach_unknown_attachment_is_404(v3, volume):
    ok(attach(v3, volume['id']))
    response = action(v3, volume['id'], {'os-detach': {
        'attachment_id': '22222222-2222-2222-2222-222222222222'}})
    assert response.status_int == 404
    assert show(v3, volume['id'])['status'] == 'in-use'


def test_begin_and_roll_detaching(v3, volume):
    assert action(v3, volume['id'], {
        'os-begin_detaching': None}).status_int == 400
    ok(attach(v3, volume['id']))
    ok(action(v3, volume['id'], {'os-begin_detaching': None},
              persona='member'))
    assert show(v3, volume['id'])['status'] == 'detaching'
    ok(action(v3, volume['id'], {'os-roll_detaching': None},
              persona='member'))
    assert show(v3, volume['id'])['status'] == 'in-use'
    # Rolling back when not detaching changes nothing.
    ok(action(v3, volume['id'], {'os-roll_detaching': None}))
    assert show(v3, volume['id'])['status'] == 'in-use'
    ok(action(v3, volume['id'], {'os-begin_detaching': None}))
    ok(action(v3, volume['id'], {'os-detach': None}))
    assert show(v3, volume['id'])['status'] == 'available'


def test_multiattach_type_attaches_twice(v3, conf):
    response = v3('POST', '/types', body={'volume_type': {
        'name': 'shared', 'extra_specs': {'multiattach': '<is> True'}}})
    assert response.status_int == 200
    volume = create_volume(v3, conf, volume_type='shared')
    assert volume['multiattach'] is True
    ok(attach(v3, volume['id']))
    ok(action(v3, volume['id'], {'os-reserve': None}))
    ok(attach(v3, volume['id'],
              instance_uuid='33333333-3333-3333-3333-333333333333'))
    shown = show(v3, volume['id'])
    assert len(shown['attachments']) == 2
    # Two attachments: which one to detach must be said.
    assert action(v3, volume['id'], {'os-detach': None}).status_int == 400
    ok(action(v3, volume['id'], {'os-detach': {
        'attachment_id': shown['attachments'][0]['attachment_id']}}))
    shown = show(v3, volume['id'])
    assert shown['status'] == 'in-use'
    assert len(shown['attachments']) == 1


# Connections


def test_initialize_connection(v3, conf, volume):
    response = ok(action(v3, volume['id'], {'os-initialize_connection': {
        'connector': CONNECTOR}}, persona='member'), 200)
    info = response.json['connection_info']
    assert info['driver_volume_type'] == 'local'
    assert info['data']['device_path'] == volume_file(conf, volume['id'])
    assert os.path.exists(info['data']['device_path'])
    assert info['enforce_multipath'] is False


def test_initialize_connection_needs_a_connector(v3, volume):
    response = action(v3, volume['id'], {'os-initialize_connection': {}})
    assert response.status_int == 400


def test_initialize_connection_of_unplaced_volume_is_400(v3, conf):
    conf.set_override('quota_gigabytes', -1)
    volume = create_volume(v3, conf, size=10 ** 9)
    response = action(v3, volume['id'], {'os-initialize_connection': {
        'connector': CONNECTOR}})
    assert response.status_int == 400


def test_terminate_connection(v3, volume):
    response = ok(action(v3, volume['id'], {'os-terminate_connection': {
        'connector': CONNECTOR}}, persona='member'))
    assert response.body == b''
    assert show(v3, volume['id'])['status'] == 'available'


def test_terminate_connection_unreserves(v3, volume):
    ok(action(v3, volume['id'], {'os-reserve': None}))
    ok(action(v3, volume['id'], {'os-initialize_connection': {
        'connector': CONNECTOR}}), 200)
    ok(action(v3, volume['id'], {'os-terminate_connection': {
        'connector': CONNECTOR}}))
    assert show(v3, volume['id'])['status'] == 'available'


def test_terminate_connection_keeps_an_attached_volume_in_use(v3, volume):
    ok(attach(v3, volume['id']))
    ok(action(v3, volume['id'], {'os-terminate_connection': {
        'connector': CONNECTOR}}))
    shown = show(v3, volume['id'])
    assert shown['status'] == 'in-use'
    assert len(shown['attachments']) == 1


# os-retype


@pytest.fixture
def gold(v3):
    response = v3('POST', '/types', body={'volume_type': {'name': 'gold'}})
    assert response.status_int == 200, response.text
    return response.json['volume_type']


@pytest.mark.parametrize('by', ['name', 'id'])
def test_retype_on_the_same_backend(v3, conf, volume, gold, by):
    path = volume_file(conf, volume['id'])
    write_at(path, 0, b'data')
    ok(action(v3, volume['id'], {'os-retype': {
        'new_type': gold[by], 'migration_policy': 'never'}},
        persona='member'))
    idle(conf)
    shown = show(v3, volume['id'])
    assert (shown['status'], shown['volume_type']) == ('available', 'gold')
    assert read_at(path, 0, 4) == b'data'
    used = usage(v3)
    assert used['volumes___DEFAULT__'] == (0, 0)
    assert used['gigabytes___DEFAULT__'] == (0, 0)
    assert used['volumes_gold'] == (1, 0)
    assert used['gigabytes_gold'] == (1, 0)
    assert used['volumes'] == (1, 0)
    assert used['gigabytes'] == (1, 0)


def test_retype_then_delete_frees_the_new_types_quota(v3, conf, volume,
                                                      gold):
    ok(action(v3, volume['id'], {'os-retype': {'new_type': 'gold'}}))
    idle(conf)
    assert v3('DELETE', '/volumes/%s' % volume['id']).status_int == 202
    idle(conf)
    used = usage(v3)
    for key in ('volumes_gold', 'gigabytes_gold', 'volumes___DEFAULT__',
                'volumes'):
        assert used[key] == (0, 0), key


def test_retype_to_the_same_type_is_400(v3, volume):
    response = action(v3, volume['id'], {'os-retype': {
        'new_type': '__DEFAULT__'}})
    assert response.status_int == 400


def test_retype_to_unknown_type_is_404(v3, volume):
    response = action(v3, volume['id'], {'os-retype': {
        'new_type': 'nothing'}})
    assert response.status_int == 404


def test_retype_over_the_new_types_quota_is_413(v3, conf, volume, gold):
    response = v3('PUT', '/os-quota-sets/%s' % volume[
        'os-vol-tenant-attr:tenant_id'], body={'quota_set': {
            'volumes_gold': 0}})
    assert response.status_int == 200
    response = action(v3, volume['id'], {'os-retype': {'new_type': 'gold'}})
    assert response.status_int == 413
    idle(conf)
    assert show(v3, volume['id'])['volume_type'] == '__DEFAULT__'
    assert usage(v3)['volumes___DEFAULT__'] == (1, 0)


# revert (3.40)


def test_revert_to_the_latest_snapshot(v3, conf, volume, versions):
    path = volume_file(conf, volume['id'])
    write_at(path, 4096, b'original')
    snap = create_snapshot(v3, conf, volume['id'])
    write_at(path, 4096, b'changed!')
    write_at(path, GiB - 3, b'end')
    ok(action(v3, volume['id'], {'revert': {'snapshot_id': snap['id']}},
              persona='member', headers=version('3.40')))
    idle(conf)
    assert show(v3, volume['id'])['status'] == 'available'
    snap_view = v3('GET', '/snapshots/%s' % snap['id']).json['snapshot']
    assert snap_view['status'] == 'available'
    assert read_at(path, 4096, 8) == b'original'
    assert read_at(path, GiB - 3, 3) == b'\0\0\0'
    assert os.path.getsize(path) == GiB


def test_revert_is_an_action_from_3_40(v3, conf, volume, versions):
    snap = create_snapshot(v3, conf, volume['id'])
    response = action(v3, volume['id'], {'revert': {
        'snapshot_id': snap['id']}}, headers=version('3.39'))
    assert response.status_int == 400
    assert 'There is no such action: revert' in (
        response.json['badRequest']['message'])


def test_revert_to_an_older_snapshot_is_400(v3, conf, volume, versions):
    path = volume_file(conf, volume['id'])
    write_at(path, 0, b'one')
    older = create_snapshot(v3, conf, volume['id'])
    write_at(path, 0, b'two')
    create_snapshot(v3, conf, volume['id'])
    response = action(v3, volume['id'], {'revert': {
        'snapshot_id': older['id']}}, headers=version('3.40'))
    assert response.status_int == 400
    idle(conf)
    assert read_at(path, 0, 3) == b'two'
    assert show(v3, volume['id'])['status'] == 'available'


def test_revert_to_another_volumes_snapshot_is_400(v3, conf, volume,
                                                   versions):
    other = create_volume(v3, conf)
    snap = create_snapshot(v3, conf, other['id'])
    response = action(v3, volume['id'], {'revert': {
        'snapshot_id': snap['id']}}, headers=version('3.40'))
    assert response.status_int == 400


def test_revert_after_extend_is_400(v3, conf, volume, versions):
    snap = create_snapshot(v3, conf, volume['id'])
    ok(action(v3, volume['id'], {'os-extend': {'new_size': 2}}))
    idle(conf)
    response = action(v3, volume['id'], {'revert': {
        'snapshot_id': snap['id']}}, headers=version('3.40'))
    assert response.status_int == 400


def test_revert_of_in_use_volume_is_409(v3, conf, volume, versions):
    snap = create_snapshot(v3, conf, volume['id'])
    ok(attach(v3, volume['id']))
    response = action(v3, volume['id'], {'revert': {
        'snapshot_id': snap['id']}}, headers=version('3.40'))
    assert response.status_int == 409
    assert show(v3, volume['id'])['status'] == 'in-use'


def test_revert_to_unknown_snapshot_is_404(v3, volume, versions):
    response = action(v3, volume['id'], {'revert': {
        'snapshot_id': '00000000-0000-0000-0000-000000000000'}},
        headers=version('3.40'))
    assert response.status_int == 404


# os-extend_volume_completion (3.71)


def test_extend_volume_completion_is_admin_only(v3, volume, versions):
    response = action(v3, volume['id'], {'os-extend_volume_completion': {
        'error': False}}, persona='member', headers=version('3.71'))
    assert response.status_int == 403
    response = action(v3, volume['id'], {'os-extend_volume_completion': {
        'error': False}}, headers=version('3.70'))
    assert response.status_int == 400


def test_work_on_an_unplaced_volume_is_400(v3, conf, gold):
    """Reset to available after no backend could hold it: nothing to
    extend or retype, and nothing is left waiting for a service."""
    conf.set_override('quota_gigabytes', -1)
    volume = create_volume(v3, conf, size=10 ** 9)
    reset(v3, volume['id'], status='available')
    for body in ({'os-extend': {'new_size': 10 ** 9 + 1}},
                 {'os-retype': {'new_type': 'gold'}}):
        assert action(v3, volume['id'], body).status_int == 400
    idle(conf)
    shown = show(v3, volume['id'])
    assert (shown['status'], shown['volume_type']) == ('available',
                                                       '__DEFAULT__')
    used = usage(v3)
    assert used['gigabytes'] == (10 ** 9, 0)
    assert used['volumes_gold'] == (0, 0)
    assert v3('DELETE', '/volumes/%s' % volume['id']).status_int == 202
