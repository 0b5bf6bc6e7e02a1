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
"""Volumes: create, views, listing, update, delete, metadata and quota
(api-surface.md 3.1-3.5 and 3.7), run through the embedded volume service
and the local file driver."""

import json
import os
import re
import urllib.parse
import uuid

import pytest

from cinder.db import migration
from cinder.volume import embedded
from tests.unit import db_fixtures
from tests.unit.conftest import OTHER_PROJECT
from tests.unit.conftest import PROJECT
from tests.unit.conftest import version

GiB = 1 << 30


# Helpers shared with test_snapshots and test_volume_actions.


def idle(conf):
    """Wait for the embedded volume service to finish what it was given."""
    assert embedded.runtime(conf).wait_idle()


def driver(conf):
    (local,) = embedded.runtime(conf).manager.drivers.values()
    return local


def volume_file(conf, volume_id):
    return driver(conf).volume_path({'id': volume_id})


def snapshot_file(conf, snapshot_id):
    return os.path.join(driver(conf).volumes_dir, 'snapshot-' + snapshot_id)


def write_at(path, offset, data):
    with open(path, 'r+b') as f:
        f.seek(offset)
        f.write(data)


def read_at(path, offset, length):
    with open(path, 'rb') as f:
        f.seek(offset)
        return f.read(length)


def create_volume(v3, conf, persona='admin', headers=None, wait=True,
                  **fields):
    fields.setdefault('size', 1)
    response = v3('POST', '/volumes', persona=persona,
                  body={'volume': fields}, headers=headers)
    assert response.status_int == 202, response.text
    if wait:
        idle(conf)
    return response.json['volume']


def show(v3, volume_id, persona='admin', headers=None):
    response = v3('GET', '/volumes/%s' % volume_id, persona=persona,
                  headers=headers)
    assert response.status_int == 200, response.text
    return response.json['volume']


def action(v3, volume_id, body, persona='admin', headers=None):
    return v3('POST', '/volumes/%s/action' % volume_id, persona=persona,
              body=body, headers=headers)


def create_snapshot(v3, conf, volume_id, persona='admin', headers=None,
                    wait=True, **fields):
    fields['volume_id'] = volume_id
    response = v3('POST', '/snapshots', persona=persona,
                  body={'snapshot': fields}, headers=headers)
    assert response.status_int == 202, response.text
    if wait:
        idle(conf)
    return response.json['snapshot']


def usage(v3, project=PROJECT):
    """{resource: (in_use, reserved)} of the project's quota usage."""
    quota_set = v3('GET', '/os-quota-sets/%s?usage=True' % project,
                   persona='admin').json['quota_set']
    return {key: (value['in_use'], value['reserved'])
            for key, value in quota_set.items() if key != 'id'}


def listed(v3, path='/volumes/detail', persona='admin', headers=None,
           **params):
    query = '?' + urllib.parse.urlencode(params) if params else ''
    response = v3('GET', path + query, persona=persona, headers=headers)
    assert response.status_int == 200, response.text
    return response.json


def ids(body, key='volumes'):
    return [item['id'] for item in body[key]]


def volume_files(conf):
    return sorted(name for name in os.listdir(driver(conf).volumes_dir)
                  if name.startswith('volume-'))


@pytest.fixture
def gold(v3):
    response = v3('POST', '/types', body={'volume_type': {'name': 'gold'}})
    assert response.status_int == 200, response.text
    return response.json['volume_type']


def stop_volume_service():
    """embedded.stop() and wait for its periodic thread, which would
    otherwise go on heartbeating into the next test's database."""
    current = embedded._runtime.get('runtime')
    embedded.stop()
    if current is not None:
        current._loop.join(30)
        assert not current._loop.is_alive()


@pytest.fixture(autouse=True)
def _stop_volume_service(conf):
    yield
    stop_volume_service()


@pytest.fixture
def api(database, request):
    """v3 on each database backend: the schema is made and the app built
    once the database is configured, and the volume service stops before
    the database is dropped."""
    migration.db_sync()
    yield request.getfixturevalue('v3')
    stop_volume_service()


# Create


def test_create_is_202_creating_then_available(v3, conf):
    response = v3('POST', '/volumes', persona='member', body={'volume': {
        'size': 1, 'name': ' vol1 ', 'description': 'first',
        'metadata': {'k': 'v'}}})
    assert response.status_int == 202
    assert 'Location' not in response.headers
    volume = response.json['volume']
    assert volume['status'] == 'creating'
    assert volume['name'] == 'vol1'
    assert volume['description'] == 'first'
    assert volume['size'] == 1
    assert volume['metadata'] == {'k': 'v'}
    assert volume['availability_zone'] == 'nova'
    assert volume['volume_type'] == '__DEFAULT__'
    assert volume['user_id'] == 'member'
    assert volume['attachments'] == []
    idle(conf)
    shown = show(v3, volume['id'], persona='member')
    assert shown['status'] == 'available'
    assert os.path.getsize(volume_file(conf, volume['id'])) == GiB


def test_create_with_type_by_name_and_by_id(v3, conf, gold):
    by_name = create_volume(v3, conf, volume_type='gold')
    by_id = create_volume(v3, conf, volume_type=gold['id'])
    for volume in (by_name, by_id):
        shown = show(v3, volume['id'])
        assert shown['volume_type'] == 'gold'
        assert shown['status'] == 'available'


@pytest.fixture
def versions():
    """Microversions above the announced maximum are served."""


def test_volume_type_id_in_view(v3, conf, gold, versions):
    volume = create_volume(v3, conf, volume_type='gold')
    assert show(v3, volume['id'],
                headers=version('3.63'))['volume_type_id'] == gold['id']


def test_unknown_type_is_404_and_writes_nothing(v3, conf):
    response = v3('POST', '/volumes', body={'volume': {
        'size': 1, 'volume_type': 'nothing'}})
    assert response.status_int == 404
    assert response.json['itemNotFound']['message'] == (
        'Volume type with name nothing could not be found.')
    assert listed(v3)['volumes'] == []


def test_default_type_follows_the_option(v3, conf, gold):
    conf.set_override('default_volume_type', 'gold')
    volume = create_volume(v3, conf)
    assert volume['volume_type'] == 'gold'


@pytest.mark.parametrize('size', [0, -1, 'abc', '', '1.5', 1.5, None, True])
def test_bad_size_is_400_and_writes_nothing(v3, conf, size):
    before = usage(v3)
    response = v3('POST', '/volumes', body={'volume': {'size': size}})
    assert response.status_int == 400, response.text
    assert 'size' in response.json['badRequest']['message']
    assert listed(v3)['volumes'] == []
    assert usage(v3) == before
    idle(conf)
    assert volume_files(conf) == []


def test_size_as_a_digit_string(v3, conf):
    volume = create_volume(v3, conf, size='2')
    assert volume['size'] == 2
    assert os.path.getsize(volume_file(conf, volume['id'])) == 2 * GiB


def test_unknown_availability_zone_is_400(v3, conf):
    response = v3('POST', '/volumes', body={'volume': {
        'size': 1, 'availability_zone': 'mars'}})
    assert response.status_int == 400
    assert response.json['badRequest']['message'] == (
        "Availability zone 'mars' is invalid.")
    assert listed(v3)['volumes'] == []


