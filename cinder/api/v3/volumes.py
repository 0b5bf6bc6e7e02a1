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
"""Handlers for /volumes, /volumes/detail, /volumes/summary and metadata."""

import hashlib
import json

from cinder.api import common
from cinder.api import microversions as mv
from cinder.api.schemas import volumes as schemas
from cinder.api.v3 import volume_types as volume_types_api
from cinder.api import wsgi
from cinder.db import api as db_api
from cinder import exception
from cinder.objects import volume as volumes
from cinder.objects import volume_type
from cinder.policies import volumes as policies
from cinder.volume import api as volume_api

# Statuses Cinder shows under another name.
PUBLIC_STATUS = {'managing': 'creating', 'error_managing': 'error',
                 'error_managing_deleting': 'deleting'}
# Admin metadata shown in the metadata of the views once set.
SHOWN_ADMIN_METADATA = ('readonly', 'attached_mode')
# Filters non-admins may use, by the microversion that allows them.
USER_FILTERS = (
    (mv.BASE_VERSION, ('name', 'status', 'metadata', 'bootable',
                       'migration_status', 'availability_zone', 'size')),
    (mv.VOLUME_LIST_GROUP, ('group_id',)),
    (mv.VOLUME_TIME_COMPARISON_FILTER, ('created_at', 'updated_at')),
    (mv.USE_QUOTA, ('consumes_quota',)),
)


def _bootable_filter(version):
    def convert(text):
        if version.matches(mv.VOLUME_LIST_BOOTABLE):
            try:
                return common.is_true(text, strict=True)
            except ValueError:
                raise exception.InvalidInput(
                    reason='bootable must be a boolean.')
        return text not in ('False', 'false', 'FALSE')
    return convert


def _int_filter(name):
    def convert(text):
        try:
            return int(text)
        except ValueError:
            raise exception.InvalidInput(reason='%s must be an integer.'
                                         % name)
    return convert


def _converters(version):
    return {
        'metadata': common.metadata_filter,
        'bootable': _bootable_filter(version),
        'size': _int_filter('size'),
        'created_at': lambda text: common.time_filter('created_at', text),
        'updated_at': lambda text: common.time_filter('updated_at', text),
        'consumes_quota': lambda text: common.is_true(text),
    }


