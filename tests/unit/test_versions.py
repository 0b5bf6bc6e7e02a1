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
"""Version discovery as api-surface.md section 1 describes it."""

import pytest

from cinder.api import microversions


@pytest.mark.parametrize('path,status', [('/', 300), ('/v3', 200),
                                         ('/v3/', 200)])
def test_version_document(request_app, path, status):
    response = request_app(path)
    assert response.status_int == status
    (version,) = response.json['versions']
    assert version['id'] == 'v3.0'
    assert version['status'] == 'CURRENT'
    assert version['version'] == microversions.MAX_VERSION
    assert version['min_version'] == '3.0'
    assert version['media-types'] == [{
        'base': 'application/json',
        'type': 'application/vnd.openstack.volume+json;version=3'}]
    links = {link['rel']: link for link in version['links']}
    assert links['self']['href'] == 'http://localhost/v3/'
    assert links['describedby']['type'] == 'text/html'


def test_discovery_needs_no_token_even_with_keystone(conf, tmp_path):
    """The SDK discovers before it authenticates (GET /v3 without token)."""
    from cinder.api import app as api_app
    import webob
    conf.set_override('auth_strategy', 'keystone')
    app = api_app.load_app(conf)
    for path in ('/', '/v3', '/v3/'):
        response = webob.Request.blank(path).get_response(app)
        assert response.status_int in (200, 300), path


def test_links_behind_a_tls_proxy(conf, request_app):
    conf.set_override('enable_proxy_headers_parsing', True,
                      group='oslo_middleware')
    response = request_app('/v3/', headers={
        'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'cloud.example.com'})
    self_link = [link for link in response.json['versions'][0]['links']
                 if link['rel'] == 'self'][0]
    assert self_link['href'] == 'https://cloud.example.com/v3/'


def test_forwarded_headers_ignored_unless_enabled(request_app):
    response = request_app('/', headers={'X-Forwarded-Proto': 'https'})
    assert 'http://localhost/v3/' in response.text


def test_links_under_a_url_prefix(request_app):
    response = request_app('/v3/', base_url='http://localhost/volume')
    assert response.status_int == 200
    assert 'http://localhost/volume/v3/' in response.text


def test_public_endpoint_wins(conf, request_app):
    conf.set_override('public_endpoint', 'https://api.example.com/volume')
    response = request_app('/')
    assert 'https://api.example.com/volume/v3/' in response.text


def test_root_echoes_version_headers(request_app):
    response = request_app('/')
    assert response.headers['OpenStack-API-Version'] == 'volume 3.0'
    assert response.headers['Vary'] == 'OpenStack-API-Version'
    assert response.headers['x-openstack-request-id'].startswith('req-')
