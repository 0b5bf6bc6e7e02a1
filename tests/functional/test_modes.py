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
"""The same API scenario against every deployment mode, over real HTTP.

server.path() puts a request under the mode's URL prefix ('/volume' for
the prefixed nginx and Apache modes); links must keep that prefix, and the
host and port the client used.
"""

import http.client
import json
import re
import threading
import time

import pytest


PROJECT = '0123456789abcdef0123456789abcdef'


def _json(body):
    return json.loads(body)


def test_root_is_the_version_document(server):
    status, headers, body = server.request('GET', server.path('/'))
    assert status == 300
    (version,) = _json(body)['versions']
    assert version['id'] == 'v3.0'
    assert version['min_version'] == '3.0'
    assert _links(version)['self'] == server.url + server.path('/v3/')
    assert headers['OpenStack-API-Version'].startswith('volume 3.')


def _links(version):
    return {link['rel']: link['href'] for link in version['links']}


def test_v3_discovery_without_token(server):
    for path in ('/v3', '/v3/'):
        status, _headers, body = server.request('GET', server.path(path))
        assert status == 200, path
        (version,) = _json(body)['versions']
        assert version['status'] == 'CURRENT'
        assert _links(version)['self'] == server.url + server.path('/v3/')


def test_links_follow_the_proxy(server):
    """X-Forwarded-* from a client: trusted by the API itself (the test
    configuration sets enable_proxy_headers_parsing, as for a proxy in
    front), replaced by nginx where nginx is that proxy."""
    status, _headers, body = server.request('GET', server.path('/v3/'),
                                            headers={
        'X-Forwarded-Proto': 'https',
        'X-Forwarded-Host': 'cloud.example.com',
        'X-Forwarded-Prefix': '/spoofed'})
    assert status == 200
    (version,) = _json(body)['versions']
    if server.proxied:
        assert _links(version)['self'] == server.url + server.path('/v3/')
    else:
        assert _links(version)['self'] == (
            'https://cloud.example.com/spoofed%s' % server.path('/v3/'))


def test_links_behind_tls(server):
    """nginx terminates TLS: links say https, with nginx's TLS port."""
    if server.tls_port is None:
        return  # no TLS listener in front of this mode
    for path in ('/', '/v3/'):
        status, _headers, body = server.request('GET', server.path(path),
                                                tls=True)
        assert status in (200, 300)
        (version,) = _json(body)['versions']
        assert _links(version)['self'] == 'https://127.0.0.1:%d%s' % (
            server.tls_port, server.path('/v3/'))


def test_request_id_on_every_answer(server):
    for path in ('/', '/v3/extensions', '/v3/missing', '/healthcheck'):
        _status, headers, _body = server.request('GET', server.path(path))
        lowered = {k.lower(): v for k, v in headers.items()}
        assert lowered['x-openstack-request-id'].startswith('req-'), path


def test_one_log_line_per_request_with_its_id(server):
    """oslo.log's request line (requestlog filter), with the request id,
    once per request, where this mode's log goes (standard error, or
    Apache's ErrorLog for mod_wsgi)."""
    ids = {}
    for path, status in (('/v3/extensions', 200), ('/v3/missing', 404),
                         ('/healthcheck', 200), ('/', 300)):
        got, headers, _body = server.request('GET', server.path(path))
        assert got == status
        ids[headers['x-openstack-request-id']] = (path, status)
    deadline = time.monotonic() + 5
    while True:
        output = server.output()
        # Access lines: ours, and any the server writes through oslo.log.
        lines = {rid: [line for line in output.splitlines()
                       if rid in line and '"GET ' in line]
                 for rid in ids}
        if all(lines.values()) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    for rid, (path, status) in ids.items():
        assert len(lines[rid]) == 1, (rid, path, lines[rid])
        # The path as the API got it: behind nginx's proxy_pass, without
        # the prefix nginx stripped (X-Forwarded-Prefix is applied later).
        assert re.search(r'"GET (%s)?%s" status: %d len: \d+ time: [0-9.]+$'
                         % (re.escape(server.prefix), re.escape(path),
                            status), lines[rid][0]), lines[rid][0]


def test_healthcheck(server):
    status, _headers, body = server.request('GET',
                                            server.path('/healthcheck'))
    assert (status, body) == (200, b'OK')


def test_extensions_with_and_without_project(server):
    for path in ('/v3/extensions', '/v3/%s/extensions' % PROJECT):
        status, _headers, body = server.request(
            'GET', server.path(path),
            headers={'X-Auth-Token': 'user:%s' % PROJECT})
        assert status == 200
        assert isinstance(_json(body)['extensions'], list)