class Viewer:
    """Builds volume views for one request: policy checks and link
    prefixes are done once, not once per volume."""

    def __init__(self, req):
        context = req.context
        own = {'project_id': context.project_id,
               'user_id': context.user_id}
        self.version = req.api_version
        self.is_admin = context.is_admin
        self.tenant_attr = context.allowed(policies.TENANT_ATTRIBUTE, own)
        self.host_attr = context.allowed(policies.HOST_ATTRIBUTE, own)
        self.mig_attr = context.allowed(policies.MIG_STATUS_ATTRIBUTE, own)
        self.links = common.linker(req, 'volumes')
        # The microversioned fields, decided once per request:
        # (view key, column) pairs copied as they are, and two flags.
        version = self.version
        admin = self.is_admin
        self.copies = [pair for pair, wanted in (
            (('group_id', 'group_id'), version.matches(mv.GROUP_VOLUME)),
            (('provider_id', 'provider_id'),
             admin and version.matches(mv.VOLUME_DETAIL_PROVIDER_ID)),
            (('service_uuid', 'service_uuid'), version.matches(
                mv.VOLUME_SHARED_TARGETS_AND_SERVICE_FIELDS)),
            (('cluster_name', 'cluster_name'),
             admin and version.matches(mv.VOLUME_CLUSTER_NAME)),
            (('volume_type_id', 'volume_type_id'),
             version.matches(mv.VOLUME_TYPE_ID_IN_VOLUME_DETAIL)),
            (('consumes_quota', 'use_quota'), version.matches(mv.USE_QUOTA)),
        ) if wanted]
        self.shared_targets = version.matches(
            mv.VOLUME_SHARED_TARGETS_AND_SERVICE_FIELDS)
        self.shared_targets_tristate = version.matches(
            mv.SHARED_TARGETS_TRISTATE)
        self.encryption_key_id = version.matches(
            mv.ENCRYPTION_KEY_ID_IN_DETAILS)

    def summary(self, volume):
        return {'id': volume['id'], 'name': volume['display_name'],
                'links': self.links(volume['id'])}

    def _attachments(self, volume):
        return [{
            'id': volume['id'],
            'attachment_id': row['id'],
            'volume_id': volume['id'],
            'server_id': row['instance_uuid'],
            'host_name': row['attached_host'] if self.is_admin else None,
            'device': row['mountpoint'],
            'attached_at': common.time(row['attach_time']),
        } for row in volume['attachments']
            if row['attach_status'] == 'attached']

    def detail(self, volume):
        metadata = dict(volume['metadata'])
        for key in SHOWN_ADMIN_METADATA:
            if key in volume['admin_metadata']:
                metadata[key] = volume['admin_metadata'][key]
        view = {
            'id': volume['id'],
            'name': volume['display_name'],
            'description': volume['display_description'],
            'status': PUBLIC_STATUS.get(volume['status'], volume['status']),
            'size': volume['size'],
            'availability_zone': volume['availability_zone'],
            'created_at': common.time(volume['created_at']),
            'updated_at': common.time(volume['updated_at']),
            'volume_type': volume['volume_type_name'],
            'snapshot_id': volume['snapshot_id'],
            'source_volid': volume['source_volid'],
            'metadata': metadata,
            'links': self.links(volume['id']),
            'user_id': volume['user_id'],
            'bootable': 'true' if volume['bootable'] else 'false',
            'encrypted': bool(volume['encryption_key_id']),
            'replication_status': volume['replication_status'],
            'consistencygroup_id': volume['consistencygroup_id'],
            'multiattach': volume['multiattach'],
            'attachments': self._attachments(volume),
        }
        self._add_restricted(view, volume)
        self._add_versioned(view, volume)
        return view

    def _add_restricted(self, view, volume):
        if self.tenant_attr:
            view['os-vol-tenant-attr:tenant_id'] = volume['project_id']
        if self.host_attr:
            view['os-vol-host-attr:host'] = volume['host']
        if self.mig_attr:
            view['migration_status'] = volume['migration_status']
            view['os-vol-mig-status-attr:migstat'] = (
                volume['migration_status'])
            view['os-vol-mig-status-attr:name_id'] = None

    def _add_versioned(self, view, volume):
        for key, column in self.copies:
            view[key] = volume[column]
        if self.shared_targets:
            shared = volume['shared_targets']
            if shared is None and not self.shared_targets_tristate:
                shared = True
            view['shared_targets'] = shared
        if self.encryption_key_id and volume['encryption_key_id']:
            view['encryption_key_id'] = volume['encryption_key_id']


def _target(volume):
    return {'project_id': volume['project_id'],
            'user_id': volume['user_id']}


def get_authorized(req, action, volume_id=None):
    """The volume of the URL, once *action* is allowed on it (404 for
    volumes of other projects, 403 for a forbidden action)."""
    volume = volumes.get(req.context, volume_id or req.urlvars['volume_id'])
    req.context.can(action, _target(volume))
    return volume


def show_volume(req):
    """GET /volumes/{volume_id}."""
    volume = get_authorized(req, policies.GET)
    return wsgi.json_response({'volume': Viewer(req).detail(volume)})


def _list(req, detail):
    req.context.can(policies.GET_ALL)
    version = req.api_version
    filters = common.list_filters(
        req, common.user_filters(version, USER_FILTERS),
        _converters(version))
    common.scope_project(req, filters)
    viewer = Viewer(req)
    return wsgi.json_response(common.listing(
        req, 'volumes', volumes.get_all, filters, volumes.SORT_KEYS,
        viewer.detail if detail else viewer.summary))


def list_volumes(req):
    """GET /volumes: id, name and links of each volume."""
    return _list(req, detail=False)


def list_volumes_detail(req):
    """GET /volumes/detail: the full view of each volume."""
    return _list(req, detail=True)


