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
"""Routing, faults, request ids and the extensions resource."""

import collections
import gc
import io
import json
import re
import weakref

import pytest
import routes
import webob
import webob.exc

from cinder.api import app as api_app
from cinder.api import faults
from cinder.api import microversions
from cinder.api import wsgi
from cinder.api.v3 import extensions
from cinder.api.v3 import router
from cinder import context
from cinder import exception

PROJECT = '0123456789abcdef0123456789abcdef'
TOKEN = {'X-Auth-Token': 'user1:%s' % PROJECT}


@pytest.mark.parametrize('path', ['/v3/extensions',
                                  '/v3/%s/extensions' % PROJECT])
def test_extensions_with_and_without_project(request_app, path):
    response = request_app(path, headers=TOKEN)
    assert response.status_int == 200
    aliases = {ext['alias'] for ext in response.json['extensions']}
    assert aliases == {'os-availability-zone', 'os-services',
                       'os-extended-services', 'os-types-manage',
                       'os-types-extra-specs', 'os-volume-type-access',
                       'os-quota-sets', 'os-quota-class-sets',
                       'os-used-limits', 'os-volume-actions',
                       'os-admin-actions', 'os-vol-tenant-attr',
                       'os-vol-host-attr', 'os-vol-mig-status-attr',
                       'os-snapshot-actions',
                       'os-extended-snapshot-attributes', 'OS-SCH-HNT'}
    assert response.json['extensions'][1] == {
        'alias': 'os-types-manage', 'name': 'TypesManage',
        'description': 'Types manage support.',
        'updated': '2011-08-24T00:00:00+00:00', 'links': []}


def test_extensions_follow_the_route_table():
    provided = extensions.provided(frozenset({'/os-availability-zone'}))
    assert [ext['alias'] for ext in provided] == ['os-availability-zone']
    assert extensions.provided(frozenset()) == []


def test_unknown_extension_is_404(request_app):
    response = request_app('/v3/extensions/os-nothing')
    assert response.status_int == 404
    assert response.json == {'itemNotFound': {
        'code': 404, 'message': 'Extension os-nothing could not be found.'}}


def test_url_project_must_be_the_callers(request_app):
    response = request_app('/v3/abcdef/extensions', headers=TOKEN)
    assert response.status_int == 400
    assert response.json == {'badRequest': {
        'code': 400, 'message': 'Malformed request url'}}


def test_non_hex_project_segment_is_404(request_app):
    response = request_app('/v3/admin/extensions',
                           headers={'X-Auth-Token': 'admin:admin'})
    assert response.status_int == 404


@pytest.mark.parametrize('path', ['/nothing', '/v3/nothing', '/v2/volumes',
                                  '/v3/%s/' % PROJECT])
def test_unknown_paths_are_json_404(request_app, path):
    response = request_app(path, headers=TOKEN)
    assert response.status_int == 404
    assert response.content_type == 'application/json'
    assert response.json['itemNotFound']['code'] == 404


def test_wrong_method_is_405_with_allow(request_app):
    response = request_app('/v3/extensions', method='DELETE')
    assert response.status_int == 405
    assert response.headers['Allow'] == 'GET'
    assert response.json['badMethod']['code'] == 405


def test_request_id_on_every_response(request_app):
    for path in ('/', '/v3/', '/v3/extensions', '/nothing', '/healthcheck'):
        response = request_app(path)
        request_id = response.headers['x-openstack-request-id']
        assert request_id.startswith('req-')
        assert response.headers['x-compute-request-id'] == request_id


def test_healthcheck_needs_no_auth(conf):
    from cinder.api import app as api_app
    conf.set_override('auth_strategy', 'keystone')
    response = webob.Request.blank('/healthcheck').get_response(
        api_app.load_app(conf))
    assert response.status_int == 200


def _healthchecks(tmp_path):
    """oslo.middleware's healthcheck app and ours, with the sample's
    disable_by_file backend on a file under tmp_path."""
    from oslo_middleware import healthcheck as oslo_healthcheck

    from cinder.api.middleware import healthcheck
    local_conf = {'backends': 'disable_by_file',
                  'disable_by_file_path': str(tmp_path / 'disable')}
    return (oslo_healthcheck.Healthcheck.app_factory(None, **local_conf),
            healthcheck.Healthcheck.app_factory(None, **local_conf))


