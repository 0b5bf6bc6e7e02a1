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
"""Snapshots: create, views, listing, update, delete, metadata, actions
and quota (api-surface.md 3.8)."""

import os

import pytest

from cinder.db import migration
from tests.unit.conftest import OTHER_PROJECT
from tests.unit.conftest import PROJECT
from tests.unit.conftest import version
from tests.unit.test_volumes import action
from tests.unit.test_volumes import create_snapshot
from tests.unit.test_volumes import create_volume
from tests.unit.test_volumes import GiB
from tests.unit.test_volumes import idle
from tests.unit.test_volumes import ids
from tests.unit.test_volumes import listed
from tests.unit.test_volumes import read_at
from tests.unit.test_volumes import show
from tests.unit.test_volumes import snapshot_file
from tests.unit.test_volumes import stop_volume_service
from tests.unit.test_volumes import usage
from tests.unit.test_volumes import volume_file
from tests.unit.test_volumes import write_at

SERVER = '11111111-1111-1111-1111-111111111111'
BASE_KEYS = {'id', 'created_at', 'updated_at', 'name', 'description',
             'volume_id', 'status', 'size', 'metadata'}
EXTENDED_KEYS = {'os-extended-snapshot-attributes:project_id',
                 'os-extended-snapshot-attributes:progress'}


@pytest.fixture(autouse=True)
def _stop_volume_service(conf):
    yield
    stop_volume_service()


@pytest.fixture
def api(database, request):
    """v3 on each database backend (see test_volumes.api)."""
    migration.db_sync()
    yield request.getfixturevalue('v3')
    stop_volume_service()


@pytest.fixture
def versions():
    """Microversions above the announced maximum are served."""


@pytest.fixture
def volume(v3, conf):
    return create_volume(v3, conf)


def show_snapshot(v3, snapshot_id, persona='admin', headers=None):
    response = v3('GET', '/snapshots/%s' % snapshot_id, persona=persona,
                  headers=headers)
    assert response.status_int == 200, response.text
    return response.json['snapshot']


def snapshot_action(v3, snapshot_id, body, persona='admin'):
    return v3('POST', '/snapshots/%s/action' % snapshot_id, persona=persona,
              body=body)


def attach(v3, volume_id):
    response = action(v3, volume_id, {'os-attach': {
        'instance_uuid': SERVER, 'mountpoint': '/dev/vdb'}})
    assert response.status_int == 202, response.text


# Create


def test_create_is_202_creating_then_available(v3, conf, volume):
    write_at(volume_file(conf, volume['id']), 512, b'at snapshot time')
    response = v3('POST', '/snapshots', persona='member', body={'snapshot': {
        'volume_id': volume['id'], 'name': ' s1 ', 'description': 'd',
        'metadata': {'k': 'v'}}})
    assert response.status_int == 202
    snap = response.json['snapshot']
    assert snap['status'] == 'creating'
    assert (snap['name'], snap['description']) == ('s1', 'd')
    assert snap['volume_id'] == volume['id']
    assert snap['size'] == 1
    assert snap['metadata'] == {'k': 'v'}
    idle(conf)
    shown = show_snapshot(v3, snap['id'], persona='member')
    assert shown['status'] == 'available'
    assert shown['os-extended-snapshot-attributes:progress'] == '100%'
    assert shown['os-extended-snapshot-attributes:project_id'] == PROJECT
    path = snapshot_file(conf, snap['id'])
    assert os.path.getsize(path) == GiB
    assert read_at(path, 512, 16) == b'at snapshot time'
    # The volume stays available.
    assert show(v3, volume['id'])['status'] == 'available'


def test_display_name_spelling(v3, conf, volume):
    snap = create_snapshot(v3, conf, volume['id'], display_name='dn',
                           display_description='dd')
    assert (snap['name'], snap['description']) == ('dn', 'dd')


