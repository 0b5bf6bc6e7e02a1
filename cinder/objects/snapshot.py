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
"""Snapshots as stored: rows with their metadata.

A snapshot is a dict of its columns plus ``metadata``, the
``availability_zone`` of its volume and the ``volume_type_name`` of the
type it was taken with. Another project's snapshot is not
found unless the caller is an admin.
"""

import sqlalchemy as sa

from cinder.db import api as db_api
from cinder.db import models
from cinder.db import rows as db_rows
from cinder.db import updates as db_updates
from cinder import exception
from cinder.objects import metadata as key_values
from cinder.objects import pagination

_snapshots = models.snapshots
_metadata = models.snapshot_metadata
_volumes = models.volumes
_types = models.volume_types

SORT_KEYS = {'id': 'id', 'created_at': 'created_at',
             'updated_at': 'updated_at', 'status': 'status',
             'volume_id': 'volume_id', 'project_id': 'project_id',
             'size': 'volume_size', 'name': 'display_name',
             'display_name': 'display_name'}
FILTER_COLUMNS = {'name': 'display_name', 'consumes_quota': 'use_quota',
                  'size': 'volume_size'}


# A snapshot's columns, its volume's zone and its type's name.
_SELECT = sa.select(
    _snapshots, _volumes.c.availability_zone.label('availability_zone'),
    _types.c.name.label('volume_type_name')).join(
    _volumes, _volumes.c.id == _snapshots.c.volume_id, isouter=True).join(
    _types, _types.c.id == _snapshots.c.volume_type_id, isouter=True)
# With its metadata aggregated to one JSON value: a show (and each poll
# of a create or a delete) and a page of a listing are one query each. A
# listing runs the subquery for its page's rows only (objects.pagination).
_WITH_METADATA = _SELECT.add_columns(
    sa.select(db_api.JsonObjectAgg(_metadata.c.key, _metadata.c.value))
    .where(_metadata.c.snapshot_id == _snapshots.c.id)
    .scalar_subquery().label('metadata'))
_ROWS = db_rows.Rows(_WITH_METADATA)
_BY_ID = _WITH_METADATA.where(_snapshots.c.id == sa.bindparam('snapshot_id'))
_BY_ID_ROWS = db_rows.Scoped(_BY_ID, _snapshots.c.project_id)


def _complete(snap):
    # Aggregated over no rows: NULL on MariaDB and PostgreSQL.
    snap['metadata'] = snap['metadata'] or {}
    return snap


def get_in(conn, context, snapshot_id):
    snap = _BY_ID_ROWS.first(conn, context, {'snapshot_id': snapshot_id})
    if snap is None:
        raise exception.SnapshotNotFound(snapshot_id=snapshot_id)
    return _complete(snap)


def get(context, snapshot_id):
    with db_api.reader() as conn:
        return get_in(conn, context, snapshot_id)


def _filters(query, filters):
    for key, value in filters.items():
        if key == 'metadata':
            for meta_key, meta_value in value.items():
                query = query.where(_snapshots.c.id.in_(
                    sa.select(_metadata.c.snapshot_id).where(
                        _metadata.c.key == meta_key,
                        _metadata.c.value == str(meta_value))))
            continue
        if key == 'availability_zone':
            query = query.where(_volumes.c.availability_zone == value)
            continue
        column_name = FILTER_COLUMNS.get(key, key)
        if column_name not in _snapshots.c:
            return query.where(sa.false())
        column = _snapshots.c[column_name]
        if isinstance(value, (list, tuple, set)):
            query = query.where(column.in_(list(value)))
        else:
            query = query.where(column == value)
    return query


_LISTING = pagination.Listing(
    _snapshots, _ROWS, _SELECT, sa.select(_snapshots), _filters)


def get_all(context, filters=None, sort=None, limit=None, marker=None,
            offset=0, with_count=False):
    """(snapshots, total count or None) for one page of a listing."""
    with db_api.reader() as conn:
        rows, count = _LISTING.page(
            conn, context, filters, sort, limit=limit, marker=marker,
            offset=offset, with_count=with_count)
        return [_complete(snap) for snap in rows], count


_OF_VOLUME_ROWS = db_rows.Rows(_SELECT.where(
    _snapshots.c.volume_id == sa.bindparam('volume_id'))
    .order_by(_snapshots.c.created_at, _snapshots.c.id))


def of_volume(conn, volume_id):
    """The snapshots of a volume, oldest first, each with the name of the
    type it was taken with (``volume_type_name``): its quota is that
    type's even after the volume was retyped."""
    return _OF_VOLUME_ROWS.all(conn, {'volume_id': volume_id})


def latest_of_volume(conn, volume_id):
    return conn.execute(sa.select(_snapshots).where(
        _snapshots.c.volume_id == volume_id)
        .order_by(_snapshots.c.created_at.desc(), _snapshots.c.id.desc())
        .limit(1)).mappings().first()


def insert(conn, values, metadata=None):
    conn.execute(sa.insert(_snapshots).values(created_at=models.utcnow(),
                                              **values))
    set_metadata(conn, values['id'], metadata or {}, replace=False)


def set_metadata(conn, snapshot_id, items, replace):
    key_values.write(conn, _metadata, snapshot_id, items, replace)


def delete_metadata_key(conn, snapshot_id, key):
    return key_values.delete_key(conn, _metadata, snapshot_id, key)


_UPDATE = db_updates.ConditionalUpdate(_snapshots)


def update(conn, snapshot_id, expected=None, **values):
    """Write *values*, only if the row matches *expected* (see volume)."""
    values['updated_at'] = models.utcnow()
    return _UPDATE(conn, snapshot_id, expected, values) == 1


_DESTROY = (
    sa.delete(_metadata).where(
        _metadata.c.snapshot_id == sa.bindparam('snapshot_id')),
    sa.delete(_snapshots).where(
        _snapshots.c.id == sa.bindparam('snapshot_id')))


def destroy(conn, snapshot_id):
    for statement in _DESTROY:
        conn.execute(statement, {'snapshot_id': snapshot_id})
