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
"""Handlers for /default-types (3.62): a project's own default type."""

from cinder.api.schemas import default_types as schemas
from cinder.api import wsgi
from cinder.objects import default_type
from cinder.objects import volume_type
from cinder.policies import default_types as policies


def _view(row):
    return {'project_id': row['project_id'],
            'volume_type_id': row['volume_type_id']}


def set_default_type(req):
    """PUT /default-types/{project_id}: 200 and the default set."""
    req.context.can(policies.SET)
    body = wsgi.read_json(req, schemas.SET)
    vtype = volume_type.get_by_name_or_id(
        req.context, body['default_type']['volume_type'])
    row = default_type.set_default(req.urlvars['default_project_id'],
                                   vtype['id'])
    return wsgi.json_response({'default_type': _view(row)})


def show_default_type(req):
    """GET /default-types/{project_id}: 200, or 404 if none is set."""
    req.context.can(policies.GET)
    row = default_type.get(req.urlvars['default_project_id'])
    return wsgi.json_response({'default_type': _view(row)})


def list_default_types(req):
    """GET /default-types: 200 and every project's default type."""
    req.context.can(policies.GET_ALL)
    return wsgi.json_response({'default_types': [
        _view(row) for row in default_type.get_all()]})


def unset_default_type(req):
    """DELETE /default-types/{project_id}: 204."""
    req.context.can(policies.UNSET)
    default_type.unset(req.urlvars['default_project_id'])
    return wsgi.empty_response(204)