def volume_summary(req):
    """GET /volumes/summary (3.12; metadata from 3.36)."""
    req.context.can(policies.GET_ALL)
    version = req.api_version
    filters = common.list_filters(
        req, common.user_filters(version, USER_FILTERS),
        _converters(version))
    common.scope_project(req, filters)
    count, size, metadata = volumes.summary(req.context, filters)
    summary = {'total_count': count, 'total_size': size}
    if version.matches(mv.VOLUME_SUMMARY_METADATA):
        summary['metadata'] = metadata
    return wsgi.json_response({'volume-summary': summary})


# The largest size the size columns hold on every database (Cinder's
# DB_MAX_INT): beyond it MySQL and PostgreSQL refuse the row.
MAX_SIZE = 0x7FFFFFFF


def _size(value, what='volume size'):
    try:
        size = int(str(value).strip())
    except ValueError:
        size = 0
    if size <= 0:
        raise exception.InvalidInput(
            reason='Invalid %s provided for create request: %s (size '
                   'argument must be an integer (or string representation '
                   'of an integer) and greater than zero).' % (what, value))
    if size > MAX_SIZE:
        raise exception.InvalidInput(
            reason='Invalid %s provided: %s is larger than the maximum of '
                   '%d.' % (what, value, MAX_SIZE))
    return size


def _first(body, *keys):
    for key in keys:
        if body.get(key) is not None:
            return body[key]
    return None


def create_volume(req):
    """POST /volumes: 202 and the new volume, `creating`."""
    context = req.context
    context.can(policies.CREATE)
    version = req.api_version
    schema = (schemas.STRICT_CREATE
              if version.matches(mv.SUPPORT_VOLUME_SCHEMA_CHANGES)
              else schemas.CREATE)
    body = wsgi.read_json(req, schema)['volume']
    if common.is_true(body.get('multiattach') or False):
        raise exception.InvalidInput(
            reason='multiattach parameter has been removed. The default '
                   'behavior is to use multiattach enabled volume types. '
                   'Contact your administrator to create a multiattach '
                   'enabled volume type and use it to create multiattach '
                   'volumes.')
    if _first(body, 'imageRef', 'image_id'):
        raise exception.InvalidInput(
            reason='Creating a volume from an image needs an image service, '
                   'which this deployment does not have.')
    if body.get('backup_id'):
        raise exception.InvalidInput(
            reason='Creating a volume from a backup needs the backup '
                   'service, which this deployment does not have.')
    if body.get('consistencygroup_id') or body.get('group_id'):
        raise exception.InvalidInput(reason='Groups are not supported.')
    size = body.get('size')
    size = _size(size) if size is not None else None
    type_ref = body.get('volume_type')
    if type_ref:
        vtype = volume_type.get_by_name_or_id(context, type_ref)
    elif body.get('snapshot_id') or body.get('source_volid'):
        vtype = None  # A copy gets its source's type, as in Cinder.
    else:
        vtype = volume_types_api.default_for(context, version)
    name = _first(body, 'name', 'display_name')
    volume = volume_api.create(
        context, size=size,
        name=name.strip() if name else name,
        description=_first(body, 'description', 'display_description'),
        vtype=vtype, availability_zone=body.get('availability_zone'),
        metadata=body.get('metadata') or {},
        snapshot_id=body.get('snapshot_id'),
        source_volid=body.get('source_volid'))
    return wsgi.json_response({'volume': Viewer(req).detail(volume)},
                              status=202)


def update_volume(req):
    """PUT /volumes/{volume_id}: 200 and the volume."""
    volume = get_authorized(req, policies.UPDATE)
    schema = (schemas.STRICT_UPDATE
              if req.api_version.matches(mv.SUPPORT_VOLUME_SCHEMA_CHANGES)
              else schemas.UPDATE)
    body = wsgi.read_json(req, schema)['volume']
    values = {}
    name = body.get('name', body.get('display_name', ...))
    if name is not ...:
        values['display_name'] = name.strip() if name else name
    description = body.get('description',
                           body.get('display_description', ...))
    if description is not ...:
        values['display_description'] = description
    volume = volume_api.update(req.context, volume['id'], values,
                               body.get('metadata'))
    return wsgi.json_response({'volume': Viewer(req).detail(volume)})


