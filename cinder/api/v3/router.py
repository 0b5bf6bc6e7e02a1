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
"""The v3 route table and the dispatcher in front of the handlers.

ROUTES is the whole public surface below /v3: a path, per HTTP method the
handler function, and optionally the microversion that introduced the path
(below it the path is a 404, as in Cinder). Each path is served with and
without a leading ``/{project_id}`` segment, as Cinder does. The dispatcher
negotiates the microversion, matches the route (404, or 405 with Allow),
checks the URL project against the caller's, calls the handler and turns
any error into a fault; every answer carries the microversion headers.
"""

from oslo_log import log as logging
import routes
import webob.dec
import webob.exc

from cinder.api import faults
from cinder.api import microversions
from cinder.api.v3 import default_types
from cinder.api.v3 import extensions
from cinder.api.v3 import messages
from cinder.api.v3 import quotas
from cinder.api.v3 import resource_filters
from cinder.api.v3 import services
from cinder.api.v3 import snapshots
from cinder.api.v3 import volume_actions
from cinder.api.v3 import volume_types
from cinder.api.v3 import volumes
from cinder.api import wsgi
import cinder.conf
from cinder import exception
from cinder.volume import embedded

LOG = logging.getLogger(__name__)

ROUTES = (
    ('/extensions', {
        'GET': extensions.list_extensions,
    }),
    ('/extensions/{alias}', {
        'GET': extensions.show_extension,
    }),
    ('/default-types', {
        'GET': default_types.list_default_types,
    }, microversions.DEFAULT_TYPES),
    ('/default-types/{default_project_id}', {
        'GET': default_types.show_default_type,
        'PUT': default_types.set_default_type,
        'DELETE': default_types.unset_default_type,
    }, microversions.DEFAULT_TYPES),
    ('/messages', {
        'GET': messages.list_messages,
    }, microversions.MESSAGES),
    ('/messages/{message_id}', {
        'GET': messages.show_message,
        'DELETE': messages.delete_message,
    }, microversions.MESSAGES),
    ('/resource_filters', {
        'GET': resource_filters.list_resource_filters,
    }, microversions.RESOURCE_FILTERS),
    ('/limits', {
        'GET': quotas.show_limits,
    }),
    ('/os-quota-sets/{quota_project_id}', {
        'GET': quotas.show_quota_set,
        'PUT': quotas.update_quota_set,
        'DELETE': quotas.delete_quota_set,
    }),
    ('/os-quota-sets/{quota_project_id}/defaults', {
        'GET': quotas.show_quota_defaults,
    }),
    ('/os-quota-class-sets/{class_name}', {
        'GET': quotas.show_quota_class_set,
        'PUT': quotas.update_quota_class_set,
    }),
    ('/os-availability-zone', {
        'GET': services.list_availability_zones,
    }),
    ('/os-services', {
        'GET': services.list_services,
    }),
    ('/os-services/{action}', {
        'PUT': services.update_service,
    }),
    ('/types', {
        'GET': volume_types.list_volume_types,
        'POST': volume_types.create_volume_type,
    }),
    # Before /types/{type_id}, which would take "default" as an id.
    ('/types/default', {
        'GET': volume_types.show_default_volume_type,
    }),
    ('/types/{type_id}', {
        'GET': volume_types.show_volume_type,
        'PUT': volume_types.update_volume_type,
        'DELETE': volume_types.delete_volume_type,
    }),
    ('/types/{type_id}/extra_specs', {
        'GET': volume_types.list_extra_specs,
        'POST': volume_types.create_extra_specs,
    }),
    ('/types/{type_id}/extra_specs/{key}', {
        'GET': volume_types.show_extra_spec,
        'PUT': volume_types.update_extra_spec,
        'DELETE': volume_types.delete_extra_spec,
    }),
    ('/types/{type_id}/os-volume-type-access', {
        'GET': volume_types.list_type_access,
    }),
    ('/types/{type_id}/action', {
        'POST': volume_types.volume_type_action,
    }),
    ('/volumes', {
        'GET': volumes.list_volumes,
        'POST': volumes.create_volume,
    }),
    # Before /volumes/{volume_id}, which would take these as ids.
    ('/volumes/detail', {
        'GET': volumes.list_volumes_detail,
    }),
    ('/volumes/summary', {
        'GET': volumes.volume_summary,
    }, microversions.VOLUME_SUMMARY),
    ('/volumes/{volume_id}', {
        'GET': volumes.show_volume,
        'PUT': volumes.update_volume,
        'DELETE': volumes.delete_volume,
    }),
    ('/volumes/{volume_id}/action', {
        'POST': volume_actions.volume_action,
    }),
    ('/volumes/{volume_id}/metadata', {
        'GET': volumes.list_metadata,
        'POST': volumes.create_metadata,
        'PUT': volumes.replace_metadata,
    }),
    ('/volumes/{volume_id}/metadata/{key}', {
        'GET': volumes.show_metadata_item,
        'PUT': volumes.update_metadata_item,
        'DELETE': volumes.delete_metadata_item,
    }),
    ('/snapshots', {
        'GET': snapshots.list_snapshots,
        'POST': snapshots.create_snapshot,
    }),
    ('/snapshots/detail', {
        'GET': snapshots.list_snapshots_detail,
    }),
    ('/snapshots/{snapshot_id}', {
        'GET': snapshots.show_snapshot,
        'PUT': snapshots.update_snapshot,
        'DELETE': snapshots.delete_snapshot,
    }),
    ('/snapshots/{snapshot_id}/action', {
        'POST': snapshots.snapshot_action,
    }),
    ('/snapshots/{snapshot_id}/metadata', {
        'GET': snapshots.list_metadata,
        'POST': snapshots.create_metadata,
        'PUT': snapshots.replace_metadata,
    }),
    ('/snapshots/{snapshot_id}/metadata/{key}', {
        'GET': snapshots.show_metadata_item,
        'PUT': snapshots.update_metadata_item,
        'DELETE': snapshots.delete_metadata_item,
    }),
)