def test_create_needs_a_volume(v3):
    response = v3('POST', '/snapshots', body={'snapshot': {
        'volume_id': '00000000-0000-0000-0000-000000000000'}})
    assert response.status_int == 404
    for body in ({}, {'name': 'x'}, {'volume_id': 'not-a-uuid'}):
        response = v3('POST', '/snapshots', body={'snapshot': body})
        assert response.status_int == 400


def test_unknown_key_is_400(v3, volume):
    response = v3('POST', '/snapshots', body={'snapshot': {
        'volume_id': volume['id'], 'colour': 'blue'}})
    assert response.status_int == 400
    assert listed(v3, '/snapshots')['snapshots'] == []


def test_of_other_projects_volume_is_404(v3, volume):
    response = v3('POST', '/snapshots', persona='other_member',
                  body={'snapshot': {'volume_id': volume['id']}})
    assert response.status_int == 404
    assert listed(v3, '/snapshots')['snapshots'] == []


def test_reader_cannot_create(v3, volume):
    response = v3('POST', '/snapshots', persona='reader',
                  body={'snapshot': {'volume_id': volume['id']}})
    assert response.status_int == 403


@pytest.mark.parametrize('status', ['error', 'maintenance', 'creating'])
def test_volume_must_be_available(v3, volume, status):
    response = action(v3, volume['id'], {'os-reset_status': {
        'status': status}})
    assert response.status_int == 202
    response = v3('POST', '/snapshots', body={'snapshot': {
        'volume_id': volume['id'], 'force': True}})
    assert response.status_int == 400
    assert listed(v3, '/snapshots')['snapshots'] == []
    assert usage(v3)['snapshots'] == (0, 0)


def test_in_use_volume_needs_force_before_3_66(v3, conf, volume, versions):
    attach(v3, volume['id'])
    for force in (None, False, 'false'):
        body = {'volume_id': volume['id']}
        if force is not None:
            body['force'] = force
        response = v3('POST', '/snapshots', body={'snapshot': body},
                      headers=version('3.65'))
        assert response.status_int == 400
        assert response.json['badRequest']['message'] == (
            'Invalid volume: Volume %s status must be available, but current '
            'status is: in-use.' % volume['id'])
    snap = create_snapshot(v3, conf, volume['id'], force=True,
                           headers=version('3.65'))
    assert show_snapshot(v3, snap['id'])['status'] == 'available'
    assert show(v3, volume['id'])['status'] == 'in-use'


def test_in_use_volume_needs_no_force_from_3_66(v3, conf, volume,
                                                versions):
    attach(v3, volume['id'])
    snap = create_snapshot(v3, conf, volume['id'], headers=version('3.66'))
    assert show_snapshot(v3, snap['id'])['status'] == 'available'
    create_snapshot(v3, conf, volume['id'], force=True,
                    headers=version('3.66'))
    response = v3('POST', '/snapshots', headers=version('3.66'), body={
        'snapshot': {'volume_id': volume['id'], 'force': False}})
    assert response.status_int == 400
    assert len(listed(v3, '/snapshots')['snapshots']) == 2


def test_force_false_is_400_at_3_66_for_available_too(v3, volume, versions):
    response = v3('POST', '/snapshots', headers=version('3.66'), body={
        'snapshot': {'volume_id': volume['id'], 'force': False}})
    assert response.status_int == 400


def test_nulls_as_openstacksdk_sends_them(v3, conf, volume):
    response = v3('POST', '/snapshots', body={'snapshot': {
        'volume_id': volume['id'], 'name': None, 'description': None,
        'force': None, 'metadata': None}})
    assert response.status_int == 202, response.text
    assert response.json['snapshot']['metadata'] == {}


# Views


@pytest.mark.parametrize('persona,extended', [
    ('admin', True), ('member', True), ('reader', True)])
def test_detail_and_list_keys(v3, conf, volume, persona, extended):
    snap = create_snapshot(v3, conf, volume['id'])
    expected = BASE_KEYS | (EXTENDED_KEYS if extended else set())
    assert set(show_snapshot(v3, snap['id'], persona=persona)) == expected
    (item,) = listed(v3, '/snapshots/detail', persona=persona)['snapshots']
    assert set(item) == expected
    (item,) = listed(v3, '/snapshots', persona=persona)['snapshots']
    assert set(item) == BASE_KEYS