@pytest.mark.parametrize('disabled', [False, True])
def test_healthcheck_answers_as_oslo_does(conf, tmp_path, disabled):
    if disabled:
        (tmp_path / 'disable').write_text('')
    theirs, ours = _healthchecks(tmp_path)
    for method, accept in (('GET', None), ('GET', 'text/plain'),
                           ('GET', 'application/json'), ('HEAD', None)):
        answers = []
        for app in (theirs, ours):
            req = webob.Request.blank('/healthcheck', method=method)
            if accept:
                req.accept = accept
            response = req.get_response(app)
            answers.append((response.status, response.content_type,
                            response.body))
        assert answers[0] == answers[1], (method, accept)
    assert answers[0][0] == ('503 Service Unavailable' if disabled
                             else '204 No Content')


def test_healthcheck_compiles_no_template_per_request(conf, tmp_path,
                                                      monkeypatch):
    import jinja2
    _theirs, ours = _healthchecks(tmp_path)
    compiled = []
    real_compile = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, 'compile',
                        lambda *a, **k: compiled.append(1)
                        or real_compile(*a, **k))
    response = webob.Request.blank('/healthcheck').get_response(ours)
    assert (response.status_int, response.body) == (200, b'OK')
    assert compiled == []


def test_body_over_the_limit_is_413(conf, request_app):
    conf.set_override('max_request_body_size', 100, group='oslo_middleware')
    response = request_app('/v3/extensions', method='POST', body='x' * 101,
                           headers={'Content-Type': 'application/json'})
    assert response.status_int == 413
    assert response.json['overLimit']['code'] == 413
    assert 'max_request_body_size (100)' in (
        response.json['overLimit']['message'])


def _unsized_request(path, body, limit_conf=None):
    """A POST whose body has no Content-Length (chunked, as a WSGI server
    hands it over)."""
    req = webob.Request.blank(path, method='POST', remote_addr='127.0.0.1',
                              headers={'Content-Type': 'application/json',
                                       'X-Auth-Token': 'admin:' + PROJECT})
    req.body_file = io.BytesIO(body)
    assert req.content_length is None
    return req


def test_body_without_length_over_the_limit_is_413(conf, app):
    conf.set_override('max_request_body_size', 100, group='oslo_middleware')
    body = b'{"volume_type": {"name": "%s"}}' % (b'x' * 200)
    response = _unsized_request('/v3/%s/types' % PROJECT, body).get_response(
        app)
    assert response.status_int == 413
    assert response.json['overLimit']['code'] == 413


def test_body_without_length_under_the_limit_is_read(conf, app):
    conf.set_override('max_request_body_size', 100, group='oslo_middleware')
    response = _unsized_request('/v3/%s/types' % PROJECT,
                                b'{"volume_type": {"name": "chunked"}}'
                                ).get_response(app)
    assert response.status_int == 200, response.text
    assert response.json['volume_type']['name'] == 'chunked'


def test_preflight_is_answered_200_without_cors_configured(request_app):
    """As Cinder's CORS filter does, whatever the route would answer."""
    response = request_app('/v3/%s/volumes' % PROJECT, method='OPTIONS')
    assert response.status_int == 200
    assert 'Access-Control-Allow-Origin' not in response.headers


def test_cors_headers_for_the_allowed_origin_only(conf):
    from oslo_middleware import cors
    from cinder.api import app as api_app
    conf.register_opts(cors.CORS_OPTS, 'cors')
    conf.set_override('allowed_origin', ['https://dash.example.com'],
                      group='cors')
    app = api_app.load_app(conf)

    def send(origin, method='GET', headers=()):
        return webob.Request.blank(
            '/v3/%s/volumes' % PROJECT, method=method, remote_addr='127.0.0.1',
            headers=dict(headers, Origin=origin,
                         **{'X-Auth-Token': 'admin:' + PROJECT}),
        ).get_response(app)

    allowed = send('https://dash.example.com')
    assert allowed.status_int == 200
    assert allowed.headers['Access-Control-Allow-Origin'] == (
        'https://dash.example.com')
    assert 'OpenStack-API-Version' in (
        allowed.headers['Access-Control-Expose-Headers'])
    assert 'Access-Control-Allow-Origin' not in send(
        'https://elsewhere.example.com').headers
    preflight = send('https://dash.example.com', method='OPTIONS',
                     headers={'Access-Control-Request-Method': 'POST'})
    assert preflight.status_int == 200
    assert 'POST' in preflight.headers['Access-Control-Allow-Methods']


