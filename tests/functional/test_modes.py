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
"""The same API scenario against every deployment mode, over real HTTP."""

import json

PROJECT = '0123456789abcdef0123456789abcdef'


def _json(body):
    return json.loads(body)


def test_root_is_the_version_document(server):
    status, headers, body = server.request('GET', '/')
    assert status == 300
    (version,) = _json(body)['versions']
    assert version['id'] == 'v3.0'
    assert version['min_version'] == '3.0'
    links = {link['rel']: link['href'] for link in version['links']}
    assert links['self'] == server.url + '/v3/'
    assert headers['OpenStack-API-Version'] == 'volume 3.0'


def test_v3_discovery_without_token(server):
    for path in ('/v3', '/v3/'):
        status, _headers, body = server.request('GET', path)
        assert status == 200, path
        assert _json(body)['versions'][0]['status'] == 'CURRENT'


def test_links_follow_the_proxy(server):
    status, _headers, body = server.request('GET', '/v3/', headers={
        'X-Forwarded-Proto': 'https',
        'X-Forwarded-Host': 'cloud.example.com'})
    links = {link['rel']: link['href']
             for link in _json(body)['versions'][0]['links']}
    assert links['self'] == 'https://cloud.example.com/v3/'


def test_request_id_on_every_answer(server):
    for path in ('/', '/v3/extensions', '/v3/missing', '/healthcheck'):
        _status, headers, _body = server.request('GET', path)
        lowered = {k.lower(): v for k, v in headers.items()}
        assert lowered['x-openstack-request-id'].startswith('req-'), path


def test_healthcheck(server):
    status, _headers, body = server.request('GET', '/healthcheck')
    assert (status, body) == (200, b'OK')


def test_extensions_with_and_without_project(server):
    for path in ('/v3/extensions', '/v3/%s/extensions' % PROJECT):
        status, _headers, body = server.request(
            'GET', path, headers={'X-Auth-Token': 'user:%s' % PROJECT})
        assert status == 200
        assert _json(body) == {'extensions': []}


def test_faults_are_cinder_json(server):
    status, headers, body = server.request('GET', '/v3/missing')
    assert status == 404
    assert headers['Content-Type'].startswith('application/json')
    assert _json(body)['itemNotFound']['code'] == 404

    status, headers, body = server.request('DELETE', '/v3/extensions')
    assert status == 405
    assert headers['Allow'] == 'GET'
    assert _json(body)['badMethod']['code'] == 405

    status, _headers, body = server.request(
        'GET', '/v3/extensions', headers={'OpenStack-API-Version':
                                          'volume 3.99'})
    assert status == 406
    assert 'computeFault' in _json(body)

    status, _headers, body = server.request(
        'POST', '/v3/extensions', body=b'x' * 200000,
        headers={'Content-Type': 'application/json'})
    assert status == 413
    assert _json(body)['overLimit']['code'] == 413