def test_known_availability_zone(v3, conf):
    volume = create_volume(v3, conf, availability_zone='nova')
    assert show(v3, volume['id'])['availability_zone'] == 'nova'


@pytest.mark.parametrize('value', [True, 'true', 'yes'])
def test_multiattach_parameter_is_400(v3, value):
    response = v3('POST', '/volumes', body={'volume': {
        'size': 1, 'multiattach': value}})
    assert response.status_int == 400
    assert 'multiattach' in response.json['badRequest']['message']
    assert listed(v3)['volumes'] == []


def test_multiattach_false_is_accepted(v3, conf):
    volume = create_volume(v3, conf, multiattach=False)
    assert volume['multiattach'] is False


def test_nulls_as_openstacksdk_sends_them(v3, conf):
    response = v3('POST', '/volumes', headers=version('3.0'), body={
        'volume': {
            'size': 1, 'name': 'sdk', 'consistencygroup_id': None,
            'backup_id': None, 'description': None,
            'availability_zone': None, 'imageRef': None,
            'volume_type': None, 'snapshot_id': None, 'source_volid': None,
            'metadata': None}})
    assert response.status_int == 202, response.text
    volume = response.json['volume']
    assert volume['metadata'] == {}
    assert volume['volume_type'] == '__DEFAULT__'
    assert volume['availability_zone'] == 'nova'


def test_body_as_cinderclient_sends_it(v3, conf, versions):
    response = v3('POST', '/volumes', headers=version('3.71'), body={
        'volume': {
            'size': 1, 'consistencygroup_id': None, 'snapshot_id': None,
            'name': 'v1', 'description': None, 'volume_type': None,
            'availability_zone': None, 'metadata': {}, 'imageRef': None,
            'source_volid': None, 'backup_id': None},
        'OS-SCH-HNT:scheduler_hints': None})
    assert response.status_int == 202, response.text
    assert response.json['volume']['name'] == 'v1'


def test_unknown_top_level_key_is_400(v3):
    response = v3('POST', '/volumes', body={'volume': {'size': 1},
                                            'extra': {}})
    assert response.status_int == 400


@pytest.mark.parametrize('mv,status', [('3.52', 202), ('3.53', 400)])
def test_unknown_volume_key_strict_from_3_53(v3, conf, versions, mv,
                                             status):
    response = v3('POST', '/volumes', headers=version(mv),
                  body={'volume': {'size': 1, 'colour': 'blue'}})
    assert response.status_int == status, response.text
    idle(conf)
    assert len(listed(v3)['volumes']) == (1 if status == 202 else 0)


def test_reader_cannot_create(v3, conf):
    response = v3('POST', '/volumes', persona='reader',
                  body={'volume': {'size': 1}})
    assert response.status_int == 403
    assert listed(v3)['volumes'] == []


def test_create_from_snapshot_copies_its_data(v3, conf):
    source = create_volume(v3, conf)
    write_at(volume_file(conf, source['id']), 4096, b'snapshot data')
    snap = create_snapshot(v3, conf, source['id'])
    # Later writes to the source are not in the snapshot.
    write_at(volume_file(conf, source['id']), 4096, b'overwritten!!')
    volume = create_volume(v3, conf, snapshot_id=snap['id'], size=None)
    shown = show(v3, volume['id'])
    assert shown['status'] == 'available'
    assert shown['snapshot_id'] == snap['id']
    assert shown['size'] == 1
    assert read_at(volume_file(conf, volume['id']), 4096, 13) == (
        b'snapshot data')


def test_create_from_snapshot_may_be_larger(v3, conf):
    source = create_volume(v3, conf)
    write_at(volume_file(conf, source['id']), 0, b'head')
    snap = create_snapshot(v3, conf, source['id'])
    volume = create_volume(v3, conf, snapshot_id=snap['id'], size=3)
    path = volume_file(conf, volume['id'])
    assert os.path.getsize(path) == 3 * GiB
    assert read_at(path, 0, 4) == b'head'


def test_create_from_snapshot_smaller_is_400(v3, conf):
    source = create_volume(v3, conf, size=2)
    snap = create_snapshot(v3, conf, source['id'])
    response = v3('POST', '/volumes', body={'volume': {
        'snapshot_id': snap['id'], 'size': 1}})
    assert response.status_int == 400


def test_create_from_unknown_snapshot_is_404(v3):
    response = v3('POST', '/volumes', body={'volume': {
        'snapshot_id': '00000000-0000-0000-0000-000000000000'}})
    assert response.status_int == 404


def test_clone_copies_the_source(v3, conf):
    source = create_volume(v3, conf)
    write_at(volume_file(conf, source['id']), GiB - 5, b'tail!')
    clone = create_volume(v3, conf, source_volid=source['id'])
    shown = show(v3, clone['id'])
    assert shown['status'] == 'available'
    assert shown['source_volid'] == source['id']
    assert read_at(volume_file(conf, clone['id']), GiB - 5, 5) == b'tail!'


def test_clone_of_other_projects_volume_is_404(v3, conf):
    source = create_volume(v3, conf)
    response = v3('POST', '/volumes', persona='other_member',
                  body={'volume': {'source_volid': source['id']}})
    assert response.status_int == 404


def test_no_backend_fits_ends_in_error(v3, conf):
    """A volume no pool can hold is created in error, with a message."""
    conf.set_override('quota_gigabytes', -1)
    volume = create_volume(v3, conf, size=10 ** 9)
    assert show(v3, volume['id'])['status'] == 'error'


# Views


DETAIL_KEYS = {
    'id', 'status', 'size', 'availability_zone', 'created_at', 'updated_at',
    'name', 'description', 'volume_type', 'snapshot_id', 'source_volid',
    'metadata', 'links', 'user_id', 'bootable', 'encrypted',
    'replication_status', 'consistencygroup_id', 'multiattach',
    'attachments', 'os-vol-tenant-attr:tenant_id'}
ADMIN_KEYS = {'migration_status', 'os-vol-host-attr:host',
              'os-vol-mig-status-attr:migstat',
              'os-vol-mig-status-attr:name_id'}


@pytest.mark.parametrize('persona,expected', [
    ('admin', DETAIL_KEYS | ADMIN_KEYS),
    ('member', DETAIL_KEYS),
    ('reader', DETAIL_KEYS),
])
def test_detail_keys_at_3_0(v3, conf, persona, expected):
    volume = create_volume(v3, conf)
    shown = show(v3, volume['id'], persona=persona)
    assert set(shown) == expected
    (item,) = listed(v3, persona=persona)['volumes']
    assert set(item) == expected


