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
"""Volumes as stored: rows with their metadata, type and attachments.

A volume is returned as a dict of its columns plus ``metadata``,
``admin_metadata``, ``attachments`` and ``volume_type_name``. Another
project's volume is not found (404) unless the caller is an admin; state
changes are conditional updates, so two requests racing on one volume
cannot both pass the status check.
"""

import json

import sqlalchemy as sa

from cinder.db import api as db_api
from cinder.db import models
from cinder.db import rows as db_rows
from cinder.db import updates as db_updates
from cinder import exception
from cinder.objects import metadata as key_values
from cinder.objects import pagination

_volumes = models.volumes
_metadata = models.volume_metadata
_admin_metadata = models.volume_admin_metadata
_attachments = models.volume_attachment
_types = models.volume_types
_snapshots = models.snapshots

# Public sort keys -> columns.
SORT_KEYS = {'id': 'id', 'created_at': 'created_at',
             'updated_at': 'updated_at', 'size': 'size', 'status': 'status',
             'name': 'display_name', 'display_name': 'display_name',
             'availability_zone': 'availability_zone',
             'bootable': 'bootable', 'host': 'host',
             'project_id': 'project_id', 'user_id': 'user_id',
             'volume_type_id': 'volume_type_id'}
# Filter names that are columns under another name.
FILTER_COLUMNS = {'name': 'display_name', 'description': 'display_description',
                  'consumes_quota': 'use_quota', 'volume_type': None}


def _scoped(query, context):
    if context.is_admin:
        return query
    return query.where(_volumes.c.project_id == context.project_id)


# A volume's columns and its type's name: what every read starts from.
_SELECT = sa.select(_volumes, _types.c.name.label('volume_type_name')).join(
    _types, _types.c.id == _volumes.c.volume_type_id, isouter=True)


def _aggregated(table):
    return sa.select(db_api.JsonObjectAgg(table.c.key, table.c.value)).where(
        table.c.volume_id == _volumes.c.id).scalar_subquery()


# With its metadata and admin metadata aggregated, each one JSON value:
# a show and a page of a listing are one query each. A listing runs the
# subqueries for its page's rows only (objects.pagination).
_WITH_METADATA = _SELECT.add_columns(
    _aggregated(_metadata).label('metadata'),
    _aggregated(_admin_metadata).label('admin_metadata'))
_ROWS = db_rows.Rows(_WITH_METADATA)


def _complete(conn, volumes, with_metadata=True):
    """*volumes* (dicts of rows) completed with their attachments, in one
    more query if any is attached, and with their aggregated metadata
    made dicts (or no metadata keys, without *with_metadata*)."""
    by_id = {}
    for volume in volumes:
        volume['attachments'] = []
        by_id[volume['id']] = volume
        if with_metadata:
            # Aggregated over no rows: NULL on MariaDB and PostgreSQL.
            volume['metadata'] = volume['metadata'] or {}
            volume['admin_metadata'] = volume['admin_metadata'] or {}
    # Only a volume whose attach_status is not `detached` has attachment
    # rows (attach, detach and reset-status keep it so): most reads skip
    # this query.
    attached = [volume['id'] for volume in volumes
                if volume['attach_status'] != 'detached']
    if attached:
        for row in conn.execute(_ATTACHMENTS_QUERY, {
                'ids': db_api.padded_in_list(attached)}).mappings():
            by_id[row['volume_id']]['attachments'].append(dict(row))
    return volumes


# The hot reads are built once, with bind parameters: building a
# statement costs more than running it on a warm connection (reading a
# volume takes half the time this way). An expanding parameter takes a
# page's ids without compiling a literal per id, padded to a bounded set
# of lengths.
_ATTACHMENTS_QUERY = sa.select(_attachments).where(
    _attachments.c.volume_id.in_(sa.bindparam('ids', expanding=True))
).order_by(_attachments.c.created_at)