@pytest.mark.parametrize('key,since', [
    ('group_snapshot_id', '3.14'), ('user_id', '3.41'),
    ('consumes_quota', '3.65')])
def test_versioned_fields(v3, conf, volume, versions, key, since):
    snap = create_snapshot(v3, conf, volume['id'], persona='member')
    major, minor = since.split('.')
    before = '%s.%d' % (major, int(minor) - 1)
    assert key not in show_snapshot(v3, snap['id'], headers=version(before))
    shown = show_snapshot(v3, snap['id'], headers=version(since))
    assert key in shown
    (item,) = listed(v3, '/snapshots/detail',
                     headers=version(since))['snapshots']
    assert key in item
    # The list without details stays the base view.
    (item,) = listed(v3, '/snapshots', headers=version('3.71'))['snapshots']
    assert set(item) == BASE_KEYS


def test_versioned_values(v3, conf, volume, versions):
    snap = create_snapshot(v3, conf, volume['id'], persona='member')
    shown = show_snapshot(v3, snap['id'], headers=version('3.71'))
    assert shown['user_id'] == 'member'
    assert shown['consumes_quota'] is True
    assert shown['group_snapshot_id'] is None


def test_unknown_snapshot_is_404(v3):
    response = v3('GET', '/snapshots/00000000-0000-0000-0000-000000000000')
    assert response.status_int == 404
    assert response.json['itemNotFound']['message'] == (
        'Snapshot 00000000-0000-0000-0000-000000000000 could not be found.')


def test_other_project_sees_nothing(v3, conf, volume):
    snap = create_snapshot(v3, conf, volume['id'], metadata={'k': 'v'})
    path = '/snapshots/%s' % snap['id']
    for method, suffix, body in [
            ('GET', '', None),
            ('PUT', '', {'snapshot': {'name': 'x'}}),
            ('DELETE', '', None),
            ('GET', '/metadata', None),
            ('POST', '/metadata', {'metadata': {'a': 'b'}}),
            ('PUT', '/metadata', {'metadata': {'a': 'b'}}),
            ('GET', '/metadata/k', None),
            ('PUT', '/metadata/k', {'meta': {'k': 'w'}}),
            ('DELETE', '/metadata/k', None),
            ('POST', '/action', {'os-update_snapshot_status': {
                'status': 'error'}})]:
        response = v3(method, path + suffix, persona='other_member',
                      body=body)
        assert response.status_int == 404, (method, suffix)
    assert listed(v3, '/snapshots', persona='other_member',
                  all_tenants=1)['snapshots'] == []
    shown = show_snapshot(v3, snap['id'])
    assert (shown['status'], shown['metadata']) == ('available', {'k': 'v'})


def test_admin_all_tenants(v3, conf, volume):
    mine = create_snapshot(v3, conf, volume['id'])
    theirs_volume = create_volume(v3, conf, persona='other_member')
    theirs = create_snapshot(v3, conf, theirs_volume['id'],
                             persona='other_member')
    assert ids(listed(v3, '/snapshots'), 'snapshots') == [mine['id']]
    assert sorted(ids(listed(v3, '/snapshots', all_tenants=1),
                      'snapshots')) == sorted([mine['id'], theirs['id']])
    assert ids(listed(v3, '/snapshots', all_tenants=1,
                      project_id=OTHER_PROJECT), 'snapshots') == [theirs['id']]


# Listing