def _one_mapper(route_table, project_id_regex):
    """The whole table in one Routes mapper, as it was built before the
    table was split per resource: the reference RouteMap must answer like."""
    mapper = routes.Mapper()
    mapper.minimization = False
    mapper.explicit = True
    requirements = {'project_id': project_id_regex}
    for path, methods, *_since in route_table:
        for template in ('/{project_id}' + path, path):
            for method, handler in methods.items():
                mapper.connect(template, handler=handler,
                               requirements=requirements,
                               conditions={'method': [method]})
            mapper.connect(template, handler=router._method_not_allowed(
                methods), requirements=requirements)
    return mapper


def _route_of(match, environ):
    """What a match decides: the handler (or the methods a 405 allows) and
    the path's variables."""
    if match is None:
        return None
    variables = {k: v for k, v in match.items()
                 if k not in ('handler', 'min_version')}
    handler = match['handler']
    if handler.__qualname__.startswith('_method_not_allowed.'):
        with pytest.raises(webob.exc.HTTPMethodNotAllowed) as refused:
            handler(webob.Request(environ))
        return refused.value.headers['Allow'], variables
    return handler, variables


def _sample_paths(route_table):
    for path, *_rest in route_table:
        for value in ('x1', 'detail', 'default', 'action', 'types',
                      'volumes', 'limits'):
            filled = re.sub(r'{[a-z_]+}', value, path)
            yield filled
            yield '/' + PROJECT + filled
            yield '/' + PROJECT + filled + '/extra'
    yield from ('', '/', '/' + PROJECT, '/unknown', '/%s/unknown' % PROJECT)


@pytest.mark.parametrize('project_id_regex', [r'[0-9a-f\-]+', r'[a-z0-9]+'])
def test_route_map_answers_as_one_mapper_of_the_table(project_id_regex):
    """Every path of the table, filled with ids and with names other routes
    use, in both URL forms, by every method: the same handler (or 405) and
    variables as one mapper of the whole table. The second regex lets a
    resource name pass as a project id, so some paths match in both forms."""
    table = router.ROUTES
    route_map = router.make_route_map(table, project_id_regex)
    reference = _one_mapper(table, project_id_regex)
    compared = 0
    for path in _sample_paths(table):
        for method in ('GET', 'POST', 'PUT', 'DELETE', 'PATCH'):
            environ = webob.Request.blank(path, method=method).environ
            expected = _route_of(reference.match(environ=environ), environ)
            assert _route_of(route_map.match(environ), environ) == expected, (
                method, path)
            compared += expected is not None
    assert compared > 500


def _router_with(handler):
    import cinder.conf
    table = (('/boom', {'GET': handler}),)
    app = router.APIRouter(cinder.conf.CONF, route_table=table)

    def send(path='/boom'):
        req = webob.Request.blank(path)
        req.environ['cinder.context'] = context.RequestContext(
            user_id='u', project_id=PROJECT, overwrite=False)
        return req.get_response(app)
    return send


def test_domain_errors_become_faults(conf):
    def handler(req):
        raise exception.InvalidInput(reason='size must be > 0')
    response = _router_with(handler)()
    assert response.status_int == 400
    assert response.json == {'badRequest': {
        'code': 400, 'message': 'Invalid input received: size must be > 0'}}
    assert response.headers['OpenStack-API-Version'] == 'volume 3.0'


def test_unexpected_errors_are_a_generic_500(request_app, conf):
    from cinder.api.middleware import fault

    def crash(environ, start_response):
        raise RuntimeError('secret internals')
    response = webob.Request.blank('/').get_response(fault.FaultWrapper(crash))
    assert response.status_int == 500
    assert response.json == {'computeFault': {
        'code': 500, 'message': faults.GENERIC_500}}
    assert 'secret' not in response.text