_BY_ID = _WITH_METADATA.where(_volumes.c.id == sa.bindparam('volume_id'))
_BY_ID_ROWS = db_rows.Scoped(_BY_ID, _volumes.c.project_id)


def _one(conn, context, scoped, volume_id):
    row = scoped.first(conn, context, {'volume_id': volume_id})
    if row is None:
        raise exception.VolumeNotFound(volume_id=volume_id)
    return row


def get_in(conn, context, volume_id):
    return _complete(conn, [_one(conn, context, _BY_ID_ROWS, volume_id)])[0]


# A volume locked for the rest of the caller's write transaction (a
# snapshot create, a delete): its columns, type name and attachments, but
# no metadata, which no locked read needs. The type name comes from a
# subquery, not a join: InnoDB locks every row a FOR UPDATE join reads
# (MariaDB has no FOR UPDATE OF), so every snapshot create and delete of
# volumes of one type waited for the others' commits on the type's row.
_LOCK = sa.select(_volumes, sa.select(_types.c.name).where(
    _types.c.id == _volumes.c.volume_type_id).scalar_subquery().label(
        'volume_type_name')).where(
    _volumes.c.id == sa.bindparam('volume_id')).with_for_update(of=_volumes)
_LOCK_ROWS = db_rows.Scoped(_LOCK, _volumes.c.project_id)


def lock_in(conn, context, volume_id):
    row = _one(conn, context, _LOCK_ROWS, volume_id)
    return _complete(conn, [row], with_metadata=False)[0]


def get(context, volume_id):
    with db_api.reader() as conn:
        return get_in(conn, context, volume_id)


def _filters(query, filters):
    """Apply API filters already validated by the handler: equality on
    columns (lists mean IN), metadata dicts, ``name~``-style substring
    matches and (op, value) time comparisons. An unknown column matches
    nothing, as in Cinder."""
    for key, value in filters.items():
        like = key.endswith('~')
        name = key[:-1] if like else key
        if name == 'metadata':
            query = query.where(sa.and_(*[sa.or_(
                _volumes.c.id.in_(sa.select(_metadata.c.volume_id).where(
                    _metadata.c.key == k, _metadata.c.value == str(v))),
                _volumes.c.id.in_(sa.select(_admin_metadata.c.volume_id)
                                  .where(_admin_metadata.c.key == k,
                                         _admin_metadata.c.value == str(v))))
                for k, v in value.items()]))
            continue
        if name == 'volume_type':
            query = query.where(sa.or_(_types.c.name == value,
                                       _types.c.id == value))
            continue
        column_name = FILTER_COLUMNS.get(name, name)
        if column_name not in _volumes.c:
            return query.where(sa.false())
        column = _volumes.c[column_name]
        if like:
            query = query.where(column.contains(str(value), autoescape=True))
        elif isinstance(value, list) and value and isinstance(value[0],
                                                               tuple):
            for operator, moment in value:
                query = query.where(getattr(column, operator)(moment))
        elif isinstance(value, (list, tuple, set)):
            query = query.where(column.in_(list(value)))
        else:
            query = query.where(column == value)
    return query


_LISTING = pagination.Listing(
    _volumes, _ROWS, _SELECT, sa.select(_volumes), _filters)


def get_all(context, filters=None, sort=None, limit=None, marker=None,
            offset=0, with_count=False):
    """(volumes, total count or None) for one page of a listing."""
    with db_api.reader() as conn:
        rows, count = _LISTING.page(
            conn, context, filters, sort, limit=limit, marker=marker,
            offset=offset, with_count=with_count)
        return _complete(conn, rows), count