def test_detail_values(api, conf):
    """On every backend (PyMySQL reads rows as JSON), and the same from a
    page as from a show."""
    name = 'v\u00e9 "x" \\'
    volume = create_volume(api, conf, name=name, metadata={'k': name})
    shown = show(api, volume['id'])
    assert (shown['name'], shown['metadata']) == (name, {'k': name})
    assert shown['bootable'] == 'false'
    assert shown['encrypted'] is False
    assert shown['multiattach'] is False
    assert shown['os-vol-tenant-attr:tenant_id'] == PROJECT
    assert shown['os-vol-host-attr:host'].startswith(conf.host + '@')
    assert shown['migration_status'] is None
    assert shown['size'] == 1
    assert re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?',
                        shown['updated_at'])
    assert listed(api)['volumes'] == [shown]
    assert shown['links'] == [
        {'rel': 'self',
         'href': 'http://localhost/v3/volumes/%s' % volume['id']},
        {'rel': 'bookmark',
         'href': 'http://localhost/volumes/%s' % volume['id']}]


def test_links_keep_the_url_project(v3, conf):
    volume = create_volume(v3, conf)
    shown = v3('GET', '/%s/volumes/%s' % (PROJECT, volume['id'])).json
    assert shown['volume']['links'][0]['href'] == (
        'http://localhost/v3/%s/volumes/%s' % (PROJECT, volume['id']))


def test_url_project_must_be_the_callers(v3, conf):
    volume = create_volume(v3, conf)
    response = v3('GET', '/%s/volumes/%s' % (OTHER_PROJECT, volume['id']))
    assert response.status_int == 400


def test_list_items_are_summaries(v3, conf):
    volume = create_volume(v3, conf, name='short')
    (item,) = listed(v3, path='/volumes', persona='member')['volumes']
    assert item == {'id': volume['id'], 'name': 'short',
                    'links': volume['links']}


@pytest.mark.parametrize('key,since,admin_only', [
    ('group_id', '3.13', False),
    ('provider_id', '3.21', True),
    ('shared_targets', '3.48', False),
    ('service_uuid', '3.48', False),
    ('cluster_name', '3.61', True),
    ('volume_type_id', '3.63', False),
    ('consumes_quota', '3.65', False),
])
def test_versioned_fields(v3, conf, versions, key, since, admin_only):
    volume = create_volume(v3, conf)
    major, minor = since.split('.')
    before = '%s.%d' % (major, int(minor) - 1)
    for persona in ('admin', 'member'):
        assert key not in show(v3, volume['id'], persona=persona,
                               headers=version(before))
        shown = show(v3, volume['id'], persona=persona,
                     headers=version(since))
        assert (key in shown) == (persona == 'admin' or not admin_only)
        item = listed(v3, persona=persona,
                      headers=version(since))['volumes'][0]
        assert (key in item) == (key in shown)


def test_versioned_values(v3, conf, versions):
    volume = create_volume(v3, conf)
    shown = show(v3, volume['id'], headers=version('3.71'))
    assert shown['consumes_quota'] is True
    assert shown['group_id'] is None
    assert shown['shared_targets'] in (True, False)
    assert 'encryption_key_id' not in shown


def test_bootable_is_a_string(v3, conf):
    volume = create_volume(v3, conf)
    assert action(v3, volume['id'], {'os-set_bootable': {
        'bootable': True}}).status_int == 200
    assert show(v3, volume['id'])['bootable'] == 'true'


def test_unknown_volume_is_404(v3):
    response = v3('GET', '/volumes/00000000-0000-0000-0000-000000000000')
    assert response.status_int == 404
    assert response.json['itemNotFound']['message'] == (
        'Volume 00000000-0000-0000-0000-000000000000 could not be found.')


# Project isolation


def test_other_project_sees_nothing(v3, conf):
    volume = create_volume(v3, conf, metadata={'k': 'v'})
    path = '/volumes/%s' % volume['id']
    for method, suffix, body in [
            ('GET', '', None),
            ('PUT', '', {'volume': {'name': 'x'}}),
            ('DELETE', '', None),
            ('GET', '/metadata', None),
            ('POST', '/metadata', {'metadata': {'a': 'b'}}),
            ('PUT', '/metadata', {'metadata': {'a': 'b'}}),
            ('GET', '/metadata/k', None),
            ('PUT', '/metadata/k', {'meta': {'k': 'w'}}),
            ('DELETE', '/metadata/k', None),
            ('POST', '/action', {'os-extend': {'new_size': 2}}),
            ('POST', '/action', {'os-reserve': None}),
            ('POST', '/action', {'os-set_bootable': {'bootable': True}})]:
        response = v3(method, path + suffix, persona='other_member',
                      body=body)
        assert response.status_int == 404, (method, suffix)
    assert listed(v3, persona='other_member')['volumes'] == []
    assert listed(v3, persona='other_member', all_tenants=1)['volumes'] == []
    shown = show(v3, volume['id'])
    assert shown['name'] == volume['name']
    assert shown['metadata'] == {'k': 'v'}
    assert shown['size'] == 1


def test_admin_sees_other_projects_with_all_tenants(v3, conf):
    mine = create_volume(v3, conf)
    theirs = create_volume(v3, conf, persona='other_member')
    assert ids(listed(v3)) == [mine['id']]
    assert sorted(ids(listed(v3, all_tenants=1))) == sorted(
        [mine['id'], theirs['id']])
    assert ids(listed(v3, all_tenants=1, project_id=OTHER_PROJECT)) == [
        theirs['id']]
    # An admin reaches any volume by id.
    assert show(v3, theirs['id'])['os-vol-tenant-attr:tenant_id'] == (
        OTHER_PROJECT)


def test_member_all_tenants_is_ignored(v3, conf, versions):
    mine = create_volume(v3, conf)
    create_volume(v3, conf, persona='other_member')
    for mv in ('3.0', '3.31'):
        body = listed(v3, persona='member', all_tenants=1,
                      headers=version(mv) if mv != '3.0' else None)
        assert ids(body) == [mine['id']]


# Listing: filters


def test_filter_by_name_and_status(v3, conf):
    a = create_volume(v3, conf, name='a')
    create_volume(v3, conf, name='b')
    assert ids(listed(v3, persona='member', name='a')) == [a['id']]
    assert ids(listed(v3, persona='member', name='zzz')) == []
    assert len(listed(v3, persona='member', status='available')
               ['volumes']) == 2
    assert listed(v3, persona='member', status='error')['volumes'] == []


def test_filter_by_metadata(v3, conf):
    a = create_volume(v3, conf, metadata={'k': 'v', 'x': 'y'})
    create_volume(v3, conf, metadata={'k': 'w'})
    assert ids(listed(v3, persona='member',
                      metadata="{'k': 'v'}")) == [a['id']]
    assert ids(listed(v3, persona='member',
                      metadata="{'k': 'v', 'x': 'y'}")) == [a['id']]
    assert ids(listed(v3, persona='member',
                      metadata="{'k': 'v', 'x': 'z'}")) == []
    response = v3('GET', '/volumes?metadata=notadict', persona='member')
    assert response.status_int == 400


def test_filter_by_bootable(v3, conf, versions):
    a = create_volume(v3, conf)
    b = create_volume(v3, conf)
    action(v3, a['id'], {'os-set_bootable': {'bootable': True}})
    assert ids(listed(v3, persona='member', bootable='true',
                      headers=version('3.2'))) == [a['id']]
    assert ids(listed(v3, persona='member', bootable='false',
                      headers=version('3.2'))) == [b['id']]
    # Before 3.2 anything but false means true; from 3.2 it is a 400.
    assert ids(listed(v3, persona='member', bootable='maybe')) == [a['id']]
    response = v3('GET', '/volumes?bootable=maybe', persona='member',
                  headers=version('3.2'))
    assert response.status_int == 400