def delete_volume(req):
    """DELETE /volumes/{volume_id}[?cascade=][&force= (3.23)]: 202."""
    volume = get_authorized(req, policies.DELETE)
    cascade = common.is_true(req.GET.get('cascade', 'false'))
    force = False
    if req.api_version.matches(mv.VOLUME_DELETE_FORCE):
        force = common.is_true(req.GET.get('force', 'false'))
    if force:
        req.context.can(policies.FORCE_DELETE, _target(volume))
    volume_api.delete(req.context, volume, cascade=cascade, force=force)
    return wsgi.empty_response(202)


# Metadata


def _metadata_response(req, metadata):
    response = wsgi.json_response({'metadata': metadata})
    if req.api_version.matches(mv.ETAGS):
        response.headers['ETag'] = _etag(metadata)
    return response


def _etag(metadata):
    return hashlib.md5(json.dumps({'metadata': metadata}, sort_keys=True)
                       .encode(), usedforsecurity=False).hexdigest()


def list_metadata(req):
    """GET /volumes/{volume_id}/metadata."""
    volume = get_authorized(req, policies.GET_METADATA)
    return _metadata_response(req, volume['metadata'])


@db_api.retry_on_db_error
def _write_metadata(req, items, replace, check_etag=None):
    """Merge (or *replace* with) *items*. From 3.15 the PUTs (both, as in
    Cinder; *check_etag* defaults to *replace*) are refused with 412 when
    If-Match names another version of the metadata."""
    context = req.context
    volume_id = req.urlvars['volume_id']
    with db_api.writer() as conn:
        volume = volumes.get_in(conn, context, volume_id)
        if volume['status'] == 'maintenance':
            raise exception.InvalidVolume(
                reason='Volume status must not be maintenance')
        if check_etag is None:
            check_etag = replace
        if (check_etag and req.api_version.matches(mv.ETAGS)
                and req.if_match and req.if_match.etags
                and _etag(volume['metadata']) not in req.if_match):
            raise exception.VolumeMetadataMismatch()
        volumes.set_metadata(conn, volume_id, items, replace=replace)
        return volumes.get_in(conn, context, volume_id)['metadata']


def create_metadata(req):
    """POST /volumes/{volume_id}/metadata: merge; 200 and the result."""
    get_authorized(req, policies.CREATE_METADATA)
    items = wsgi.read_json(req, schemas.METADATA)['metadata']
    return _metadata_response(req, _write_metadata(req, items, False))


def replace_metadata(req):
    """PUT /volumes/{volume_id}/metadata: replace all; 200."""
    get_authorized(req, policies.UPDATE_METADATA)
    items = wsgi.read_json(req, schemas.METADATA)['metadata']
    return _metadata_response(req, _write_metadata(req, items, True))


def show_metadata_item(req):
    """GET /volumes/{volume_id}/metadata/{key}."""
    volume = get_authorized(req, policies.GET_METADATA)
    key = req.urlvars['key']
    if key not in volume['metadata']:
        raise exception.VolumeMetadataNotFound(volume_id=volume['id'],
                                               metadata_key=key)
    return wsgi.json_response({'meta': {key: volume['metadata'][key]}})


def update_metadata_item(req):
    """PUT /volumes/{volume_id}/metadata/{key}: 200 and the item."""
    get_authorized(req, policies.UPDATE_METADATA)
    meta = wsgi.read_json(req, schemas.METADATA_ITEM)['meta']
    key = req.urlvars['key']
    if key not in meta:
        raise exception.InvalidInput(reason='Request body and URI mismatch')
    _write_metadata(req, meta, False, check_etag=True)
    return wsgi.json_response({'meta': meta})


@db_api.retry_on_db_error
def delete_metadata_item(req):
    """DELETE /volumes/{volume_id}/metadata/{key}: 200, no body."""
    volume = get_authorized(req, policies.DELETE_METADATA)
    key = req.urlvars['key']
    with db_api.writer() as conn:
        if volumes.get_in(conn, req.context, volume['id'])['status'] == (
                'maintenance'):
            raise exception.InvalidVolume(
                reason='Volume status must not be maintenance')
        if not volumes.delete_metadata_key(conn, volume['id'], key):
            raise exception.VolumeMetadataNotFound(volume_id=volume['id'],
                                                   metadata_key=key)
    return wsgi.empty_response(200)
