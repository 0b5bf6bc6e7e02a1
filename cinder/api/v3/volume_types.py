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
"""Handlers for /types: volume types, extra specs and private type access."""

import ast

from oslo_utils import strutils

from cinder.api import microversions
from cinder.api.schemas import volume_types as schemas
from cinder.api import wsgi
import cinder.conf
from cinder import exception
from cinder.objects import default_type
from cinder.objects import volume_type
from cinder.policies import volume_types as policies

# Extra specs a non-admin may see (Cinder's user-visible keys).
USER_VISIBLE_SPECS = ('RESKEY:availability_zones', 'multiattach',
                      'replication_enabled')


def _spec_filter(context):
    """A function keeping the extra specs *context* may see."""
    if context.allowed(policies.SPECS_READ_SENSITIVE):
        return dict
    return lambda specs: {key: value for key, value in specs.items()
                          if key in USER_VISIBLE_SPECS}


def _viewer(context):
    """A function giving a type's view as *context* may see it.

    The policy checks run once per request, not once per listed type.
    """
    visible_specs = (_spec_filter(context)
                     if context.allowed(policies.EXTRA_SPECS_IN_VIEW)
                     else None)
    show_qos_specs_id = context.allowed(policies.QOS_SPECS_ID)
    show_access = context.allowed(policies.IS_PUBLIC_IN_VIEW)

    def view(vtype):
        result = {'id': vtype['id'], 'name': vtype['name'],
                  'description': vtype['description'],
                  'is_public': vtype['is_public']}
        if visible_specs is not None:
            result['extra_specs'] = visible_specs(vtype['extra_specs'])
        if show_qos_specs_id:
            result['qos_specs_id'] = vtype['qos_specs_id']
        if show_access:
            result['os-volume-type-access:is_public'] = vtype['is_public']
        return result
    return view


def _bool(value):
    return strutils.bool_from_string(value, strict=True)


def _is_public_filter(req):
    """Cinder's rule: admins see public types unless is_public says
    otherwise ('None' means all); others always see public types plus the
    private ones their project may use."""
    if not req.context.is_admin:
        return None
    value = req.GET.get('is_public')
    if value is None:
        return True
    if value.strip().lower() == 'none':
        return None
    try:
        return _bool(value)
    except ValueError:
        raise exception.InvalidInput(
            reason='Invalid is_public filter [%s]' % value)


def _extra_specs_filter(req):
    """From 3.52: ?extra_specs={'key': 'value'} (a Python literal, as
    Cinder takes it); non-admins may filter on user-visible keys only."""
    text = req.GET.get('extra_specs')
    if text is None or not req.api_version.matches(
            microversions.SUPPORT_VOLUME_TYPE_FILTER):
        return None
    try:
        wanted = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        wanted = None
    if not isinstance(wanted, dict):
        raise exception.InvalidInput(
            reason='Invalid extra_specs filter: %s' % text)
    return {str(key): str(value) for key, value in wanted.items()}


def list_volume_types(req):
    """GET /types: 200 and the types the caller may see."""
    context = req.context
    context.can(policies.GET_ALL)
    types = volume_type.get_all(context, is_public=_is_public_filter(req))
    wanted = _extra_specs_filter(req)
    if wanted:
        visible_specs = _spec_filter(context)
        types = [vtype for vtype in types
                 if wanted.items() <= visible_specs(
                     vtype['extra_specs']).items()]
    view = _viewer(context)
    return wsgi.json_response({'volume_types': [
        view(vtype) for vtype in types]})


def show_volume_type(req):
    """GET /types/{type_id}: 200 and the type, or 404."""
    context = req.context
    context.can(policies.GET)
    vtype = volume_type.get(context, req.urlvars['type_id'])
    return wsgi.json_response({'volume_type': _viewer(context)(vtype)})


def show_default_volume_type(req):
    """GET /types/default: 200 and the default type, or 404."""
    context = req.context
    context.can(policies.GET)
    return wsgi.json_response({'volume_type': _viewer(context)(
        default_for(context, req.api_version))})


def default_for(context, version):
    """The type a volume gets when it names none: from 3.62 the project's
    own default if set, else default_volume_type."""
    if version.matches(microversions.DEFAULT_TYPES):
        try:
            row = default_type.get(context.project_id)
            return volume_type.get(context, row['volume_type_id'])
        except exception.NotFound:
            pass
    try:
        return volume_type.get_by_name(context,
                                       cinder.conf.CONF.default_volume_type)
    except exception.NotFound:
        raise exception.DefaultVolumeTypeNotFound()


def create_volume_type(req):
    """POST /types: 200 and the new type; 409 if the name is taken."""
    context = req.context
    context.can(policies.CREATE)
    body = wsgi.read_json(req, schemas.CREATE)['volume_type']
    name = body['name'].strip()
    if not name:
        raise exception.InvalidInput(reason='Volume type name can not be '
                                            'empty.')
    is_public = _bool(body.get('os-volume-type-access:is_public', True))
    vtype = volume_type.create(context, name,
                               description=body.get('description'),
                               is_public=is_public,
                               extra_specs=body.get('extra_specs'))
    return wsgi.json_response({'volume_type': _viewer(context)(vtype)})