def test_fault_names():
    assert faults.FAULT_NAMES[413] == 'overLimit'
    body = faults.fault_response(409, 'dup').json
    assert body == {'conflictingRequest': {'code': 409, 'message': 'dup'}}


def test_servers_leave_the_loaded_objects_out_of_collections():
    class Node:
        pass

    thresholds = gc.get_threshold()
    try:
        api_app.settle_for_serving()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (api_app.YOUNG_COLLECTION_THRESHOLD,
                                      *thresholds[1:])
        node = Node()
        node.cycle = node
        alive = weakref.ref(node)
        api_app.settle_for_serving()  # frozen with what is loaded
        del node
        gc.collect()
        assert alive() is not None
        # Settling again (after a reload) lets go of what was frozen, so a
        # replaced application's cycles are collected.
        api_app.settle_for_serving()
        assert alive() is None
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_json_bodies_decode_as_the_json_module_would_write_them():
    """orjson writes the bodies: compact, UTF-8 rather than \\u escapes,
    and keys that are not strings made strings, as json.dumps does."""
    body = {'name': 'n\u00e9 "q" \\ \U0001f4be \n\t', 'none': None,
            'counts': {1: 'one', 2.5: 'half'}, 'items': (1, True),
            'pair': collections.namedtuple('Pair', 'a b')(1, [2]),
            'version': microversions.MAX}
    response = wsgi.json_response(body, status=202)
    assert response.status_int == 202
    assert response.content_type == 'application/json'
    assert json.loads(response.body.decode('utf-8')) == json.loads(
        json.dumps(body))
    assert '\u00e9'.encode('utf-8') in response.body
    with pytest.raises(TypeError):
        wsgi.json_response({'when': object()})


def _filters_at(v3, version, query=''):
    response = v3('GET', '/resource_filters' + query, persona='reader',
                  headers={'OpenStack-API-Version': 'volume ' + version})
    return response.status_int, response.json


def test_resource_filters_follow_the_microversion(v3):
    assert _filters_at(v3, '3.32')[0] == 404
    status, body = _filters_at(v3, '3.33')
    assert status == 200
    listed = {item['resource']: item['filters']
              for item in body['resource_filters']}
    assert listed['volume'] == ['name', 'status', 'metadata', 'bootable',
                                'migration_status', 'availability_zone',
                                'size', 'group_id']
    assert listed['snapshot'] == ['name', 'status', 'volume_id',
                                  'availability_zone', 'metadata']
    _, body = _filters_at(v3, '3.65', '?resource=volume')
    (volume,) = body['resource_filters']
    assert volume['filters'][-3:] == ['created_at', 'updated_at',
                                      'consumes_quota']


def test_a_listed_filter_is_accepted_and_an_unlisted_one_refused(v3):
    """What /resource_filters lists is what the volume list accepts."""
    headers = {'OpenStack-API-Version': 'volume 3.33'}
    assert v3('GET', '/volumes?status=available', persona='reader',
              headers=headers).status_int == 200
    assert v3('GET', '/volumes?host=x', persona='reader',
              headers=headers).status_int == 400


def test_request_id_filter_keeps_a_wellformed_global_request_id():
    from cinder.api.middleware import request_id
    seen = []

    def app(environ, start_response):
        seen.append(dict(environ))
        start_response('200 OK', [('X-Compute-Request-Id', 'req-mine')])
        return [b'']

    started = []
    good = 'req-12345678-1234-1234-1234-123456789abc'
    for inbound in (good, 'not-an-id'):
        environ = {'HTTP_X_OPENSTACK_REQUEST_ID': inbound}
        request_id.RequestId(app)(environ, lambda s, h, e=None:
                                  started.append(dict(h)))
    assert seen[0]['openstack.global_request_id'] == good
    assert 'openstack.global_request_id' not in seen[1]
    own = seen[0]['openstack.request_id']
    assert own.startswith('req-') and own != good
    # A header the application set itself is left alone.
    assert started[0] == {'X-Compute-Request-Id': 'req-mine',
                          'x-openstack-request-id': own}
