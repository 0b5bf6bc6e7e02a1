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
"""Handlers for /messages (3.3; limit and marker from 3.5)."""

from cinder.api import microversions
from cinder.api import wsgi
import cinder.conf
from cinder.objects import message
from cinder.objects import pagination
from cinder.policies import messages as policies

FILTERS = ('event_id', 'resource_type', 'resource_uuid', 'message_level',
           'request_id')


def _time(value):
    return value.isoformat() if value else None


def _viewer(req):
    """A function giving a message's view; links are built once per
    request."""
    prefix = req.link_prefix(cinder.conf.CONF)
    bookmark = req.link_prefix(cinder.conf.CONF, versioned=False)
    return lambda row: _view(row, prefix, bookmark)


def _view(row, prefix, bookmark):
    return {
        'id': row['id'],
        'event_id': row['event_id'],
        'user_message': row['user_message'],
        'message_level': row['message_level'],
        'resource_type': row['resource_type'],
        'resource_uuid': row['resource_uuid'],
        'request_id': row['request_id'],
        'created_at': _time(row['created_at']),
        'guaranteed_until': _time(row['expires_at']),
        'links': [
            {'rel': 'self', 'href': '%s/messages/%s' % (prefix, row['id'])},
            {'rel': 'bookmark',
             'href': '%s/messages/%s' % (bookmark, row['id'])},
        ],
    }


def _target(row):
    return {'project_id': row['project_id']}


def show_message(req):
    """GET /messages/{message_id}: 200, or 404 for another project's."""
    row = message.get(req.context, req.urlvars['message_id'])
    req.context.can(policies.GET, _target(row))
    return wsgi.json_response({'message': _viewer(req)(row)})


def list_messages(req):
    """GET /messages: 200 and the project's messages, newest first."""
    req.context.can(policies.GET_ALL)
    limit, marker = None, None
    if req.api_version.matches(microversions.MESSAGES_PAGINATION):
        limit = pagination.limit_from(req.GET,
                                      cinder.conf.CONF.osapi_max_limit)
        marker = req.GET.get('marker')
    filters = {key: req.GET[key] for key in FILTERS if key in req.GET}
    rows = message.get_all(req.context, limit=limit, marker=marker,
                           filters=filters)
    view = _viewer(req)
    body = {'messages': [view(row) for row in rows]}
    if limit is not None and rows and len(rows) >= limit:
        params = dict(req.GET, marker=rows[-1]['id'])
        query = '&'.join('%s=%s' % item for item in params.items())
        body['messages_links'] = [{
            'rel': 'next',
            'href': '%s/messages?%s' % (req.link_prefix(cinder.conf.CONF),
                                        query)}]
    return wsgi.json_response(body)


def delete_message(req):
    """DELETE /messages/{message_id}: 204."""
    row = message.get(req.context, req.urlvars['message_id'])
    req.context.can(policies.DELETE, _target(row))
    message.delete(req.context, row['id'])
    return wsgi.empty_response(204)
