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
"""Messages (3.3, pagination 3.5) and per-project default types (3.62)."""

import pytest

from cinder import context
from cinder import message_field
from cinder.objects import message
from tests.unit.conftest import OTHER_PROJECT
from tests.unit.conftest import PROJECT
from tests.unit.conftest import version


def _message(project=PROJECT, resource_uuid='vol-1'):
    ctx = context.RequestContext(user_id='u', project_id=project,
                                 request_id='req-abc', overwrite=False)
    return message.create(ctx, message_field.SCHEDULE_ALLOCATE_VOLUME,
                          message_field.NO_BACKEND_AVAILABLE,
                          resource_uuid=resource_uuid)


@pytest.mark.parametrize('path', ['/messages', '/default-types'])
def test_not_there_before_their_microversion(v3, path):
    assert v3('GET', path).status_int == 404
    assert v3('GET', path, headers=version('3.2')).status_int == 404


def test_announced_maximum_reaches_them(v3):
    """The announced maximum (3.71) covers messages and default types."""
    assert v3('GET', '/messages', headers=version('3.3')).status_int == 200
    assert v3('GET', '/default-types',
              headers=version('3.62')).status_int == 200


def test_show_and_list_messages(v3):
    message_id = _message()
    _message(project=OTHER_PROJECT)
    response = v3('GET', '/messages', persona='reader',
                  headers=version('3.3'))
    assert response.status_int == 200
    (view,) = response.json['messages']
    assert view['id'] == message_id
    assert view['event_id'] == 'VOLUME_VOLUME_001_003'
    assert view['user_message'] == ('schedule allocate volume: Could not '
                                    'find any available weighted backend.')
    assert (view['message_level'], view['resource_type'],
            view['resource_uuid'], view['request_id']) == (
        'ERROR', 'VOLUME', 'vol-1', 'req-abc')
    assert view['guaranteed_until'] > view['created_at']
    links = {link['rel']: link['href'] for link in view['links']}
    assert links['self'] == 'http://localhost/v3/messages/' + message_id
    assert links['bookmark'] == 'http://localhost/messages/' + message_id
    shown = v3('GET', '/messages/' + message_id, persona='reader',
               headers=version('3.3'))
    assert shown.json['message'] == view


def test_other_projects_messages_are_404(v3):
    other = _message(project=OTHER_PROJECT)
    response = v3('GET', '/messages/' + other, persona='member',
                  headers=version('3.3'))
    assert response.status_int == 404
    response = v3('DELETE', '/messages/' + other, persona='member',
                  headers=version('3.3'))
    assert response.status_int == 404


def test_delete_message(v3):
    message_id = _message()
    assert v3('DELETE', '/messages/' + message_id, persona='reader',
              headers=version('3.3')).status_int == 403
    assert v3('DELETE', '/messages/' + message_id, persona='member',
              headers=version('3.3')).status_int == 204
    assert v3('GET', '/messages/' + message_id,
              headers=version('3.3')).status_int == 404


def test_pagination_from_3_5(v3):
    ids = [_message(resource_uuid='vol-%d' % n) for n in range(5)]
    page = v3('GET', '/messages?limit=2', headers=version('3.5')).json
    assert len(page['messages']) == 2
    seen = [m['id'] for m in page['messages']]
    while 'messages_links' in page:
        href = page['messages_links'][0]['href']
        page = v3('GET', href.replace('http://localhost/v3', ''),
                  headers=version('3.5')).json
        seen += [m['id'] for m in page['messages']]
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    # Before 3.5 the whole list comes back, limit or not.
    assert len(v3('GET', '/messages?limit=2', headers=version('3.3')).json[
        'messages']) == 5
    assert v3('GET', '/messages?limit=x', headers=version('3.5')
              ).status_int == 400
    assert v3('GET', '/messages?marker=nope', headers=version('3.5')
              ).status_int == 404


def test_filters(v3):
    _message(resource_uuid='a')
    _message(resource_uuid='b')
    response = v3('GET', '/messages?resource_uuid=b', headers=version('3.3'))
    assert [m['resource_uuid'] for m in response.json['messages']] == ['b']


