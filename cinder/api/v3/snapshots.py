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
"""Handlers for /snapshots, their metadata and actions."""

from cinder.api import common
from cinder.api import microversions as mv
from cinder.api.schemas import snapshots as schemas
from cinder.api.schemas import volumes as volume_schemas
from cinder.api.v3 import volumes as volumes_api
from cinder.api import wsgi
from cinder.db import api as db_api
from cinder import exception
from cinder.objects import snapshot as snapshots
from cinder.policies import snapshots as policies
from cinder.policies import volumes as volume_policies
from cinder.volume import api as volume_api

USER_FILTERS = (
    (mv.BASE_VERSION, ('name', 'status', 'volume_id', 'availability_zone')),
    (mv.SNAPSHOT_LIST_METADATA_FILTER, ('metadata',)),
    (mv.USE_QUOTA, ('consumes_quota',)),
)
CONVERTERS = {'metadata': common.metadata_filter,
              'consumes_quota': lambda text: common.is_true(text)}


class Viewer:
    """Snapshot views for one request (policy checked once)."""

    def __init__(self, req):
        context = req.context
        self.version = req.api_version
        self.extended = context.allowed(policies.EXTENDED_ATTRIBUTE, {
            'project_id': context.project_id, 'user_id': context.user_id})
        self.links = common.linker(req, 'snapshots')

    def summary(self, snap):
        view = {
            'id': snap['id'],
            'created_at': common.time(snap['created_at']),
            'updated_at': common.time(snap['updated_at']),
            'name': snap['display_name'],
            'description': snap['display_description'],
            'volume_id': snap['volume_id'],
            'status': snap['status'],
            'size': snap['volume_size'],
            'metadata': snap['metadata'],
        }
        return view

    def detail(self, snap):
        """The base view plus, as in Cinder, the extended attributes and
        the fields of later microversions (show and detail lists only)."""
        view = self.summary(snap)
        if self.extended:
            view['os-extended-snapshot-attributes:project_id'] = (
                snap['project_id'])
            view['os-extended-snapshot-attributes:progress'] = (
                snap['progress'])
        version = self.version
        if version.matches(mv.GROUP_SNAPSHOTS):
            view['group_snapshot_id'] = snap['group_snapshot_id']
        if version.matches(mv.SNAPSHOT_LIST_USER_ID):
            view['user_id'] = snap['user_id']
        if version.matches(mv.USE_QUOTA):
            view['consumes_quota'] = snap['use_quota']
        return view


def _target(snap):
    return {'project_id': snap['project_id'], 'user_id': snap['user_id']}


def _authorized(req, action):
    snap = snapshots.get(req.context, req.urlvars['snapshot_id'])
    req.context.can(action, _target(snap))
    return snap


def show_snapshot(req):
    """GET /snapshots/{snapshot_id}."""
    snap = _authorized(req, policies.GET)
    return wsgi.json_response({'snapshot': Viewer(req).detail(snap)})


def _list(req, detail):
    req.context.can(policies.GET_ALL)
    version = req.api_version
    filters = common.list_filters(
        req, common.user_filters(version, USER_FILTERS), CONVERTERS)
    common.scope_project(req, filters)
    sort_keys = dict(snapshots.SORT_KEYS)
    if not version.matches(mv.SNAPSHOT_SORT_NAME):
        del sort_keys['name']
    viewer = Viewer(req)
    return wsgi.json_response(common.listing(
        req, 'snapshots', snapshots.get_all, filters, sort_keys,
        viewer.detail if detail else viewer.summary))


def list_snapshots(req):
    """GET /snapshots."""
    return _list(req, detail=False)


def list_snapshots_detail(req):
    """GET /snapshots/detail."""
    return _list(req, detail=True)


def _first(body, *keys):
    for key in keys:
        if body.get(key) is not None:
            return body[key]
    return None


def create_snapshot(req):
    """POST /snapshots: 202 and the snapshot, `creating`."""
    context = req.context
    body = wsgi.read_json(req, schemas.CREATE)['snapshot']
    volume = volumes_api.get_authorized(req, volume_policies.GET,
                                        body['volume_id'])
    context.can(policies.CREATE, {'project_id': volume['project_id'],
                                  'user_id': volume['user_id']})
    force = body.get('force')
    force = common.is_true(force) if force is not None else None
    in_use_ok = req.api_version.matches(mv.SNAPSHOT_IN_USE)
    if in_use_ok and force is False:
        raise exception.InvalidInput(
            reason='Since microversion 3.66 a snapshot of an in-use volume '
                   'needs no force flag, and force=false is not allowed.')
    name = _first(body, 'name', 'display_name')
    snap = volume_api.create_snapshot(
        context, volume['id'], name=name.strip() if name else name,
        description=_first(body, 'description', 'display_description'),
        metadata=body.get('metadata') or {}, force=bool(force),
        allow_in_use=in_use_ok)
    return wsgi.json_response({'snapshot': Viewer(req).detail(snap)},
                              status=202)


