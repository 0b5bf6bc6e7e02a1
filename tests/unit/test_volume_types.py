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
"""Volume types, extra specs and type access (api-surface.md 3.9)."""

import pytest

from tests.unit.conftest import OTHER_PROJECT


@pytest.fixture
def gold(v3):
    response = v3('POST', '/types', body={'volume_type': {
        'name': 'gold', 'description': 'fast disks',
        'extra_specs': {'volume_backend_name': 'fast',
                        'multiattach': '<is> True'}}})
    assert response.status_int == 200, response.text
    return response.json['volume_type']


@pytest.fixture
def private(v3):
    response = v3('POST', '/types', body={'volume_type': {
        'name': 'private', 'os-volume-type-access:is_public': 'false'}})
    assert response.status_int == 200, response.text
    return response.json['volume_type']


def test_default_type_exists_from_the_start(v3):
    response = v3('GET', '/types/default', persona='reader')
    assert response.status_int == 200
    assert response.json['volume_type']['name'] == '__DEFAULT__'
    assert response.json['volume_type']['description'] == (
        'Default Volume Type')


def test_default_type_missing_is_404(v3, conf):
    conf.set_override('default_volume_type', 'nothing')
    response = v3('GET', '/types/default')
    assert response.status_int == 404
    assert response.json['itemNotFound']['message'] == (
        'Default volume type can not be found.')


def test_admin_view(gold):
    assert gold['name'] == 'gold'
    assert gold['is_public'] is True
    assert gold['os-volume-type-access:is_public'] is True
    assert gold['qos_specs_id'] is None
    assert gold['extra_specs'] == {'volume_backend_name': 'fast',
                                   'multiattach': '<is> True'}


def test_member_view_hides_admin_fields(v3, gold):
    view = v3('GET', '/types/%s' % gold['id'],
              persona='member').json['volume_type']
    assert 'qos_specs_id' not in view
    assert view['extra_specs'] == {'multiattach': '<is> True'}
    assert view['os-volume-type-access:is_public'] is True


def test_reader_view(v3, gold):
    view = v3('GET', '/types/%s' % gold['id'],
              persona='reader').json['volume_type']
    assert 'os-volume-type-access:is_public' not in view
    assert view['extra_specs'] == {'multiattach': '<is> True'}


@pytest.mark.parametrize('persona', ['member', 'reader'])
@pytest.mark.parametrize('method,path,body', [
    ('POST', '/types', {'volume_type': {'name': 'x'}}),
    ('PUT', '/types/{id}', {'volume_type': {'name': 'y'}}),
    ('DELETE', '/types/{id}', None),
    ('POST', '/types/{id}/extra_specs', {'extra_specs': {'a': 'b'}}),
    ('PUT', '/types/{id}/extra_specs/a', {'a': 'b'}),
    ('DELETE', '/types/{id}/extra_specs/multiattach', None),
    ('GET', '/types/{id}/os-volume-type-access', None),
    ('POST', '/types/{id}/action', {'addProjectAccess': {'project': 'p'}}),
])
def test_writes_need_admin(v3, gold, persona, method, path, body):
    response = v3(method, path.format(id=gold['id']), persona=persona,
                  body=body)
    assert response.status_int == 403
    assert response.json['forbidden']['message'].startswith(
        "Policy doesn't allow volume_extension:")


def test_list_is_public_filter(v3, gold, private):
    def names(path, persona='admin'):
        return sorted(t['name'] for t in
                      v3('GET', path, persona=persona).json['volume_types'])
    # Cinder: an admin sees public types unless is_public says otherwise.
    assert names('/types') == ['__DEFAULT__', 'gold']
    assert names('/types?is_public=None') == ['__DEFAULT__', 'gold',
                                              'private']
    assert names('/types?is_public=false') == ['private']
    assert names('/types', 'member') == ['__DEFAULT__', 'gold']
    assert v3('GET', '/types?is_public=maybe').status_int == 400


def test_private_type_is_404_without_access(v3, private):
    path = '/types/%s' % private['id']
    by_name = {'volume': {'size': 1, 'volume_type': 'private'}}
    assert v3('GET', path, persona='other_member').status_int == 404
    assert v3('POST', '/volumes', persona='other_member',
              body=by_name).status_int == 404
    response = v3('POST', '/types/%s/action' % private['id'],
                  body={'addProjectAccess': {'project': OTHER_PROJECT}})
    assert response.status_int == 202
    assert v3('GET', path, persona='other_member').status_int == 200
    assert v3('POST', '/volumes', persona='other_member',
              body=by_name).status_int == 202
    names = [t['name'] for t in v3('GET', '/types', persona='other_member')
             .json['volume_types']]
    assert 'private' in names


def test_type_access_list_and_errors(v3, gold, private):
    base = '/types/%s' % private['id']
    add = {'addProjectAccess': {'project': OTHER_PROJECT}}
    assert v3('POST', base + '/action', body=add).status_int == 202
    assert v3('POST', base + '/action', body=add).status_int == 409
    access = v3('GET', base + '/os-volume-type-access').json
    assert access == {'volume_type_access': [
        {'volume_type_id': private['id'], 'project_id': OTHER_PROJECT}]}
    remove = {'removeProjectAccess': {'project': OTHER_PROJECT}}
    assert v3('POST', base + '/action', body=remove).status_int == 202
    assert v3('POST', base + '/action', body=remove).status_int == 404
    public = v3('GET', '/types/%s/os-volume-type-access' % gold['id'])
    assert public.status_int == 404
    bogus = v3('POST', base + '/action', body={'explode': {}})
    assert bogus.status_int == 400
    assert 'There is no such action: explode' in bogus.text
    two = v3('POST', base + '/action', body={**add, **remove})
    assert two.status_int == 400