def test_unknown_filter_dropped_before_3_31_then_400(v3, conf, versions):
    volume = create_volume(v3, conf)
    assert ids(listed(v3, persona='member', colour='blue',
                      headers=version('3.30'))) == [volume['id']]
    response = v3('GET', '/volumes?colour=blue', persona='member',
                  headers=version('3.31'))
    assert response.status_int == 400
    assert response.json['badRequest']['message'] == (
        'Invalid input received: Invalid filters colour are found in query '
        'options.')


def test_admin_unknown_filter_gives_an_empty_list(v3, conf, versions):
    create_volume(v3, conf)
    assert listed(v3, colour='blue',
                  headers=version('3.31'))['volumes'] == []


# Listing: pagination and sorting


def _many(v3, conf, count, persona='admin'):
    conf.set_override('quota_volumes', -1)
    made = [create_volume(v3, conf, wait=False, persona=persona,
                          name='vol-%02d' % n)
            for n in range(count)]
    idle(conf)
    assert [v['status'] for v in listed(v3, persona=persona)['volumes']] == (
        ['available'] * count)
    return made


def newest_first(volumes):
    """The default order: created_at, then id, descending (MySQL stores
    whole seconds, so ids often decide there)."""
    return [v['id'] for v in sorted(
        volumes, key=lambda v: (v['created_at'], v['id']), reverse=True)]


def _walk(v3, path, limit, persona='admin', key='volumes', **params):
    """Follow the next links from the first page; the ids in order."""
    seen, pages = [], 0
    query = dict(params, limit=limit)
    url = path + '?' + urllib.parse.urlencode(query)
    while url:
        response = v3('GET', url, persona=persona)
        assert response.status_int == 200, response.text
        body = response.json
        assert len(body[key]) <= limit
        seen.extend(ids(body, key))
        pages += 1
        links = body.get('%s_links' % key)
        if links:
            (link,) = links
            assert link['rel'] == 'next'
            assert ' ' not in link['href']
            parsed = urllib.parse.urlsplit(link['href'])
            assert parsed.path.endswith(path)
            query = urllib.parse.parse_qs(parsed.query)
            assert query['marker'] == [seen[-1]]
            url = path + '?' + parsed.query
        else:
            url = None
        assert pages < 20
    return seen, pages


def test_paging_visits_each_volume_once(api, conf):
    made = _many(api, conf, 25)
    for path in ('/volumes', '/volumes/detail'):
        seen, pages = _walk(api, path, 10)
        assert pages == 3
        assert len(seen) == 25
        assert set(seen) == {v['id'] for v in made}


def test_paging_with_a_sort_and_a_filter(api, conf):
    _many(api, conf, 12)
    create_volume(api, conf, name='x&y=z', metadata={'k': 'v w'})
    create_volume(api, conf, name='x&y=z', metadata={'k': 'v w'})
    seen, _ = _walk(api, '/volumes/detail', 5, sort='name:asc',
                    status='available')
    assert len(seen) == 14
    names = [show(api, volume_id)['name'] for volume_id in seen]
    assert names == sorted(names)
    # Filters with spaces, quotes, & and = survive the next link.
    seen, pages = _walk(api, '/volumes', 1, metadata="{'k': 'v w'}",
                        name='x&y=z')
    assert (len(seen), pages) == (2, 3)


def test_default_order_is_newest_first(api, conf):
    _many(api, conf, 3)
    volumes = listed(api)['volumes']
    assert ids(listed(api)) == newest_first(volumes)


def test_default_order_on_sqlite_is_creation_order(v3, conf):
    made = _many(v3, conf, 3)
    assert ids(listed(v3)) == [v['id'] for v in reversed(made)]


def test_marker_and_limit(api, conf):
    _many(api, conf, 5)
    order = ids(listed(api))
    body = listed(api, path='/volumes', limit=2, marker=order[1])
    assert ids(body) == order[2:4]
    assert 'marker=%s' % order[3] in body['volumes_links'][0]['href']
    body = listed(api, path='/volumes', limit=5)
    assert 'volumes_links' in body
    body = listed(api, path='/volumes', limit=6)
    assert 'volumes_links' not in body


def test_pages_of_any_length_share_a_few_statements(v3, conf):
    """Every SQL text is a prepared statement a driver keeps: pages
    growing from 1 to 1,000 volumes had grown each worker by 150 MB when
    each length made new ones. A page of any length is one statement with
    its metadata, and its attachments are read with the ids padded to a
    power of two; the padding repeats an id and must not repeat its
    rows."""
    made = _many(v3, conf, 9)
    # The oldest come last in the default order: attached, they are 1, 2
    # and 3 ids on the pages of 7, 8 and 9, and on the full page the
    # oldest's is repeated to pad 3 ids to 4.
    oldest = made[0]['id']
    assert v3('POST', '/volumes/%s/metadata' % oldest,
              body={'metadata': {'k': 'v'}}).status_int == 200
    for volume in made[:3]:
        attached = v3('POST', '/volumes/%s/action' % volume['id'], body={
            'os-attach': {'instance_uuid': str(uuid.uuid4()),
                          'mountpoint': '/dev/vdb'}})
        assert attached.status_int == 202, attached.text
    with db_fixtures.statements('SELECT') as sent:
        for limit in range(1, 10):
            body = listed(v3, limit=limit)
            assert len(body['volumes']) == limit
    (last,) = [v for v in body['volumes'] if v['id'] == oldest]
    assert last['metadata']['k'] == 'v'
    counts = [len(v['attachments']) for v in body['volumes']]
    assert counts == [0] * 6 + [1] * 3
    # Nine pages, and three attachment lookups on the pages of 7 to 9.
    assert len(sent) == 12, sent
    pages = {text for text in sent if 'volume_metadata' in text}
    lookups = {text for text in sent if 'volume_attachment' in text}
    assert len(pages) == 1, pages
    assert len(lookups) == 3, lookups  # 1, 2 and 4 ids


def test_unfiltered_pages_keep_their_statements_with_the_project_bound(
        api, conf):
    """A page's statements are kept per shape (scope, sort, marker,
    offset, limit) with the project a value: a member of each project and
    an admin listing their own project share them and see only theirs."""
    from cinder.objects import volume as volumes
    mine = create_volume(api, conf, persona='member')
    theirs = create_volume(api, conf, persona='other_member')
    kept = volumes._LISTING.shapes
    kept.clear()
    assert ids(listed(api, persona='member')) == [mine['id']]
    assert ids(listed(api, persona='other_member')) == [theirs['id']]
    assert ids(listed(api)) == [mine['id']]
    assert len(kept) == 1
    assert set(ids(listed(api, all_tenants='1'))) == {mine['id'],
                                                     theirs['id']}
    assert ids(listed(api, all_tenants='1', project_id=OTHER_PROJECT)) == [
        theirs['id']]
    assert ids(listed(api, persona='member', marker=mine['id'])) == []
    assert len(kept) == 3
    # A filter's values are in its statement: such pages are not kept.
    assert ids(listed(api, persona='member', name='nothing')) == []
    assert len(kept) == 3
    sorts = ['%s:%s,%s' % (first, direction, second)
             for first in ('name', 'size', 'status', 'host', 'user_id')
             for direction in ('asc', 'desc')
             for second in ('id', 'created_at', 'bootable', 'project_id',
                            'availability_zone', 'updated_at', 'size')]
    assert len(sorts) > volumes._LISTING.MAX_SHAPES
    for sort in sorts:
        assert ids(listed(api, sort=sort)) == [mine['id']]
    assert 0 < len(kept) <= volumes._LISTING.MAX_SHAPES