def test_faults_are_cinder_json(server):
    status, headers, body = server.request('GET', server.path('/v3/missing'))
    assert status == 404
    assert headers['Content-Type'].startswith('application/json')
    assert _json(body)['itemNotFound']['code'] == 404

    status, headers, body = server.request('DELETE',
                                           server.path('/v3/extensions'))
    assert status == 405
    assert headers['Allow'] == 'GET'
    assert _json(body)['badMethod']['code'] == 405

    status, _headers, body = server.request(
        'GET', server.path('/v3/extensions'),
        headers={'OpenStack-API-Version': 'volume 3.99'})
    assert status == 406
    assert 'computeFault' in _json(body)

    status, _headers, body = server.request(
        'POST', server.path('/v3/extensions'), body=b'x' * 200000,
        headers={'Content-Type': 'application/json'})
    assert status == 413
    assert _json(body)['overLimit']['code'] == 413


def _hrefs(document):
    """Every link in a response body: 'href's and '*_links' lists."""
    if isinstance(document, dict):
        for key, value in document.items():
            if key == 'href' and isinstance(value, str):
                yield value
            else:
                yield from _hrefs(value)
    elif isinstance(document, list):
        for item in document:
            yield from _hrefs(item)


def _assert_links_point_back(server, headers, body):
    """Links and Location headers lead back where the client came from."""
    base = server.url + server.path('/')
    links = [h for h in _hrefs(_json(body)) if '://' in h] if body else []
    if headers.get('Location'):
        links.append(headers['Location'])
    for link in links:
        if link.startswith('https://docs.openstack.org'):
            continue  # the version document's "describedby"
        assert link.startswith(base), (link, base)


ADMIN = {'X-Auth-Token': 'admin:%s' % PROJECT,
         'Content-Type': 'application/json'}


def test_resources_round_trip(server):
    """Every resource the API has, over this mode: a volume type made,
    read, given an extra spec, listed and deleted (database writes and
    reads in the workers), services, limits and messages listed."""
    name = 'type-%s' % server.mode
    v3 = server.path('/v3/%s' % PROJECT)

    def call(method, path, expect, body=None, version=None):
        headers = dict(ADMIN)
        if version:
            headers['OpenStack-API-Version'] = 'volume %s' % version
        status, headers, raw = server.request(
            method, v3 + path, headers=headers,
            body=json.dumps(body).encode() if body is not None else None)
        assert status == expect, (method, path, status, raw[:500])
        _assert_links_point_back(server, headers, raw)
        return _json(raw) if raw else None

    created = call('POST', '/types', 200,
                   {'volume_type': {'name': name, 'description': 'modes'}})
    type_id = created['volume_type']['id']
    assert call('GET', '/types/%s' % type_id, 200)['volume_type'][
        'name'] == name
    call('POST', '/types/%s/extra_specs' % type_id, 200,
         {'extra_specs': {'mode': server.mode}})
    assert call('GET', '/types/%s/extra_specs/mode' % type_id, 200) == {
        'mode': server.mode}
    listed = call('GET', '/types', 200)['volume_types']
    assert name in [vtype['name'] for vtype in listed]
    call('DELETE', '/types/%s' % type_id, 202)
    call('GET', '/types/%s' % type_id, 404)
    assert isinstance(call('GET', '/os-services', 200)['services'], list)
    assert 'limits' in call('GET', '/limits', 200)
    # Messages exist from microversion 3.3, when the API announces it.
    _s, _h, body = server.request('GET', server.path('/'))
    newest = _json(body)['versions'][0]['version']
    if tuple(map(int, newest.split('.'))) >= (3, 3):
        assert isinstance(call('GET', '/messages', 200, version='3.3')[
            'messages'], list)


def test_many_keep_alive_clients_all_answered(server):
    """200 clients, each sending requests back to back on its own
    keep-alive connection, all get answers: the benchmark's top
    concurrency, where Apache's stock event MPM closed busy children's
    keep-alive connections under requests already sent
    (etc/cinder/apache-mpm-event.conf)."""
    if server.mode == 'cinder-wsgi':
        pytest.skip("pbr's development server answers one client at a time")
    clients, requests_each = 200, 10
    start = threading.Barrier(clients)
    failures = []

    def client():
        conn = http.client.HTTPConnection('127.0.0.1', server.port,
                                          timeout=60)
        try:
            start.wait()
            for _ in range(requests_each):
                conn.request('GET', server.path('/v3/'))
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failures.append(response.status)
        except (OSError, http.client.HTTPException) as error:
            failures.append(repr(error))
        finally:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [], '%d of %d clients failed, first: %s' % (
        len(failures), clients, failures[0])