def test_filters(v3, conf, volume, versions):
    other = create_volume(v3, conf)
    a = create_snapshot(v3, conf, volume['id'], name='a',
                        metadata={'k': 'v'})
    b = create_snapshot(v3, conf, other['id'], name='b')
    assert ids(listed(v3, '/snapshots', persona='member',
                      volume_id=volume['id']), 'snapshots') == [a['id']]
    assert ids(listed(v3, '/snapshots', persona='member',
                      name='b'), 'snapshots') == [b['id']]
    assert len(listed(v3, '/snapshots', persona='member',
                      status='available')['snapshots']) == 2
    assert listed(v3, '/snapshots', persona='member',
                  status='error')['snapshots'] == []
    assert ids(listed(v3, '/snapshots', persona='member',
                      metadata="{'k': 'v'}", headers=version('3.22')),
               'snapshots') == [a['id']]
    # Before 3.22 metadata is no filter of a member's.
    assert len(listed(v3, '/snapshots', persona='member',
                      metadata="{'k': 'v'}")['snapshots']) == 2
    response = v3('GET', '/snapshots?colour=blue', persona='member',
                  headers=version('3.31'))
    assert response.status_int == 400


def test_paging(api, conf):
    conf.set_override('quota_snapshots', -1)
    volume = create_volume(api, conf)
    made = [create_snapshot(api, conf, volume['id'], wait=False,
                            name='s%02d' % n)
            for n in range(12)]
    idle(conf)
    seen, url = [], '/snapshots/detail?limit=5'
    while url:
        body = listed(api, url)
        assert len(body['snapshots']) <= 5
        seen.extend(ids(body, 'snapshots'))
        links = body.get('snapshots_links')
        url = None
        if links:
            href = links[0]['href']
            assert 'marker=%s' % seen[-1] in href
            assert '/snapshots/detail?' in href
            url = href[len('http://localhost/v3'):]
        assert len(seen) <= 12
    assert sorted(seen) == sorted(s['id'] for s in made)
    assert api('GET', '/snapshots?marker=nothing').status_int == 404
    assert api('GET', '/snapshots?limit=x').status_int == 400


def test_sort_by_name_from_3_30(v3, conf, volume, versions):
    for name in ('b', 'c', 'a'):
        create_snapshot(v3, conf, volume['id'], name=name, wait=False)
    idle(conf)
    body = listed(v3, '/snapshots', sort='name:asc', headers=version('3.30'))
    assert [s['name'] for s in body['snapshots']] == ['a', 'b', 'c']
    response = v3('GET', '/snapshots?sort=name:asc',
                  headers=version('3.29'))
    assert response.status_int == 400


def test_with_count(v3, conf, volume, versions):
    create_snapshot(v3, conf, volume['id'])
    create_snapshot(v3, conf, volume['id'])
    body = listed(v3, '/snapshots', with_count='true', limit=1,
                  headers=version('3.45'))
    assert body['count'] == 2
    assert len(body['snapshots']) == 1


# Update


def test_update(v3, conf, volume):
    snap = create_snapshot(v3, conf, volume['id'], name='old')
    response = v3('PUT', '/snapshots/%s' % snap['id'], persona='member',
                  body={'snapshot': {'name': 'new', 'description': 'd'}})
    assert response.status_int == 200
    updated = response.json['snapshot']
    assert (updated['name'], updated['description']) == ('new', 'd')
    assert EXTENDED_KEYS <= set(updated)
    response = v3('PUT', '/snapshots/%s' % snap['id'], body={
        'snapshot': {'display_description': 'dd'}})
    assert response.json['snapshot']['description'] == 'dd'
    assert response.json['snapshot']['name'] == 'new'


@pytest.mark.parametrize('body', [
    {'snapshot': {}}, {'snapshot': {'status': 'error'}},
    {'snapshot': {'name': 'x' * 256}}, {'name': 'x'}])
def test_bad_update_is_400(v3, conf, volume, body):
    snap = create_snapshot(v3, conf, volume['id'], name='old')
    response = v3('PUT', '/snapshots/%s' % snap['id'], body=body)
    assert response.status_int == 400
    shown = show_snapshot(v3, snap['id'])
    assert (shown['name'], shown['status']) == ('old', 'available')


def test_reader_cannot_update_or_delete(v3, conf, volume):
    snap = create_snapshot(v3, conf, volume['id'])
    path = '/snapshots/%s' % snap['id']
    assert v3('PUT', path, persona='reader', body={
        'snapshot': {'name': 'x'}}).status_int == 403
    assert v3('DELETE', path, persona='reader').status_int == 403


