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
"""Volume types, their extra specs and the projects allowed a private type.

A type is returned as a dict with its columns plus ``extra_specs``. Who may
see a private type is decided here (admins, and projects given access), so
that a hidden type is a 404 everywhere, never a 403.
"""

import uuid

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from cinder.db import api as db_api
from cinder.db import models
from cinder import exception
from cinder.objects import default_type

_types = models.volume_types
_specs = models.volume_type_extra_specs
_projects = models.volume_type_projects


def _visible_to_project(query, project_id):
    """Restrict *query* on volume_types to the public types and those of
    *project_id* (a value or a bind parameter)."""
    accessible = sa.select(_projects.c.volume_type_id).where(
        _projects.c.project_id == project_id)
    return query.where(sa.or_(_types.c.is_public.is_(True),
                              _types.c.id.in_(accessible)))


def _visible(query, context):
    """Restrict *query* on volume_types to what *context* may see: admins
    see every type."""
    if context.is_admin:
        return query
    return _visible_to_project(query, context.project_id)


_SPECS = sa.select(_specs.c.volume_type_id, _specs.c.key,
                   _specs.c.value).where(
    _specs.c.volume_type_id.in_(sa.bindparam('ids', expanding=True)))


def _with_specs(conn, rows):
    """Dicts of *rows* with their extra_specs, in one extra query."""
    types = [dict(row) for row in rows]
    for vtype in types:
        vtype['extra_specs'] = {}
    by_id = {vtype['id']: vtype for vtype in types}
    if by_id:
        for type_id, key, value in conn.execute(_SPECS,
                                                {'ids': list(by_id)}):
            by_id[type_id]['extra_specs'][key] = value
    return types


# A type's extra specs aggregated to one JSON value in the type's own
# query: every volume create reads its type, and a second query with its
# own result set cost as much as the first.
_SPECS_OF_TYPE = sa.select(db_api.JsonObjectAgg(_specs.c.key, _specs.c.value)
                           ).where(_specs.c.volume_type_id == _types.c.id
                                   ).scalar_subquery()


def _one_by(column):
    """The SELECTs of one type with its extra specs by *column*, built once:
    for admins, who see every type, and for the others, who see public
    types and their project's."""
    select = sa.select(_types, _SPECS_OF_TYPE.label('extra_specs')).where(
        column == sa.bindparam('key'))
    return select, _visible_to_project(select, sa.bindparam('project_id'))


_ONE_BY_ID = _one_by(_types.c.id)
_ONE_BY_NAME = _one_by(_types.c.name)


def _one(conn, context, statements, key):
    """The type as a dict with its extra specs, or None."""
    for_admin, for_project = statements
    if context.is_admin:
        row = conn.execute(for_admin, {'key': key}).mappings().first()
    else:
        row = conn.execute(for_project, {
            'key': key, 'project_id': context.project_id}).mappings().first()
    if row is None:
        return None
    vtype = dict(row)
    # Aggregated over no rows: NULL on MariaDB and PostgreSQL.
    vtype['extra_specs'] = vtype['extra_specs'] or {}
    return vtype


def get_in(conn, context, type_id):
    vtype = _one(conn, context, _ONE_BY_ID, type_id)
    if vtype is None:
        raise exception.VolumeTypeNotFound(volume_type_id=type_id)
    return vtype


def get(context, type_id):
    with db_api.reader() as conn:
        return get_in(conn, context, type_id)


def get_by_name(context, name):
    with db_api.reader() as conn:
        vtype = _one(conn, context, _ONE_BY_NAME, name)
    if vtype is None:
        raise exception.VolumeTypeNotFoundByName(volume_type_name=name)
    return vtype


def get_by_name_or_id(context, name_or_id):
    try:
        return get(context, name_or_id)
    except exception.VolumeTypeNotFound:
        return get_by_name(context, name_or_id)


def get_all(context, is_public=None):
    """Types *context* may see; admins may filter on is_public."""
    query = _visible(sa.select(_types), context).order_by(
        _types.c.created_at, _types.c.id)
    if is_public is not None and context.is_admin:
        query = query.where(_types.c.is_public.is_(is_public))
    with db_api.reader() as conn:
        return _with_specs(conn, conn.execute(query).mappings().all())