def test_duplicate_name_is_409(v3, gold):
    response = v3('POST', '/types', body={'volume_type': {'name': 'gold'}})
    assert response.status_int == 409
    assert response.json['conflictingRequest']['message'] == (
        'Volume Type gold already exists.')


@pytest.mark.parametrize('body', [
    {}, {'volume_type': {}}, {'volume_type': {'name': ''}},
    {'volume_type': {'name': '   '}}, {'volume_type': {'name': 'x' * 256}},
    {'volume_type': {'name': 'x', 'extra': 1}},
    {'volume_type': {'name': 'x', 'os-volume-type-access:is_public': 'maybe'}},
    {'volume_type': {'name': 'x', 'extra_specs': {'k': 1}}},
])
def test_bad_create_bodies_are_400_and_change_nothing(v3, body):
    before = v3('GET', '/types?is_public=None').json
    response = v3('POST', '/types', body=body)
    assert response.status_int == 400, response.text
    assert response.json['badRequest']['code'] == 400
    assert v3('GET', '/types?is_public=None').json == before


def test_update(v3, gold):
    path = '/types/%s' % gold['id']
    response = v3('PUT', path, body={'volume_type': {
        'name': 'platinum', 'description': None, 'is_public': False}})
    assert response.status_int == 200
    view = response.json['volume_type']
    assert (view['name'], view['description'], view['is_public']) == (
        'platinum', None, False)
    assert v3('PUT', path, body={'volume_type': {}}).status_int == 400
    assert v3('PUT', path, body={'volume_type': {'name': ' '}}
              ).status_int == 400
    v3('POST', '/types', body={'volume_type': {'name': 'taken'}})
    assert v3('PUT', path, body={'volume_type': {'name': 'taken'}}
              ).status_int == 409


def test_delete(v3, gold):
    assert v3('DELETE', '/types/%s' % gold['id']).status_int == 202
    assert v3('GET', '/types/%s' % gold['id']).status_int == 404
    default = v3('GET', '/types/default').json['volume_type']
    response = v3('DELETE', '/types/%s' % default['id'])
    assert response.status_int == 400
    assert v3('DELETE', '/types/%s' % gold['id']).status_int == 404


def test_extra_specs_verbs(v3, gold):
    base = '/types/%s/extra_specs' % gold['id']
    response = v3('POST', base, body={'extra_specs': {'a': '1', 'b': '2'}})
    assert response.json == {'extra_specs': {'a': '1', 'b': '2'}}
    assert v3('GET', base).json['extra_specs'] == {
        'volume_backend_name': 'fast', 'multiattach': '<is> True',
        'a': '1', 'b': '2'}
    assert v3('PUT', base + '/a', body={'a': '9'}).json == {'a': '9'}
    assert v3('GET', base + '/a').json == {'a': '9'}
    assert v3('PUT', base + '/a', body={'b': '9'}).status_int == 400
    assert v3('PUT', base + '/a', body={'a': '1', 'b': '2'}
              ).status_int == 400
    assert v3('DELETE', base + '/a').status_int == 202
    assert v3('GET', base + '/a').status_int == 404
    # A non-admin sees only the user-visible keys, here too.
    assert v3('GET', base, persona='reader').json == {
        'extra_specs': {'multiattach': '<is> True'}}
    assert v3('GET', base + '/b', persona='reader').status_int == 404


def test_extensions_now_list_types(v3):
    aliases = {e['alias'] for e in v3('GET', '/extensions').json[
        'extensions']}
    assert {'os-types-manage', 'os-types-extra-specs',
            'os-volume-type-access'} <= aliases


def test_one_type_reads_as_the_listing_does(database):
    """A type read alone (its extra specs aggregated in its own query) is
    the dict the listing gives (specs in a second query), on every
    backend, with and without specs, for admins and for the projects
    that may see it."""
    from cinder import context as cinder_context
    from cinder.db import migration
    from cinder.objects import volume_type
    from tests.unit.conftest import PROJECT
    migration.db_sync()
    admin = cinder_context.get_admin_context()
    member = cinder_context.RequestContext(
        user_id='u', project_id=PROJECT, roles=['member'], overwrite=False)
    specs = {'volume_backend_name': 'fast', 'multiattach': '<is> True',
             'quoted "key"': 'ünïcode \\ value'}
    volume_type.create(admin, 'gold', extra_specs=specs)
    volume_type.create(admin, 'bare')
    private = volume_type.create(admin, 'private', is_public=False)
    volume_type.add_access(admin, private['id'], PROJECT)
    for context in (admin, member):
        listed = {t['name']: t for t in volume_type.get_all(context)}
        assert set(listed) == {'__DEFAULT__', 'gold', 'bare', 'private'}
        assert listed['gold']['extra_specs'] == specs
        for name, vtype in listed.items():
            assert volume_type.get_by_name(context, name) == vtype
            assert volume_type.get(context, vtype['id']) == vtype
    outsider = cinder_context.RequestContext(
        user_id='u', project_id=OTHER_PROJECT, roles=['member'],
        overwrite=False)
    with pytest.raises(Exception, match='could not be found'):
        volume_type.get_by_name(outsider, 'private')