# Delete


def test_delete(v3, conf, volume):
    snap = create_snapshot(v3, conf, volume['id'])
    path = snapshot_file(conf, snap['id'])
    assert os.path.exists(path)
    response = v3('DELETE', '/snapshots/%s' % snap['id'], persona='member')
    assert (response.status_int, response.body) == (202, b'')
    idle(conf)
    assert v3('GET', '/snapshots/%s' % snap['id']).status_int == 404
    assert not os.path.exists(path)
    # The volume can go now.
    assert v3('DELETE', '/volumes/%s' % volume['id']).status_int == 202


def test_delete_needs_available_or_error(v3, conf, volume):
    snap = create_snapshot(v3, conf, volume['id'])
    response = snapshot_action(v3, snap['id'], {'os-reset_status': {
        'status': 'creating'}})
    assert response.status_int == 202
    response = v3('DELETE', '/snapshots/%s' % snap['id'])
    assert response.status_int == 400
    assert response.json['badRequest']['message'] == (
        'Invalid snapshot: Snapshot status must be available or error and '
        'must not be part of a group.')
    snapshot_action(v3, snap['id'], {'os-reset_status': {'status': 'error'}})
    assert v3('DELETE', '/snapshots/%s' % snap['id']).status_int == 202
    idle(conf)
    assert v3('GET', '/snapshots/%s' % snap['id']).status_int == 404


# Metadata


def test_metadata_verbs(v3, conf, volume):
    snap = create_snapshot(v3, conf, volume['id'], metadata={'a': '1'})
    path = '/snapshots/%s/metadata' % snap['id']
    assert v3('GET', path, persona='reader').json == {'metadata': {'a': '1'}}
    response = v3('POST', path, persona='member',
                  body={'metadata': {'b': '2'}})
    assert (response.status_int, response.json) == (
        200, {'metadata': {'a': '1', 'b': '2'}})
    response = v3('PUT', path, body={'metadata': {'c': '3'}})
    assert response.json == {'metadata': {'c': '3'}}
    assert v3('GET', path + '/c').json == {'meta': {'c': '3'}}
    assert v3('GET', path + '/a').status_int == 404
    response = v3('PUT', path + '/c', body={'meta': {'c': '4'}})
    assert (response.status_int, response.json) == (200, {'meta': {'c': '4'}})
    assert v3('PUT', path + '/c', body={
        'meta': {'d': '4'}}).status_int == 400
    response = v3('DELETE', path + '/c', persona='member')
    assert (response.status_int, response.body) == (200, b'')
    assert v3('DELETE', path + '/c').status_int == 404
    assert show_snapshot(v3, snap['id'])['metadata'] == {}


def test_reader_cannot_write_metadata(v3, conf, volume):
    snap = create_snapshot(v3, conf, volume['id'], metadata={'k': 'v'})
    path = '/snapshots/%s/metadata' % snap['id']
    for method, suffix, body in [('POST', '', {'metadata': {'a': 'b'}}),
                                 ('PUT', '', {'metadata': {'a': 'b'}}),
                                 ('PUT', '/k', {'meta': {'k': 'w'}}),
                                 ('DELETE', '/k', None)]:
        assert v3(method, path + suffix, persona='reader',
                  body=body).status_int == 403
    assert v3('GET', path).json == {'metadata': {'k': 'v'}}


# Actions


@pytest.mark.parametrize('persona', ['member', 'reader'])
def test_reset_status_is_admin_only(v3, conf, volume, persona):
    snap = create_snapshot(v3, conf, volume['id'])
    response = snapshot_action(v3, snap['id'], {'os-reset_status': {
        'status': 'error'}}, persona=persona)
    assert response.status_int == 403
    assert show_snapshot(v3, snap['id'])['status'] == 'available'