def test_unknown_marker_is_404(api, conf):
    create_volume(api, conf)
    response = api('GET', '/volumes?marker=nothing')
    assert response.status_int == 404


def test_other_projects_volume_is_no_marker(v3, conf):
    theirs = create_volume(v3, conf, persona='other_member')
    response = v3('GET', '/volumes?marker=%s' % theirs['id'],
                  persona='member')
    assert response.status_int == 404


@pytest.mark.parametrize('query', [
    'limit=abc', 'limit=-1', 'offset=abc', 'offset=-1',
    'sort=name&sort_key=size', 'sort=name&sort_dir=asc', 'sort=colour',
    'sort_key=colour', 'sort=name:sideways', 'sort_dir=up'])
def test_bad_list_parameters_are_400(v3, query):
    response = v3('GET', '/volumes?' + query)
    assert response.status_int == 400, query


@pytest.mark.parametrize('sort,key,reverse', [
    ('name:asc', 'name', False), ('name:desc', 'name', True),
    ('size:asc', 'size', False), ('size:desc', 'size', True),
    ('name', 'name', True)])
def test_sort(api, conf, sort, key, reverse):
    for name, size in (('b', 3), ('c', 1), ('a', 2)):
        create_volume(api, conf, wait=False, name=name, size=size)
    idle(conf)
    values = [v[key] for v in listed(api, sort=sort)['volumes']]
    assert values == sorted(values, reverse=reverse)
    legacy_key, _, legacy_dir = sort.partition(':')
    legacy = listed(api, sort_key=legacy_key,
                    sort_dir=legacy_dir or 'desc')['volumes']
    assert [v[key] for v in legacy] == values


def test_sort_on_two_keys(api, conf):
    for name, size in (('b', 1), ('a', 1), ('c', 2)):
        create_volume(api, conf, wait=False, name=name, size=size)
    idle(conf)
    body = listed(api, sort='size:desc,name:asc')
    assert [v['name'] for v in body['volumes']] == ['c', 'a', 'b']


def test_offset(api, conf):
    _many(api, conf, 3)
    assert ids(listed(api, offset=1)) == ids(listed(api))[1:]


def test_with_count(api, conf, versions):
    _many(api, conf, 3)
    body = listed(api, path='/volumes', with_count='true', limit=2,
                  headers=version('3.45'))
    assert body['count'] == 3
    assert len(body['volumes']) == 2
    assert 'count' not in listed(api, with_count='true',
                                 headers=version('3.44'))
    assert 'count' not in listed(api, headers=version('3.45'))
    response = api('GET', '/volumes?with_count=maybe',
                   headers=version('3.45'))
    assert response.status_int == 400


def test_with_count_counts_the_filtered_set(api, conf, versions):
    create_volume(api, conf, name='a')
    create_volume(api, conf, name='b')
    body = listed(api, with_count=1, name='a', headers=version('3.45'))
    assert body['count'] == 1


# Summary


def test_summary(v3, conf, versions):
    create_volume(v3, conf, size=1, metadata={'k': 'v1'})
    create_volume(v3, conf, size=2, metadata={'k': 'v2', 'x': 'y'})
    create_volume(v3, conf, size=4, persona='other_member')
    assert v3('GET', '/volumes/summary',
              headers=version('3.11')).status_int == 404
    summary = listed(v3, path='/volumes/summary', persona='member',
                     headers=version('3.12'))
    assert summary == {'volume-summary': {'total_count': 2,
                                          'total_size': 3}}
    summary = listed(v3, path='/volumes/summary', persona='member',
                     headers=version('3.36'))['volume-summary']
    assert summary['metadata'] == {'k': ['v1', 'v2'], 'x': ['y']}
    summary = listed(v3, path='/volumes/summary', all_tenants=1,
                     headers=version('3.36'))['volume-summary']
    assert (summary['total_count'], summary['total_size']) == (3, 7)


def test_empty_summary(v3, versions):
    summary = listed(v3, path='/volumes/summary', headers=version('3.36'))
    assert summary == {'volume-summary': {'total_count': 0, 'total_size': 0,
                                          'metadata': {}}}


# Update


def test_update_name_description_and_metadata(v3, conf):
    volume = create_volume(v3, conf, name='old', metadata={'a': '1'})
    response = v3('PUT', '/volumes/%s' % volume['id'], persona='member',
                  body={'volume': {'name': 'new', 'description': 'd',
                                   'metadata': {'b': '2'}}})
    assert response.status_int == 200
    updated = response.json['volume']
    assert (updated['name'], updated['description']) == ('new', 'd')
    assert updated['metadata'] == {'b': '2'}
    assert show(v3, volume['id'])['metadata'] == {'b': '2'}
    # The display_ spellings work too; fields not given stay.
    response = v3('PUT', '/volumes/%s' % volume['id'],
                  body={'volume': {'display_name': 'newer'}})
    assert response.json['volume']['name'] == 'newer'
    assert response.json['volume']['description'] == 'd'
    assert response.json['volume']['metadata'] == {'b': '2'}


@pytest.mark.parametrize('mv,status', [('3.0', 200), ('3.53', 400)])
def test_empty_update(v3, conf, versions, mv, status):
    volume = create_volume(v3, conf)
    response = v3('PUT', '/volumes/%s' % volume['id'],
                  headers=version(mv), body={'volume': {}})
    assert response.status_int == status


@pytest.mark.parametrize('body', [
    {'volume': {'size': 5}}, {'volume': {'name': 'x' * 256}},
    {'volume': {'metadata': {'k': 1}}}, {'name': 'x'}])
def test_bad_update_is_400(v3, conf, body):
    volume = create_volume(v3, conf)
    response = v3('PUT', '/volumes/%s' % volume['id'], body=body)
    assert response.status_int == 400
    assert show(v3, volume['id'])['size'] == 1


def test_reader_cannot_update_or_delete(v3, conf):
    volume = create_volume(v3, conf)
    path = '/volumes/%s' % volume['id']
    assert v3('PUT', path, persona='reader', body={
        'volume': {'name': 'x'}}).status_int == 403
    assert v3('DELETE', path, persona='reader').status_int == 403
    assert v3('GET', path, persona='reader').status_int == 200


# Delete


def test_delete_removes_row_file_and_usage(v3, conf):
    volume = create_volume(v3, conf, size=2)
    path = volume_file(conf, volume['id'])
    assert os.path.exists(path)
    response = v3('DELETE', '/volumes/%s' % volume['id'], persona='member')
    assert response.status_int == 202
    assert response.body == b''
    idle(conf)
    assert v3('GET', '/volumes/%s' % volume['id']).status_int == 404
    assert not os.path.exists(path)
    assert usage(v3)['volumes'] == (0, 0)
    assert usage(v3)['gigabytes'] == (0, 0)