@db_api.retry_on_db_error
def create(context, name, description=None, is_public=True, extra_specs=None):
    type_id = str(uuid.uuid4())
    now = models.utcnow()
    try:
        with db_api.writer() as conn:
            conn.execute(sa.insert(_types).values(
                id=type_id, name=name, description=description,
                is_public=is_public, created_at=now))
            _upsert_specs(conn, type_id, extra_specs or {})
            return get_in(conn, context, type_id)
    except sa_exc.IntegrityError:
        raise exception.VolumeTypeExists(id=name)


@db_api.retry_on_db_error
def update(context, type_id, **values):
    """Change name, description and/or is_public of a type."""
    try:
        with db_api.writer() as conn:
            get_in(conn, context, type_id)
            conn.execute(sa.update(_types).where(_types.c.id == type_id)
                         .values(updated_at=models.utcnow(), **values))
            return get_in(conn, context, type_id)
    except sa_exc.IntegrityError:
        raise exception.VolumeTypeExists(id=values.get('name'))


@db_api.retry_on_db_error
def delete(context, type_id, default_type_name):
    with db_api.writer() as conn:
        vtype = get_in(conn, context, type_id)
        if vtype['name'] == default_type_name:
            raise exception.VolumeTypeDefault()
        projects = default_type.projects_using(conn, type_id)
        if projects:
            raise exception.VolumeTypeDefaultForProjects(
                volume_type_id=type_id, projects=', '.join(projects))
        if _in_use(conn, type_id):
            raise exception.VolumeTypeInUse()
        conn.execute(sa.delete(_types).where(_types.c.id == type_id))


def _in_use(conn, type_id):
    volumes = models.volumes
    return conn.execute(sa.select(volumes.c.id).where(
        volumes.c.volume_type_id == type_id).limit(1)).first() is not None


def _check_specs_writable(conn, type_id):
    """Cinder refuses to change the extra specs of a type volumes use:
    their placement was decided by them."""
    if _in_use(conn, type_id):
        raise exception.VolumeTypeSpecsInUse()


def _upsert_specs(conn, type_id, specs):
    now = models.utcnow()
    for key, value in specs.items():
        updated = conn.execute(
            sa.update(_specs)
            .where(_specs.c.volume_type_id == type_id, _specs.c.key == key)
            .values(value=value, updated_at=now))
        if updated.rowcount == 0:
            conn.execute(sa.insert(_specs).values(
                volume_type_id=type_id, key=key, value=value,
                created_at=now))


@db_api.retry_on_db_error
def update_extra_specs(context, type_id, specs):
    """Add or change *specs*; returns every extra spec of the type."""
    with db_api.writer() as conn:
        get_in(conn, context, type_id)
        _check_specs_writable(conn, type_id)
        _upsert_specs(conn, type_id, specs)
        return get_in(conn, context, type_id)['extra_specs']


@db_api.retry_on_db_error
def delete_extra_spec(context, type_id, key):
    with db_api.writer() as conn:
        get_in(conn, context, type_id)
        _check_specs_writable(conn, type_id)
        deleted = conn.execute(sa.delete(_specs).where(
            _specs.c.volume_type_id == type_id, _specs.c.key == key))
        if deleted.rowcount == 0:
            raise exception.VolumeTypeExtraSpecsNotFound(
                volume_type_id=type_id, extra_specs_key=key)


def get_access(context, type_id):
    """Project ids allowed a private type, in the order they were added."""
    with db_api.reader() as conn:
        get_in(conn, context, type_id)
        return list(conn.execute(
            sa.select(_projects.c.project_id)
            .where(_projects.c.volume_type_id == type_id)
            .order_by(_projects.c.id)).scalars())


@db_api.retry_on_db_error
def add_access(context, type_id, project_id):
    try:
        with db_api.writer() as conn:
            get_in(conn, context, type_id)
            conn.execute(sa.insert(_projects).values(
                volume_type_id=type_id, project_id=project_id,
                created_at=models.utcnow()))
    except sa_exc.IntegrityError:
        raise exception.VolumeTypeAccessExists(volume_type_id=type_id,
                                               project_id=project_id)


@db_api.retry_on_db_error
def remove_access(context, type_id, project_id):
    with db_api.writer() as conn:
        get_in(conn, context, type_id)
        deleted = conn.execute(sa.delete(_projects).where(
            _projects.c.volume_type_id == type_id,
            _projects.c.project_id == project_id))
        if deleted.rowcount == 0:
            raise exception.VolumeTypeAccessNotFound(volume_type_id=type_id,
                                                     project_id=project_id)