def test_reset_status(v3, conf, volume):
    snap = create_snapshot(v3, conf, volume['id'])
    response = snapshot_action(v3, snap['id'], {'os-reset_status': {
        'status': 'error'}})
    assert (response.status_int, response.body) == (202, b'')
    assert show_snapshot(v3, snap['id'])['status'] == 'error'
    for body in ({'status': 'bogus'}, {}, {'status': 'error', 'x': 1}):
        response = snapshot_action(v3, snap['id'], {'os-reset_status': body})
        assert response.status_int == 400


def test_force_delete(v3, conf, volume):
    snap = create_snapshot(v3, conf, volume['id'])
    snapshot_action(v3, snap['id'], {'os-reset_status': {
        'status': 'creating'}})
    assert snapshot_action(v3, snap['id'], {'os-force_delete': {}},
                           persona='member').status_int == 403
    response = snapshot_action(v3, snap['id'], {'os-force_delete': None})
    assert response.status_int == 202
    idle(conf)
    assert v3('GET', '/snapshots/%s' % snap['id']).status_int == 404
    assert not os.path.exists(snapshot_file(conf, snap['id']))
    assert usage(v3)['snapshots'] == (0, 0)
    assert usage(v3)['gigabytes'] == (1, 0)


def test_update_snapshot_status(v3, conf, volume):
    snap = create_snapshot(v3, conf, volume['id'])
    snapshot_action(v3, snap['id'], {'os-reset_status': {
        'status': 'creating'}})
    response = snapshot_action(v3, snap['id'], {'os-update_snapshot_status': {
        'status': 'available', 'progress': '90%'}}, persona='member')
    assert response.status_int == 202
    shown = show_snapshot(v3, snap['id'])
    assert shown['status'] == 'available'
    assert shown['os-extended-snapshot-attributes:progress'] == '90%'
    # Only from creating or deleting.
    response = snapshot_action(v3, snap['id'], {'os-update_snapshot_status': {
        'status': 'error'}})
    assert response.status_int == 400
    assert show_snapshot(v3, snap['id'])['status'] == 'available'


def test_unknown_snapshot_action_is_400(v3, conf, volume):
    snap = create_snapshot(v3, conf, volume['id'])
    response = snapshot_action(v3, snap['id'], {'os-unknown': {}})
    assert response.status_int == 400
    response = snapshot_action(v3, snap['id'], {
        'os-force_delete': {}, 'os-reset_status': {'status': 'error'}})
    assert response.status_int == 400
    assert show_snapshot(v3, snap['id'])['status'] == 'available'


# Quota


def test_usage_follows_create_and_delete(api, conf):
    volume = create_volume(api, conf, size=2)
    snap = create_snapshot(api, conf, volume['id'])
    used = usage(api)
    assert used['snapshots'] == (1, 0)
    assert used['snapshots___DEFAULT__'] == (1, 0)
    assert used['gigabytes'] == (4, 0)
    assert used['gigabytes___DEFAULT__'] == (4, 0)
    assert api('DELETE', '/snapshots/%s' % snap['id']).status_int == 202
    idle(conf)
    used = usage(api)
    assert used['snapshots'] == (0, 0)
    assert used['snapshots___DEFAULT__'] == (0, 0)
    assert used['gigabytes'] == (2, 0)


def test_snapshot_over_quota_is_413(api, conf):
    response = api('PUT', '/os-quota-sets/%s' % PROJECT,
                   body={'quota_set': {'snapshots': 1}})
    assert response.status_int == 200
    volume = create_volume(api, conf)
    create_snapshot(api, conf, volume['id'])
    response = api('POST', '/snapshots', body={'snapshot': {
        'volume_id': volume['id']}})
    assert response.status_int == 413
    assert response.json['overLimit']['message'] == (
        "SnapshotLimitExceeded: Maximum number of snapshots allowed (1) "
        "exceeded for quota 'snapshots'.")
    assert len(listed(api, '/snapshots')['snapshots']) == 1
    assert usage(api)['snapshots'] == (1, 0)