def test_delete_with_snapshots_needs_cascade(v3, conf):
    volume = create_volume(v3, conf)
    snap = create_snapshot(v3, conf, volume['id'])
    response = v3('DELETE', '/volumes/%s' % volume['id'])
    assert response.status_int == 400
    assert 'have snapshots' in response.json['badRequest']['message']
    response = v3('DELETE', '/volumes/%s?cascade=true' % volume['id'])
    assert response.status_int == 202
    idle(conf)
    assert v3('GET', '/volumes/%s' % volume['id']).status_int == 404
    assert v3('GET', '/snapshots/%s' % snap['id']).status_int == 404
    assert not os.path.exists(snapshot_file(conf, snap['id']))
    assert volume_files(conf) == []
    used = usage(v3)
    for key in ('volumes', 'gigabytes', 'snapshots', 'snapshots___DEFAULT__',
                'volumes___DEFAULT__', 'gigabytes___DEFAULT__'):
        assert used[key] == (0, 0), key


def test_delete_in_use_is_400(v3, conf):
    volume = create_volume(v3, conf)
    assert action(v3, volume['id'], {'os-attach': {
        'instance_uuid': '11111111-1111-1111-1111-111111111111',
        'mountpoint': '/dev/vdb'}}).status_int == 202
    response = v3('DELETE', '/volumes/%s' % volume['id'])
    assert response.status_int == 400
    assert show(v3, volume['id'])['status'] == 'in-use'


@pytest.mark.parametrize('status', ['creating', 'deleting', 'extending',
                                    'attaching', 'error_deleting'])
def test_delete_in_a_busy_status_is_400(v3, conf, status):
    volume = create_volume(v3, conf)
    _reset(v3, volume['id'], status=status)
    assert v3('DELETE', '/volumes/%s' % volume['id']).status_int == 400
    idle(conf)
    assert show(v3, volume['id'])['status'] == status
    assert os.path.exists(volume_file(conf, volume['id']))


def _reset(v3, volume_id, **body):
    response = action(v3, volume_id, {'os-reset_status': body})
    assert response.status_int == 202, response.text


def test_delete_force_from_3_23_admin_only(v3, conf, versions):
    volume = create_volume(v3, conf)
    _reset(v3, volume['id'], status='maintenance')
    path = '/volumes/%s?force=true' % volume['id']
    # Before 3.23 force is not a parameter.
    assert v3('DELETE', path, headers=version('3.22')).status_int == 400
    assert v3('DELETE', path, persona='member',
              headers=version('3.23')).status_int == 403
    assert v3('DELETE', path, headers=version('3.23')).status_int == 202
    idle(conf)
    assert v3('GET', '/volumes/%s' % volume['id']).status_int == 404
    assert volume_files(conf) == []
    assert usage(v3)['volumes'] == (0, 0)


def test_delete_error_volume(v3, conf):
    volume = create_volume(v3, conf)
    _reset(v3, volume['id'], status='error')
    assert v3('DELETE', '/volumes/%s' % volume['id']).status_int == 202
    idle(conf)
    assert volume_files(conf) == []


def test_delete_unplaced_error_volume_frees_its_quota(api, conf):
    """A volume no backend could hold counts against the quota, as in
    Cinder, until it is deleted; usage never goes negative."""
    conf.set_override('quota_gigabytes', -1)
    volume = create_volume(api, conf, size=10 ** 9)
    assert show(api, volume['id'])['status'] == 'error'
    assert usage(api)['volumes'] == (1, 0)
    assert api('DELETE', '/volumes/%s' % volume['id']).status_int == 202
    idle(conf)
    assert api('GET', '/volumes/%s' % volume['id']).status_int == 404
    used = usage(api)
    assert used['volumes'] == (0, 0)
    assert used['gigabytes'] == (0, 0)
    assert used['volumes___DEFAULT__'] == (0, 0)


def test_reset_while_creating_then_delete_keeps_usage_right(v3, conf):
    volume = create_volume(v3, conf, wait=False)
    _reset(v3, volume['id'], status='error')
    idle(conf)
    assert v3('DELETE', '/volumes/%s' % volume['id']).status_int == 202
    idle(conf)
    assert usage(v3)['volumes'] == (0, 0)
    assert usage(v3)['gigabytes'] == (0, 0)


# Metadata


def test_metadata_verbs(v3, conf):
    volume = create_volume(v3, conf, metadata={'a': '1'})
    path = '/volumes/%s/metadata' % volume['id']
    response = v3('GET', path, persona='reader')
    assert (response.status_int, response.json) == (200,
                                                    {'metadata': {'a': '1'}})
    response = v3('POST', path, persona='member',
                  body={'metadata': {'b': '2', 'a': '0'}})
    assert response.status_int == 200
    assert response.json == {'metadata': {'a': '0', 'b': '2'}}
    response = v3('PUT', path, persona='member',
                  body={'metadata': {'c': '3'}})
    assert response.json == {'metadata': {'c': '3'}}
    response = v3('GET', path + '/c')
    assert (response.status_int, response.json) == (200, {'meta': {'c': '3'}})
    assert v3('GET', path + '/a').status_int == 404
    response = v3('PUT', path + '/c', body={'meta': {'c': '4'}})
    assert (response.status_int, response.json) == (200, {'meta': {'c': '4'}})
    response = v3('PUT', path + '/d', body={'meta': {'d': '5'}})
    assert response.status_int == 200
    response = v3('DELETE', path + '/c', persona='member')
    assert (response.status_int, response.body) == (200, b'')
    assert v3('DELETE', path + '/c').status_int == 404
    assert v3('GET', path).json == {'metadata': {'d': '5'}}
    assert show(v3, volume['id'])['metadata'] == {'d': '5'}


@pytest.mark.parametrize('body', [
    {'meta': {'other': 'v'}}, {'meta': {'k': 'v', 'l': 'w'}}, {'meta': {}},
    {'metadata': {'k': 'v'}}])
def test_metadata_item_body_must_match_the_url(v3, conf, body):
    volume = create_volume(v3, conf)
    response = v3('PUT', '/volumes/%s/metadata/k' % volume['id'], body=body)
    assert response.status_int == 400
    assert show(v3, volume['id'])['metadata'] == {}


@pytest.mark.parametrize('metadata', [
    {'k': 'v' * 256}, {'k' * 256: 'v'}, {'k': 1}, {'bad/\\key': 'v'}, []])
def test_bad_metadata_is_400(v3, conf, metadata):
    volume = create_volume(v3, conf)
    response = v3('POST', '/volumes/%s/metadata' % volume['id'],
                  body={'metadata': metadata})
    assert response.status_int in (400, 413)
    assert show(v3, volume['id'])['metadata'] == {}