def update_volume_type(req):
    """PUT /types/{type_id}: 200 and the type as changed."""
    context = req.context
    context.can(policies.UPDATE)
    body = wsgi.read_json(req, schemas.UPDATE)['volume_type']
    changes = {}
    if body.get('name') is not None:
        changes['name'] = body['name'].strip()
        if not changes['name']:
            raise exception.InvalidInput(reason='Volume type name can not '
                                                'be empty.')
    if 'description' in body:
        changes['description'] = body['description']
    if body.get('is_public') is not None:
        changes['is_public'] = _bool(body['is_public'])
    if not changes:
        raise exception.InvalidInput(
            reason='Specify volume type name, description, is_public or a '
                   'combination thereof.')
    vtype = volume_type.update(context, req.urlvars['type_id'], **changes)
    return wsgi.json_response({'volume_type': _viewer(context)(vtype)})


def delete_volume_type(req):
    """DELETE /types/{type_id}: 202; 400 for the default type."""
    context = req.context
    context.can(policies.DELETE)
    volume_type.delete(context, req.urlvars['type_id'],
                       cinder.conf.CONF.default_volume_type)
    return wsgi.empty_response(202)


def list_extra_specs(req):
    """GET /types/{type_id}/extra_specs: 200 and the visible specs."""
    context = req.context
    context.can(policies.SPECS_INDEX)
    vtype = volume_type.get(context, req.urlvars['type_id'])
    return wsgi.json_response({'extra_specs': _spec_filter(context)(
        vtype['extra_specs'])})


def create_extra_specs(req):
    """POST /types/{type_id}/extra_specs: 200, echoing the body."""
    context = req.context
    context.can(policies.SPECS_CREATE)
    specs = wsgi.read_json(req, schemas.EXTRA_SPECS_CREATE)['extra_specs']
    volume_type.update_extra_specs(context, req.urlvars['type_id'], specs)
    return wsgi.json_response({'extra_specs': specs})


def show_extra_spec(req):
    """GET /types/{type_id}/extra_specs/{key}: 200 and {key: value}."""
    context = req.context
    context.can(policies.SPECS_SHOW)
    type_id, key = req.urlvars['type_id'], req.urlvars['key']
    specs = _spec_filter(context)(
        volume_type.get(context, type_id)['extra_specs'])
    if key not in specs:
        raise exception.VolumeTypeExtraSpecsNotFound(volume_type_id=type_id,
                                                     extra_specs_key=key)
    return wsgi.json_response({key: specs[key]})


def update_extra_spec(req):
    """PUT /types/{type_id}/extra_specs/{key}: 200, echoing the body."""
    context = req.context
    context.can(policies.SPECS_UPDATE)
    body = wsgi.read_json(req, schemas.EXTRA_SPEC_UPDATE)
    if req.urlvars['key'] not in body:
        raise exception.InvalidInput(reason='Request body and URI mismatch')
    volume_type.update_extra_specs(context, req.urlvars['type_id'], body)
    return wsgi.json_response(body)


def delete_extra_spec(req):
    """DELETE /types/{type_id}/extra_specs/{key}: 202, or 404."""
    context = req.context
    context.can(policies.SPECS_DELETE)
    volume_type.delete_extra_spec(context, req.urlvars['type_id'],
                                  req.urlvars['key'])
    return wsgi.empty_response(202)


def list_type_access(req):
    """GET /types/{type_id}/os-volume-type-access: 200; 404 if public."""
    context = req.context
    context.can(policies.LIST_PROJECTS)
    type_id = req.urlvars['type_id']
    if volume_type.get(context, type_id)['is_public']:
        raise exception.NotFound('Access list not available for public '
                                 'volume types.')
    return wsgi.json_response({'volume_type_access': [
        {'volume_type_id': type_id, 'project_id': project_id}
        for project_id in volume_type.get_access(context, type_id)]})


def _add_project_access(req, body):
    req.context.can(policies.ADD_PROJECT)
    volume_type.add_access(req.context, req.urlvars['type_id'],
                           body['addProjectAccess']['project'])


def _remove_project_access(req, body):
    req.context.can(policies.REMOVE_PROJECT)
    volume_type.remove_access(req.context, req.urlvars['type_id'],
                              body['removeProjectAccess']['project'])


ACTIONS = {
    'addProjectAccess': (schemas.ADD_PROJECT_ACCESS, _add_project_access),
    'removeProjectAccess': (schemas.REMOVE_PROJECT_ACCESS,
                            _remove_project_access),
}


def volume_type_action(req):
    """POST /types/{type_id}/action: add or remove project access, 202."""
    schema, action = wsgi.action_for(req, ACTIONS)
    body = wsgi.read_json(req, schema)
    action(req, body)
    return wsgi.empty_response(202)
