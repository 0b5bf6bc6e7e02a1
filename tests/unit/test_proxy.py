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
"""The proxy-headers filter: oslo's rewriting, without oslo's wrapping."""

from oslo_middleware import base
from oslo_middleware import http_proxy_to_wsgi
import pytest
import webob

from cinder.api.middleware import proxy

REWRITTEN = ('wsgi.url_scheme', 'HTTP_HOST', 'REMOTE_ADDR', 'SCRIPT_NAME')
HEADER_SETS = [
    {},
    {'X-Forwarded-Proto': 'https'},
    {'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'cloud.example.com',
     'X-Forwarded-For': '203.0.113.7', 'X-Forwarded-Prefix': '/volume'},
    {'Forwarded': 'for=203.0.113.7;proto=https;host=cloud.example.com, '
                  'for=10.0.0.1;proto=http'},
    {'Forwarded': 'proto=https', 'X-Forwarded-Host': 'ignored.example.com'},
    {'X-Forwarded-Prefix': '/block'},
]


@pytest.fixture
def conf(conf):
    """The filters register their option when built; tests set it first."""
    conf.register_opts(http_proxy_to_wsgi.OPTS, group='oslo_middleware')
    return conf


class _Recorder:
    """The app below the filter: keeps the environ it saw, answers a body
    iterable the test can recognise."""

    def __init__(self):
        self.environ = None
        self.body = iter([b'{"ok": true}'])

    def __call__(self, environ, start_response):
        self.environ = dict(environ)
        start_response('200 OK', [('Content-Length', '12')])
        return self.body


def _seen(filter_class, conf, headers):
    recorder = _Recorder()
    request = webob.Request.blank('/v3/', headers=headers,
                                  remote_addr='127.0.0.1')
    request.environ['SCRIPT_NAME'] = ''
    request.get_response(filter_class(recorder, conf))
    return {key: recorder.environ.get(key) for key in REWRITTEN}


@pytest.mark.parametrize('headers', HEADER_SETS)
def test_environ_rewritten_as_oslo_does(conf, headers):
    conf.set_override('enable_proxy_headers_parsing', True,
                      group='oslo_middleware')
    assert _seen(proxy.HTTPProxyToWSGI, conf, headers) == _seen(
        http_proxy_to_wsgi.HTTPProxyToWSGI, conf, headers)


@pytest.mark.parametrize('headers', HEADER_SETS[1:])
def test_headers_ignored_with_parsing_off(conf, headers):
    assert _seen(proxy.HTTPProxyToWSGI, conf, headers) == {
        'wsgi.url_scheme': 'http', 'HTTP_HOST': 'localhost:80',
        'REMOTE_ADDR': '127.0.0.1', 'SCRIPT_NAME': ''}


@pytest.mark.parametrize('parsing', [True, False])
def test_answer_passed_on_without_wrapping(conf, monkeypatch, parsing):
    """No response object is built around the application's answer and no
    signature is inspected: the client gets the application's own iterable
    and headers."""
    conf.set_override('enable_proxy_headers_parsing', parsing,
                      group='oslo_middleware')
    responses = []
    original_init = webob.Response.__init__

    def counting_init(self, *args, **kwargs):
        responses.append(self)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(webob.Response, '__init__', counting_init)
    monkeypatch.setattr(base, 'getfullargspec', None)  # fails if called
    recorder = _Recorder()
    started = []
    environ = webob.Request.blank(
        '/v3/', headers={'X-Forwarded-Proto': 'https'}).environ
    body = proxy.HTTPProxyToWSGI(recorder, conf)(
        environ, lambda status, headers: started.append((status, headers)))
    assert body is recorder.body
    assert started == [('200 OK', [('Content-Length', '12')])]
    assert responses == []
    assert recorder.environ['wsgi.url_scheme'] == (
        'https' if parsing else 'http')