def test_snapshot_gigabytes_over_quota_is_413(api, conf):
    response = api('PUT', '/os-quota-sets/%s' % PROJECT,
                   body={'quota_set': {'gigabytes': 3}})
    assert response.status_int == 200
    volume = create_volume(api, conf, size=2)
    response = api('POST', '/snapshots', body={'snapshot': {
        'volume_id': volume['id']}})
    assert response.status_int == 413
    assert response.json['overLimit']['message'].startswith(
        'VolumeSizeExceedsAvailableQuota: ')
    assert usage(api)['gigabytes'] == (2, 0)


def test_snapshot_quota_stays_with_its_type_after_retype(v3, conf, volume):
    """A snapshot is counted against the type it was taken with; deleting
    it after its volume was retyped gives that type its usage back."""
    response = v3('POST', '/types', body={'volume_type': {'name': 'gold'}})
    assert response.status_int == 200
    snap = create_snapshot(v3, conf, volume['id'])
    assert action(v3, volume['id'], {'os-retype': {
        'new_type': 'gold'}}).status_int == 202
    idle(conf)
    assert show(v3, volume['id'])['volume_type'] == 'gold'
    assert v3('DELETE', '/snapshots/%s' % snap['id']).status_int == 202
    idle(conf)
    used = usage(v3)
    assert used['snapshots___DEFAULT__'] == (0, 0)
    assert used['snapshots_gold'] == (0, 0)
    assert used['gigabytes___DEFAULT__'] == (0, 0)
    assert used['gigabytes_gold'] == (1, 0)
    assert used['gigabytes'] == (1, 0)


def test_failed_snapshot_counts_until_deleted(v3, conf, volume):
    """Reset while creating: the snapshot counts until it is deleted, and
    usage never goes below zero."""
    snap = create_snapshot(v3, conf, volume['id'], wait=False)
    response = snapshot_action(v3, snap['id'], {'os-reset_status': {
        'status': 'error'}})
    assert response.status_int == 202
    idle(conf)
    assert v3('DELETE', '/snapshots/%s' % snap['id']).status_int == 202
    idle(conf)
    assert usage(v3)['snapshots'] == (0, 0)
    assert usage(v3)['gigabytes'] == (1, 0)


def test_admin_snapshot_of_another_projects_volume(v3, conf):
    """The snapshot is the admin's project's, and so is its usage, from
    creation to deletion (with the volume, by cascade)."""
    theirs = create_volume(v3, conf, persona='other_member')
    snap = create_snapshot(v3, conf, theirs['id'])
    shown = show_snapshot(v3, snap['id'])
    assert shown['os-extended-snapshot-attributes:project_id'] == PROJECT
    assert usage(v3)['snapshots'] == (1, 0)
    assert usage(v3, OTHER_PROJECT)['snapshots'] == (0, 0)
    response = v3('DELETE', '/volumes/%s?cascade=true' % theirs['id'])
    assert response.status_int == 202
    idle(conf)
    for project in (PROJECT, OTHER_PROJECT):
        used = usage(v3, project)
        for key in ('snapshots', 'gigabytes', 'volumes'):
            assert used[key] == (0, 0), (project, key)


def test_a_deadlock_is_retried_not_a_500(v3, conf, volume, monkeypatch):
    """MariaDB aborts one of two crossing transactions (1213); the request
    runs again, with its quota reserved once."""
    import pymysql
    import sqlalchemy.exc

    from cinder.objects import snapshot as snapshot_objects
    real_insert = snapshot_objects.insert
    attempts = []

    def insert_once_deadlocked(conn, *args, **kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            raise sqlalchemy.exc.OperationalError(
                'INSERT', {}, pymysql.err.OperationalError(
                    1213, 'Deadlock found when trying to get lock'))
        return real_insert(conn, *args, **kwargs)

    monkeypatch.setattr(snapshot_objects, 'insert', insert_once_deadlocked)
    before = usage(v3)['snapshots']
    snap = create_snapshot(v3, conf, volume['id'])
    assert len(attempts) == 2
    assert show_snapshot(v3, snap['id'])['status'] == 'available'
    assert usage(v3)['snapshots'] == (before[0] + 1, 0)