def test_default_types(v3):
    gold = v3('POST', '/types', body={'volume_type': {'name': 'gold'}}
              ).json['volume_type']
    v362 = version('3.62')
    path = '/default-types/%s' % PROJECT
    assert v3('GET', path, headers=v362).status_int == 404
    response = v3('PUT', path, headers=v362,
                  body={'default_type': {'volume_type': 'gold'}})
    assert response.status_int == 200
    assert response.json == {'default_type': {
        'project_id': PROJECT, 'volume_type_id': gold['id']}}
    assert v3('GET', path, headers=v362).json == response.json
    assert v3('GET', '/default-types', headers=v362).json == {
        'default_types': [response.json['default_type']]}
    # The project's default wins from 3.62 on, the global one before.
    assert v3('GET', '/types/default', headers=v362).json[
        'volume_type']['name'] == 'gold'
    assert v3('GET', '/types/default').json['volume_type']['name'] == (
        '__DEFAULT__')
    # A project's default type can not be deleted.
    assert v3('DELETE', '/types/%s' % gold['id']).status_int == 400
    assert v3('DELETE', path, headers=v362).status_int == 204
    assert v3('DELETE', path, headers=v362).status_int == 404
    assert v3('DELETE', '/types/%s' % gold['id']).status_int == 202


@pytest.mark.parametrize('body', [
    {}, {'default_type': {}}, {'default_type': {'volume_type': ''}},
    {'default_type': {'volume_type': 'gold', 'x': 1}},
])
def test_bad_default_type_bodies(v3, body):
    response = v3('PUT', '/default-types/%s' % PROJECT,
                  headers=version('3.62'), body=body)
    assert response.status_int == 400


def test_default_types_need_admin(v3):
    response = v3('PUT', '/default-types/%s' % PROJECT, persona='member',
                  headers=version('3.62'),
                  body={'default_type': {'volume_type': '__DEFAULT__'}})
    assert response.status_int == 403
    assert v3('PUT', '/default-types/%s' % PROJECT, headers=version('3.62'),
              body={'default_type': {'volume_type': 'nope'}}
              ).status_int == 404


def test_service_fields_by_microversion(v3):
    from cinder.objects import service
    volume = service.create('node1@lvm', 'cinder-volume',
                            cluster_name='cluster1@lvm')
    service.report_capabilities(volume['id'], {'pools': []})

    def view(ver):
        return v3('GET', '/os-services', headers=version(ver)).json[
            'services'][0]
    assert 'cluster' not in view('3.6')
    assert view('3.7')['cluster'] == 'cluster1@lvm'
    assert 'backend_state' not in view('3.48')
    assert view('3.49')['backend_state'] == 'up'
    # Up, but its driver reports no capacity: the backend is down.
    service.report_capabilities(volume['id'], None)
    assert view('3.49')['backend_state'] == 'down'


def test_limits_for_another_project_from_3_39(v3):
    from cinder.objects import quota
    quota.update_project_quotas(OTHER_PROJECT, {'volumes': 3})
    path = '/limits?project_id=%s' % OTHER_PROJECT

    def max_volumes(persona, ver):
        return v3('GET', path, persona=persona, headers=version(ver)).json[
            'limits']['absolute']['maxTotalVolumes']
    assert max_volumes('admin', '3.39') == 3
    assert max_volumes('admin', '3.38') == 10
    assert max_volumes('member', '3.39') == 10


def test_types_extra_specs_filter_from_3_52(v3):
    v3('POST', '/types', body={'volume_type': {
        'name': 'multi', 'extra_specs': {'multiattach': '<is> True',
                                         'volume_backend_name': 'b1'}}})
    v3('POST', '/types', body={'volume_type': {'name': 'plain'}})

    def names(query, persona='admin', ver='3.52'):
        response = v3('GET', '/types?is_public=None&' + query,
                      persona=persona, headers=version(ver))
        assert response.status_int == 200, response.text
        return sorted(t['name'] for t in response.json['volume_types'])
    assert names("extra_specs={'multiattach': '<is> True'}") == ['multi']
    assert names("extra_specs={'volume_backend_name': 'b1'}") == ['multi']
    # A non-admin can not filter on keys it can not see.
    assert names("extra_specs={'volume_backend_name': 'b1'}",
                 persona='member') == []
    # Before 3.52 the filter is ignored.
    assert names("extra_specs={'multiattach': '<is> True'}",
                 ver='3.51') == ['__DEFAULT__', 'multi', 'plain']
    response = v3('GET', '/types?extra_specs=notadict',
                  headers=version('3.52'))
    assert response.status_int == 400
