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
"""auth_strategy = keystone against a real Keystone, over real HTTP.

The API runs under uWSGI with the shipped keystone pipeline (authtoken,
keystonecontext); tokens come from Keystone through keystoneauth1.
"""

import json

import pytest

from tests.functional import keystone as ks

# The shared session-scoped fixtures of tests/functional/keystone.py.
keystone = ks.keystone
keystone_api = ks.keystone_api

ROLES = tuple(ks.USERS)


def _json(body):
    return json.loads(body)


def _get(api, path, token=None):
    headers = {'X-Auth-Token': token} if token else {}
    return api.request('GET', path, headers=headers)


def test_discovery_needs_no_token(keystone_api):
    for path, expected in (('/', 300), ('/v3', 200), ('/v3/', 200)):
        status, headers, body = _get(keystone_api, path)
        assert status == expected, (path, body)
        (version,) = _json(body)['versions']
        assert version['id'] == 'v3.0'
        links = {link['rel']: link['href'] for link in version['links']}
        assert links['self'] == keystone_api.url + '/v3/'
        assert headers['OpenStack-API-Version'] == 'volume 3.0'


def test_healthcheck_needs_no_token(keystone_api):
    status, _headers, body = _get(keystone_api, '/healthcheck')
    assert (status, body) == (200, b'OK')


@pytest.mark.parametrize('user', ROLES)
@pytest.mark.parametrize('with_project', (True, False),
                         ids=('project-in-url', 'no-project-in-url'))
def test_every_role_lists_extensions(keystone_api, keystone, user,
                                     with_project):
    path = '/v3/extensions'
    if with_project:
        path = '/v3/%s/extensions' % keystone.project_id
    status, headers, body = _get(keystone_api, path, keystone.token(user))
    assert status == 200, body
    assert isinstance(_json(body)['extensions'], list)
    assert headers['OpenStack-API-Version'] == 'volume 3.0'
    assert headers['x-openstack-request-id'].startswith('req-')


def test_no_token_is_401_with_www_authenticate(keystone_api, keystone):
    for path in ('/v3/extensions',
                 '/v3/%s/extensions' % keystone.project_id):
        status, headers, body = _get(keystone_api, path)
        assert status == 401, (path, body)
        # Where to get a token: keystonemiddleware's www_authenticate_uri.
        assert headers['WWW-Authenticate'] == (
            'Keystone uri="%s"' % keystone.url), path
        assert headers['x-openstack-request-id'].startswith('req-')


def test_garbage_token_is_401(keystone_api, keystone):
    for token in ('garbage', 'user:%s' % keystone.project_id,
                  keystone.token('member')[:-4] + 'AAAA'):
        status, headers, body = _get(keystone_api, '/v3/extensions', token)
        assert status == 401, (token, body)
        assert 'WWW-Authenticate' in headers


def test_other_project_in_url_is_400(keystone_api, keystone):
    path = '/v3/%s/extensions' % keystone.other_project_id
    for user in ROLES:
        status, _headers, body = _get(keystone_api, path,
                                      keystone.token(user))
        assert status == 400, (user, body)
        assert _json(body) == {'badRequest': {
            'code': 400, 'message': 'Malformed request url'}}


def test_service_user_token_is_scoped_to_its_project(keystone_api, keystone):
    token = keystone.token(ks.SERVICE_USER, ks.SERVICE_PROJECT)
    service_project = keystone.project_ids[ks.SERVICE_PROJECT]
    status, _headers, _body = _get(
        keystone_api, '/v3/%s/extensions' % service_project, token)
    assert status == 200
    status, _headers, _body = _get(
        keystone_api, '/v3/%s/extensions' % keystone.project_id, token)
    assert status == 400