def test_reader_cannot_write_metadata(v3, conf):
    volume = create_volume(v3, conf, metadata={'k': 'v'})
    path = '/volumes/%s/metadata' % volume['id']
    for method, suffix, body in [('POST', '', {'metadata': {'a': 'b'}}),
                                 ('PUT', '', {'metadata': {'a': 'b'}}),
                                 ('PUT', '/k', {'meta': {'k': 'w'}}),
                                 ('DELETE', '/k', None)]:
        assert v3(method, path + suffix, persona='reader',
                  body=body).status_int == 403
    assert v3('GET', path).json == {'metadata': {'k': 'v'}}


def test_metadata_etag_from_3_15(v3, conf, versions):
    volume = create_volume(v3, conf, metadata={'k': 'v'})
    path = '/volumes/%s/metadata' % volume['id']
    assert 'ETag' not in v3('GET', path, headers=version('3.14')).headers
    etag = v3('GET', path, headers=version('3.15')).headers['ETag']
    assert etag
    response = v3('PUT', path, body={'metadata': {'k': 'w'}},
                  headers=dict(version('3.15'), **{'If-Match': 'stale'}))
    assert response.status_int == 412
    assert v3('GET', path).json == {'metadata': {'k': 'v'}}
    response = v3('PUT', path, body={'metadata': {'k': 'w'}},
                  headers=dict(version('3.15'), **{'If-Match': etag}))
    assert response.status_int == 200
    assert response.headers['ETag'] != etag
    # The old tag no longer matches.
    response = v3('PUT', path, body={'metadata': {'k': 'x'}},
                  headers=dict(version('3.15'), **{'If-Match': etag}))
    assert response.status_int == 412
    # Below 3.15 If-Match is not looked at.
    response = v3('PUT', path, body={'metadata': {'k': 'x'}},
                  headers=dict(version('3.14'), **{'If-Match': 'stale'}))
    assert response.status_int == 200


def test_metadata_item_put_checks_the_etag_too(v3, conf, versions):
    volume = create_volume(v3, conf, metadata={'k': 'v'})
    path = '/volumes/%s/metadata' % volume['id']
    etag = v3('GET', path, headers=version('3.15')).headers['ETag']
    response = v3('PUT', path + '/k', body={'meta': {'k': 'w'}},
                  headers=dict(version('3.15'), **{'If-Match': 'stale'}))
    assert response.status_int == 412
    assert v3('GET', path).json == {'metadata': {'k': 'v'}}
    response = v3('PUT', path + '/k', body={'meta': {'k': 'w'}},
                  headers=dict(version('3.15'), **{'If-Match': etag}))
    assert response.status_int == 200
    assert v3('GET', path).json == {'metadata': {'k': 'w'}}
    # POST merges without looking at If-Match, as in Cinder.
    response = v3('POST', path, body={'metadata': {'a': 'b'}},
                  headers=dict(version('3.15'), **{'If-Match': 'stale'}))
    assert response.status_int == 200


def test_metadata_of_unknown_volume_is_404(v3):
    path = '/volumes/00000000-0000-0000-0000-000000000000/metadata'
    assert v3('GET', path).status_int == 404
    assert v3('POST', path, body={'metadata': {'a': 'b'}}).status_int == 404


# Quota


def test_usage_follows_create_extend_and_delete(api, conf):
    volume = create_volume(api, conf, size=2)
    used = usage(api)
    assert used['volumes'] == (1, 0)
    assert used['gigabytes'] == (2, 0)
    assert used['volumes___DEFAULT__'] == (1, 0)
    assert used['gigabytes___DEFAULT__'] == (2, 0)
    assert action(api, volume['id'], {'os-extend': {
        'new_size': 5}}).status_int == 202
    idle(conf)
    assert usage(api)['gigabytes'] == (5, 0)
    assert usage(api)['gigabytes___DEFAULT__'] == (5, 0)
    assert api('DELETE', '/volumes/%s' % volume['id']).status_int == 202
    idle(conf)
    used = usage(api)
    for key in ('volumes', 'gigabytes', 'volumes___DEFAULT__',
                'gigabytes___DEFAULT__'):
        assert used[key] == (0, 0), key


def test_usage_is_per_project(api, conf):
    create_volume(api, conf, persona='other_member', size=3)
    assert usage(api)['gigabytes'] == (0, 0)
    assert usage(api, OTHER_PROJECT)['gigabytes'] == (3, 0)


def _set_quota(v3, **limits):
    response = v3('PUT', '/os-quota-sets/%s' % PROJECT,
                  body={'quota_set': limits})
    assert response.status_int == 200, response.text


def _assert_over_limit(response, message):
    assert response.status_int == 413, response.text
    assert response.headers['Retry-After'] == '0'
    assert response.json == {'overLimit': {
        'code': 413, 'message': message, 'retryAfter': '0'}}


def test_volume_count_over_quota_is_413(api, conf):
    _set_quota(api, volumes=1)
    create_volume(api, conf)
    before = usage(api)
    response = api('POST', '/volumes', persona='member',
                   body={'volume': {'size': 1}})
    _assert_over_limit(response, "VolumeLimitExceeded: Maximum number of "
                       "volumes allowed (1) exceeded for quota 'volumes'.")
    assert usage(api) == before
    assert len(listed(api)['volumes']) == 1
    idle(conf)
    assert len(volume_files(conf)) == 1


def test_gigabytes_over_quota_is_413(api, conf):
    _set_quota(api, gigabytes=3)
    create_volume(api, conf, size=2)
    response = api('POST', '/volumes', body={'volume': {'size': 2}})
    _assert_over_limit(
        response, 'VolumeSizeExceedsAvailableQuota: Requested volume or '
        'snapshot exceeds allowed gigabytes quota. Requested 2G, quota is '
        '3G and 2G has been consumed.')
    assert usage(api)['gigabytes'] == (2, 0)
    assert len(listed(api)['volumes']) == 1


def test_per_type_quota_is_413(api, conf):
    _set_quota(api, volumes___DEFAULT__=0)
    response = api('POST', '/volumes', body={'volume': {'size': 1}})
    _assert_over_limit(response, "VolumeLimitExceeded: Maximum number of "
                       "volumes allowed (0) exceeded for quota "
                       "'volumes___DEFAULT__'.")
    assert listed(api)['volumes'] == []


def test_per_volume_gigabytes_is_413(api, conf):
    _set_quota(api, per_volume_gigabytes=2)
    response = api('POST', '/volumes', body={'volume': {'size': 3}})
    _assert_over_limit(response, 'VolumeSizeExceedsLimit: Requested volume '
                       'size 3G is larger than maximum allowed limit 2G.')
    assert listed(api)['volumes'] == []
    assert usage(api)['gigabytes'] == (0, 0)
    create_volume(api, conf, size=2)


def test_extend_over_quota_is_413_and_keeps_the_size(api, conf):
    _set_quota(api, gigabytes=2)
    volume = create_volume(api, conf)
    response = action(api, volume['id'], {'os-extend': {'new_size': 3}})
    assert response.status_int == 413
    assert show(api, volume['id'])['size'] == 1
    assert usage(api)['gigabytes'] == (1, 0)
    assert os.path.getsize(volume_file(conf, volume['id'])) == GiB