def _method_not_allowed(allowed):
    def handler(req):
        raise webob.exc.HTTPMethodNotAllowed(
            detail='The method %s is not allowed for this resource.'
                   % req.method,
            headers={'Allow': ', '.join(sorted(allowed))})
    return handler


def make_route_map(route_table, project_id_regex):
    """The RouteMap serving each path with and without {project_id}."""
    mappers = {}
    requirements = {'project_id': project_id_regex}
    for path, methods, *since in route_table:
        # Routes hands extra route arguments back as strings.
        min_version = since[0] if since else microversions.BASE_VERSION
        resource = path.split('/')[1]
        for with_project, template in ((True, '/{project_id}' + path),
                                       (False, path)):
            mapper = mappers.get((with_project, resource))
            if mapper is None:
                mapper = mappers[with_project, resource] = routes.Mapper()
                mapper.minimization = False
                mapper.explicit = True
            for method, handler in methods.items():
                mapper.connect(template, handler=handler,
                               min_version=min_version,
                               requirements=requirements,
                               conditions={'method': [method]})
            mapper.connect(template, handler=_method_not_allowed(methods),
                           min_version=min_version,
                           requirements=requirements)
    return RouteMap(mappers)


class RouteMap:
    """The route table as one Routes mapper per URL form and resource (first
    path segment of the form), so a request is matched against the routes of
    its resource, not against every route in turn (trying the 62
    project-form routes in turn was a tenth of a volume show).

    It answers as one mapper of the whole table: Routes tries routes with a
    longer literal prefix first, so a path that matches in both forms is
    taken in the form without a project id, and within a form in table order.
    """

    def __init__(self, mappers):
        self.mappers = mappers

    def match(self, environ):
        """The route arguments of the request (handler, min_version and the
        path's variables), or None."""
        segments = environ.get('PATH_INFO', '').split('/', 3)
        for with_project, index in ((False, 1), (True, 2)):
            if len(segments) > index:
                mapper = self.mappers.get((with_project, segments[index]))
                match = mapper and mapper.match(environ=environ)
                if match:
                    return match
        return None


class APIRouter:
    """The WSGI application behind the /v3 pipeline."""

    # Start the embedded volume service on the first request (it otherwise
    # starts on the first volume operation; cinder-api's workers start it
    # before they accept); unit tests turn this off.
    start_embedded_service = True

    def __init__(self, conf, route_table=ROUTES):
        self.conf = conf
        self.route_paths = frozenset(entry[0] for entry in route_table)
        self.routes = make_route_map(route_table, conf.project_id_regex)

    @classmethod
    def factory(cls, global_config, **local_config):
        """paste.app_factory, named as Cinder's."""
        return cls(cinder.conf.CONF)

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req):
        if self.start_embedded_service and not self.conf.transport_url:
            # The embedded volume service of this worker process, started
            # on its first request: after the server forked it.
            embedded.runtime_or_none(self.conf)
        return faults.versioned(req, lambda: self._answer(req))

    def _answer(self, req):
        try:
            return self._dispatch(req)
        except (exception.CinderException, webob.exc.HTTPException) as error:
            if isinstance(error, exception.CinderException) and (
                    error.code >= 500):
                LOG.exception('Error handling %s %s', req.method, req.path)
            return faults.from_exception(error)

    def _dispatch(self, req):
        match = self.routes.match(req.environ)
        if match is None:
            raise exception.NotFound('The resource could not be found.')
        handler = match.pop('handler')
        if not req.api_version.matches(match.pop('min_version')):
            raise exception.NotFound('The resource could not be found.')
        req.environ['wsgiorg.routing_args'] = ((), match)
        req.environ['cinder.route_paths'] = self.route_paths
        project_id = match.get('project_id')
        if project_id is not None and project_id != req.context.project_id:
            raise exception.MalformedRequestUrl()
        return handler(req)