def summary(context, filters=None):
    """(count, total size, {metadata key: sorted distinct values})."""
    base = _filters(_scoped(_SELECT, context), filters or {}).subquery()
    with db_api.reader() as conn:
        count, size = conn.execute(sa.select(
            sa.func.count(), sa.func.coalesce(sa.func.sum(base.c.size), 0))
        ).one()
        metadata = {}
        for key, value in conn.execute(
                sa.select(_metadata.c.key, _metadata.c.value).distinct()
                .where(_metadata.c.volume_id.in_(sa.select(base.c.id)))):
            metadata.setdefault(key, []).append(value)
    return count, int(size), {k: sorted(v) for k, v in metadata.items()}


# Values as parameters of one statement, not as .values() of a new one:
# building it coerced each of some 30 values on every create.
_INSERT = sa.insert(_volumes)


def insert(conn, values, metadata=None):
    conn.execute(_INSERT, dict(values, created_at=models.utcnow()))
    set_metadata(conn, values['id'], metadata or {}, replace=False)


def set_metadata(conn, volume_id, items, replace, table=_metadata):
    """Write metadata *items*; *replace* drops keys not in *items*."""
    key_values.write(conn, table, volume_id, items, replace)


def set_admin_metadata(conn, volume_id, items):
    set_metadata(conn, volume_id, items, replace=False,
                 table=_admin_metadata)


def delete_metadata_key(conn, volume_id, key):
    return key_values.delete_key(conn, _metadata, volume_id, key)


_UPDATE = db_updates.ConditionalUpdate(_volumes)


def update(conn, volume_id, expected=None, **values):
    """Write *values*; with *expected* ({column: value, None, or a tuple of
    allowed values}) only if the row still matches, returning False
    otherwise."""
    values['updated_at'] = models.utcnow()
    return _UPDATE(conn, volume_id, expected, values) == 1


_DESTROY = [sa.delete(table).where(
    table.c.volume_id == sa.bindparam('volume_id'))
    for table in (_metadata, _admin_metadata, _attachments)] + [
    sa.delete(_volumes).where(_volumes.c.id == sa.bindparam('volume_id'))]


def destroy(conn, volume_id):
    """Remove the row and everything hanging off it."""
    for statement in _DESTROY:
        conn.execute(statement, {'volume_id': volume_id})


def add_attachment(conn, values):
    conn.execute(sa.insert(_attachments).values(
        created_at=models.utcnow(),
        **dict(values, connector=json.dumps(values.get('connector')))))


def remove_attachment(conn, attachment_id):
    conn.execute(sa.delete(_attachments).where(
        _attachments.c.id == attachment_id))


def count_snapshots(conn, volume_id):
    return conn.execute(sa.select(sa.func.count()).where(
        _snapshots.c.volume_id == volume_id)).scalar()


# Run for every placement: answered from the index on (host, size).
ALLOCATED_BY_HOST = sa.select(
    _volumes.c.host, sa.func.sum(_volumes.c.size)).where(
    _volumes.c.host.is_not(None)).group_by(_volumes.c.host)


def allocated_by_host(conn):
    """{host@backend#pool: GiB of volumes placed there}, as ints: MySQL
    sums integers as DECIMAL, which does not mix with the float capacities
    the scheduler subtracts it from."""
    return {host: int(total)
            for host, total in conn.execute(ALLOCATED_BY_HOST).all()}


def delete_admin_metadata_key(conn, volume_id, key):
    conn.execute(sa.delete(_admin_metadata).where(
        _admin_metadata.c.volume_id == volume_id,
        _admin_metadata.c.key == key))


_ROW = db_rows.Rows(sa.select(_volumes).where(
    _volumes.c.id == sa.bindparam('volume_id')))


def get_row_in(conn, volume_id):
    """The volume's own columns only (no metadata, type or attachments):
    what the scheduler and drivers need, in one query."""
    row = _ROW.first(conn, {'volume_id': volume_id})
    if row is None:
        raise exception.VolumeNotFound(volume_id=volume_id)
    return row


def get_row(volume_id):
    with db_api.reader() as conn:
        return get_row_in(conn, volume_id)