def test_maintenance_volume_keeps_its_name_and_metadata(v3, conf):
    volume = create_volume(v3, conf, name='n', metadata={'k': 'v'})
    _reset(v3, volume['id'], status='maintenance')
    path = '/volumes/%s' % volume['id']
    for method, suffix, body in [
            ('PUT', '', {'volume': {'name': 'x'}}),
            ('POST', '/metadata', {'metadata': {'a': 'b'}}),
            ('PUT', '/metadata', {'metadata': {'a': 'b'}}),
            ('PUT', '/metadata/k', {'meta': {'k': 'w'}}),
            ('DELETE', '/metadata/k', None)]:
        assert v3(method, path + suffix, body=body).status_int == 400, (
            method, suffix)
    shown = show(v3, volume['id'])
    assert (shown['name'], shown['metadata']) == ('n', {'k': 'v'})


def test_snapshot_and_source_together_is_400(v3, conf):
    source = create_volume(v3, conf)
    snap = create_snapshot(v3, conf, source['id'])
    response = v3('POST', '/volumes', body={'volume': {
        'snapshot_id': snap['id'], 'source_volid': source['id']}})
    assert response.status_int == 400
    assert len(listed(v3)['volumes']) == 1


def test_copies_get_the_sources_type(v3, conf, gold):
    source = create_volume(v3, conf, volume_type='gold')
    snap = create_snapshot(v3, conf, source['id'])
    clone = create_volume(v3, conf, source_volid=source['id'])
    assert show(v3, clone['id'])['volume_type'] == 'gold'
    # A snapshot's copy gets the type the snapshot was taken with.
    assert action(v3, source['id'], {'os-retype': {
        'new_type': '__DEFAULT__'}}).status_int == 202
    idle(conf)
    copy = create_volume(v3, conf, snapshot_id=snap['id'])
    assert show(v3, copy['id'])['volume_type'] == 'gold'
    # A type named in the request wins.
    copy = create_volume(v3, conf, snapshot_id=snap['id'],
                         volume_type='__DEFAULT__')
    assert show(v3, copy['id'])['volume_type'] == '__DEFAULT__'


def test_time_filters_from_3_60(v3, conf, versions):
    volume = create_volume(v3, conf)
    headers = version('3.60')
    assert ids(listed(v3, persona='member', headers=headers,
                      created_at='gt:2000-01-01T00:00:00')) == [volume['id']]
    assert listed(v3, persona='member', headers=headers,
                  created_at='lt:2000-01-01T00:00:00')['volumes'] == []
    assert ids(listed(v3, persona='member', headers=headers,
                      updated_at='gte:2000-01-01T00:00:00,'
                                 'lte:2999-01-01T00:00:00')) == [volume['id']]
    for bad in ('xx:2000-01-01T00:00:00', 'gt:yesterday', 'gt'):
        response = v3('GET', '/volumes?created_at=' + bad, persona='member',
                      headers=headers)
        assert response.status_int == 400, bad
    # Before 3.60 a member cannot filter on it.
    response = v3('GET', '/volumes?created_at=lt:2000-01-01T00:00:00',
                  persona='member', headers=version('3.59'))
    assert response.status_int == 400


def test_consumes_quota_filter_from_3_65(v3, conf, versions):
    volume = create_volume(v3, conf)
    headers = version('3.65')
    assert ids(listed(v3, persona='member', headers=headers,
                      consumes_quota='true')) == [volume['id']]
    assert listed(v3, persona='member', headers=headers,
                  consumes_quota='false')['volumes'] == []


def test_next_link_keeps_the_url_project(v3, conf):
    create_volume(v3, conf)
    create_volume(v3, conf)
    body = v3('GET', '/%s/volumes/detail?limit=1' % PROJECT).json
    href = body['volumes_links'][0]['href']
    assert href.startswith('http://localhost/v3/%s/volumes/detail?' % PROJECT)


def test_paging_by_a_nullable_column(api, conf):
    """Volumes without a name sort as if it were the lowest value, on every
    database, and paging by name still visits each once."""
    conf.set_override('quota_volumes', -1)
    made = [create_volume(api, conf, wait=False, name=name)
            for name in (None, 'b', None, 'a', None, 'b', None)]
    idle(conf)
    for sort in ('name:asc', 'name:desc'):
        seen, _ = _walk(api, '/volumes', 2, sort=sort)
        assert sorted(seen) == sorted(v['id'] for v in made)
        names = [show(api, volume_id)['name'] or '' for volume_id in seen]
        assert names == sorted(names, reverse=sort.endswith('desc'))


def test_snapshot_appearing_during_a_delete_stops_it(v3, conf, monkeypatch):
    """The delete checks again inside its transaction: a snapshot taken
    after its first look is not left pointing at a deleted volume."""
    from cinder.objects import snapshot as snapshots
    volume = create_volume(v3, conf)
    snap = create_snapshot(v3, conf, volume['id'])
    real = snapshots.of_volume
    calls = []

    def first_look_misses_it(conn, volume_id):
        calls.append(volume_id)
        return [] if len(calls) == 1 else real(conn, volume_id)

    monkeypatch.setattr(snapshots, 'of_volume', first_look_misses_it)
    response = v3('DELETE', '/volumes/%s' % volume['id'])
    assert response.status_int == 400
    monkeypatch.undo()
    idle(conf)
    assert show(v3, volume['id'])['status'] == 'available'
    assert os.path.exists(volume_file(conf, volume['id']))
    assert v3('GET', '/snapshots/%s' % snap['id']).status_int == 200
    assert usage(v3)['volumes'] == (1, 0)


@pytest.mark.parametrize('size', [2 ** 31, str(2 ** 40), 10 ** 30])
def test_size_beyond_the_database_integer_is_400(api, conf, size):
    conf.set_override('quota_gigabytes', -1)
    response = api('POST', '/volumes', body={'volume': {'size': size}})
    assert response.status_int == 400, response.text
    assert listed(api)['volumes'] == []
    volume = create_volume(api, conf)
    response = action(api, volume['id'], {'os-extend': {'new_size': size}})
    assert response.status_int == 400, response.text
    assert usage(api)['gigabytes'] == (1, 0)


def test_largest_size_is_accepted(api, conf):
    conf.set_override('quota_gigabytes', -1)
    volume = create_volume(api, conf, size=2 ** 31 - 1)
    assert show(api, volume['id'])['size'] == 2 ** 31 - 1


def test_through_the_whole_pipeline(request_app, conf):
    """As a client sees it: JSON in, 202, and next links it can follow."""
    headers = {'X-Auth-Token': 'user1:%s' % PROJECT,
               'Content-Type': 'application/json'}
    for name in ('p1', 'p2', 'p3'):
        response = request_app('/v3/volumes', method='POST', headers=headers,
                               body=json.dumps({'volume': {'size': 1,
                                                           'name': name}}))
        assert response.status_int == 202, response.text
        assert response.headers['OpenStack-API-Version'] == 'volume 3.0'
    idle(conf)
    seen, url = [], '/v3/volumes/detail?limit=2'
    while url:
        response = request_app(url, headers=headers)
        assert response.status_int == 200, response.text
        seen.extend(v['name'] for v in response.json['volumes'])
        links = response.json.get('volumes_links')
        url = links[0]['href'] if links else None
        assert len(seen) <= 3
    assert sorted(seen) == ['p1', 'p2', 'p3']