@db_api.retry_on_db_error
def update_snapshot(req):
    """PUT /snapshots/{snapshot_id}: 200 and the snapshot."""
    snap = _authorized(req, policies.UPDATE)
    body = wsgi.read_json(req, schemas.UPDATE)['snapshot']
    values = {}
    name = body.get('name', body.get('display_name', ...))
    if name is not ...:
        values['display_name'] = name.strip() if name else name
    description = body.get('description',
                           body.get('display_description', ...))
    if description is not ...:
        values['display_description'] = description
    with db_api.writer() as conn:
        if values:
            snapshots.update(conn, snap['id'], **values)
        snap = snapshots.get_in(conn, req.context, snap['id'])
    return wsgi.json_response({'snapshot': Viewer(req).detail(snap)})


def delete_snapshot(req):
    """DELETE /snapshots/{snapshot_id}: 202."""
    snap = _authorized(req, policies.DELETE)
    volume_api.delete_snapshot(req.context, snap)
    return wsgi.empty_response(202)


# Metadata


def list_metadata(req):
    snap = _authorized(req, policies.GET_METADATA)
    return wsgi.json_response({'metadata': snap['metadata']})


@db_api.retry_on_db_error
def _write_metadata(req, items, replace):
    with db_api.writer() as conn:
        snap = snapshots.get_in(conn, req.context, req.urlvars['snapshot_id'])
        snapshots.set_metadata(conn, snap['id'], items, replace=replace)
        return snapshots.get_in(conn, req.context, snap['id'])['metadata']


def create_metadata(req):
    _authorized(req, policies.UPDATE_METADATA)
    items = wsgi.read_json(req, volume_schemas.METADATA)['metadata']
    return wsgi.json_response({'metadata': _write_metadata(req, items,
                                                           False)})


def replace_metadata(req):
    _authorized(req, policies.UPDATE_METADATA)
    items = wsgi.read_json(req, volume_schemas.METADATA)['metadata']
    return wsgi.json_response({'metadata': _write_metadata(req, items,
                                                           True)})


def show_metadata_item(req):
    snap = _authorized(req, policies.GET_METADATA)
    key = req.urlvars['key']
    if key not in snap['metadata']:
        raise exception.SnapshotMetadataNotFound(snapshot_id=snap['id'],
                                                 metadata_key=key)
    return wsgi.json_response({'meta': {key: snap['metadata'][key]}})


def update_metadata_item(req):
    _authorized(req, policies.UPDATE_METADATA)
    meta = wsgi.read_json(req, volume_schemas.METADATA_ITEM)['meta']
    if req.urlvars['key'] not in meta:
        raise exception.InvalidInput(reason='Request body and URI mismatch')
    _write_metadata(req, meta, False)
    return wsgi.json_response({'meta': meta})


@db_api.retry_on_db_error
def delete_metadata_item(req):
    snap = _authorized(req, policies.DELETE_METADATA)
    key = req.urlvars['key']
    with db_api.writer() as conn:
        if not snapshots.delete_metadata_key(conn, snap['id'], key):
            raise exception.SnapshotMetadataNotFound(snapshot_id=snap['id'],
                                                     metadata_key=key)
    return wsgi.empty_response(200)


# Actions


def _reset_status(req, snap, body):
    req.context.can(policies.RESET_STATUS, _target(snap))
    status = body['status']
    if status not in volume_api.SNAPSHOT_STATUSES:
        raise exception.InvalidInput(
            reason="Invalid status '%s' for a snapshot." % status)
    volume_api.reset_snapshot_status(req.context, snap['id'], status)


def _force_delete(req, snap, body):
    req.context.can(policies.FORCE_DELETE, _target(snap))
    volume_api.delete_snapshot(req.context, snap, force=True)


@db_api.retry_on_db_error
def _update_status(req, snap, body):
    req.context.can(policies.UPDATE_STATUS, _target(snap))
    status = body['status']
    allowed = {'creating': ('creating', 'available', 'error'),
               'deleting': ('deleting', 'error_deleting')}
    if status not in allowed.get(snap['status'], ()):
        raise exception.InvalidSnapshot(
            reason='Snapshot status %s not allowed when the snapshot is %s.'
                   % (status, snap['status']))
    values = {'status': status}
    if body.get('progress') is not None:
        values['progress'] = body['progress']
    with db_api.writer() as conn:
        snapshots.update(conn, snap['id'], **values)


ACTIONS = {
    'os-reset_status': (schemas.RESET_STATUS, _reset_status),
    'os-force_delete': (schemas.FORCE_DELETE, _force_delete),
    'os-update_snapshot_status': (schemas.UPDATE_STATUS, _update_status),
}


def snapshot_action(req):
    """POST /snapshots/{snapshot_id}/action: 202."""
    schema, handler = wsgi.action_for(req, ACTIONS)
    body = wsgi.read_json(req, schema)
    (name,) = body
    snap = snapshots.get(req.context, req.urlvars['snapshot_id'])
    handler(req, snap, body[name] or {})
    return wsgi.empty_response(202)
