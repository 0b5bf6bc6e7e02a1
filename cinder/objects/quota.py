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
"""Quotas: limits, usage and the reservations that enforce them.

A limit comes from the project's own row, else from the quota class
"default", else from the quota_* options; -1 means unlimited. Work that
makes a resource in one transaction consume_in()s its quota there; work
that takes longer (an extend) reserve()s it, then commit()s or
rollback()s the reservation; a delete release_in()s its usage in the
transaction that ends it. Each locks the project's usage rows (in a fixed
order, so two requests cannot deadlock) and checks every limit inside that
transaction, so concurrent requests can neither exceed a limit nor leak
usage.
"""

import datetime
import functools
import uuid

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

import cinder.conf
from cinder.db import api as db_api
from cinder.db import models
from cinder import exception

_quotas = models.quotas
_classes = models.quota_classes
_usages = models.quota_usages
_reservations = models.reservations

DEFAULT_CLASS = 'default'
# Resource -> the option holding its default limit.
BASE_RESOURCES = {
    'volumes': 'quota_volumes',
    'snapshots': 'quota_snapshots',
    'gigabytes': 'quota_gigabytes',
    'backups': 'quota_backups',
    'backup_gigabytes': 'quota_backup_gigabytes',
    'groups': 'quota_groups',
    'per_volume_gigabytes': 'per_volume_size_limit',
}
# A limit on the size of one volume: checked, never counted.
UNTRACKED = frozenset({'per_volume_gigabytes'})
PER_TYPE = ('volumes', 'gigabytes', 'snapshots')
MAX_LIMIT = 2 ** 31 - 1


def _tracked(resource_names):
    """The names that have usage rows, sorted: rows are locked in this
    order."""
    return sorted(res for res in resource_names if res not in UNTRACKED)


def _type_names(conn):
    return conn.execute(sa.select(models.volume_types.c.name)).scalars()


def _resource_names(type_names):
    names = list(BASE_RESOURCES)
    for type_name in type_names:
        names.extend('%s_%s' % (res, type_name) for res in PER_TYPE)
    return names


def resources(conn):
    """Every quota resource: the base ones and one set per volume type."""
    return _resource_names(_type_names(conn))


def _class_limits(conn, class_name):
    return dict(conn.execute(
        sa.select(_classes.c.resource, _classes.c.hard_limit)
        .where(_classes.c.class_name == class_name)).all())


def _limits(type_names, from_class):
    """The limits before a project's own: the default class's, else the
    quota_* options (-1 for per-type resources)."""
    conf = cinder.conf.CONF
    if not conf.use_default_quota_class:
        from_class = {}
    limits = {}
    for resource in _resource_names(type_names):
        option = BASE_RESOURCES.get(resource)
        default = getattr(conf, option) if option else -1
        limits[resource] = from_class.get(resource, default)
    return limits


def _defaults(conn):
    return _limits(_type_names(conn), _class_limits(conn, DEFAULT_CLASS))


# What a project's limits are made of, in one query (each write that
# checks a limit runs it inside its transaction): the type names (the
# per-type resources), the default class's limits, the project's own.
_LIMIT_ROWS = sa.union_all(
    sa.select(sa.literal('type').label('source'),
              models.volume_types.c.name.label('resource'),
              sa.cast(sa.null(), sa.Integer).label('hard_limit')),
    sa.select(sa.literal('class'), _classes.c.resource, _classes.c.hard_limit)
    .where(_classes.c.class_name == DEFAULT_CLASS),
    sa.select(sa.literal('project'), _quotas.c.resource, _quotas.c.hard_limit)
    .where(_quotas.c.project_id == sa.bindparam('project_id')))


def _project_limits(conn, project_id):
    type_names, from_class, own = [], {}, []
    for source, resource, limit in conn.execute(
            _LIMIT_ROWS, {'project_id': project_id}):
        if source == 'type':
            type_names.append(resource)
        elif source == 'class':
            from_class[resource] = limit
        else:
            own.append((resource, limit))
    limits = _limits(type_names, from_class)
    limits.update((resource, limit) for resource, limit in own
                  if resource in limits)
    return limits


def _usage(conn, project_id):
    rows = conn.execute(sa.select(_usages).where(
        _usages.c.project_id == project_id)).mappings().all()
    return {row['resource']: row for row in rows}


def get_defaults():
    with db_api.reader() as conn:
        return _defaults(conn)


def get_project_quotas(project_id, usages=False):
    """{resource: limit}, or {resource: {limit, in_use, reserved}}."""
    with db_api.reader() as conn:
        limits = _project_limits(conn, project_id)
        if not usages:
            return limits
        used = _usage(conn, project_id)
    return {resource: {'limit': limit,
                       'in_use': used[resource]['in_use']
                       if resource in used else 0,
                       'reserved': used[resource]['reserved']
                       if resource in used else 0}
            for resource, limit in limits.items()}


def _validate(conn, values):
    """Integers >= -1 for known resources; Cinder's 400 otherwise."""
    known = set(resources(conn))
    bad = sorted(set(values) - known)
    if bad:
        raise exception.InvalidInput(
            reason='Bad key(s) in quota set: %s' % ', '.join(bad))
    clean = {}
    for resource, value in values.items():
        try:
            clean[resource] = int(str(value).strip())
        except ValueError:
            raise exception.InvalidInput(
                reason='%s must be an integer.' % resource)
        if not -1 <= clean[resource] <= MAX_LIMIT:
            raise exception.InvalidInput(
                reason='%s must be an integer between -1 and %d.'
                       % (resource, MAX_LIMIT))
    return clean


def _upsert(conn, table, key_column, key, limits):
    now = models.utcnow()
    for resource, limit in limits.items():
        updated = conn.execute(
            sa.update(table).where(table.c[key_column] == key,
                                   table.c.resource == resource)
            .values(hard_limit=limit, updated_at=now))
        if updated.rowcount == 0:
            conn.execute(sa.insert(table).values(
                {key_column: key, 'resource': resource,
                 'hard_limit': limit, 'created_at': now}))


@db_api.retry_on_db_error
def update_project_quotas(project_id, values):
    """Set limits; a limit below what is in use or reserved is a 400."""
    with db_api.writer() as conn:
        limits = _validate(conn, values)
        used = _usage(conn, project_id)
        for resource, limit in limits.items():
            usage = used.get(resource)
            current = usage['in_use'] + usage['reserved'] if usage else 0
            if limit != -1 and limit < current:
                raise exception.InvalidInput(
                    reason='Quota %s limit must be equal or greater than '
                           'existing resources. Current usage is %d and the '
                           'requested limit is %d.'
                           % (resource, current, limit))
        _upsert(conn, _quotas, 'project_id', project_id, limits)
        return _project_limits(conn, project_id)


@db_api.retry_on_db_error
def delete_project_quotas(project_id):
    """Back to the defaults."""
    with db_api.writer() as conn:
        conn.execute(sa.delete(_quotas).where(
            _quotas.c.project_id == project_id))


def get_class(class_name):
    with db_api.reader() as conn:
        limits = _defaults(conn)
        limits.update(_class_limits(conn, class_name))
        return limits


@db_api.retry_on_db_error
def update_class(class_name, values):
    with db_api.writer() as conn:
        _upsert(conn, _classes, 'class_name', class_name,
                _validate(conn, values))
    return get_class(class_name)


def _ensure_usage_rows(project_id, resource_names):
    """Create missing usage rows, each in its own transaction: a concurrent
    request creating the same row is harmless."""
    with db_api.reader() as conn:
        existing = set(conn.execute(sa.select(_usages.c.resource).where(
            _usages.c.project_id == project_id,
            _usages.c.resource.in_(resource_names))).scalars())
    for resource in resource_names:
        if resource not in existing:
            _insert_usage_row(project_id, resource)


@db_api.retry_on_db_error
def _insert_usage_row(project_id, resource):
    # Retried: concurrent first requests of a project lock the gap these
    # rows go in (their locking reads found them missing), and InnoDB may
    # pick this insert as a deadlock victim.
    try:
        with db_api.writer() as conn:
            conn.execute(sa.insert(_usages).values(
                project_id=project_id, resource=resource, in_use=0,
                reserved=0, created_at=models.utcnow()))
    except sa_exc.IntegrityError:
        pass  # Another request created it.


def _check_limits(tracked, deltas, usages, limits):
    """OverQuota naming every resource *deltas* would take over its
    limit (what is in use and reserved counts)."""
    overs = [res for res in tracked
             if deltas[res] > 0 and limits.get(res, -1) >= 0
             and usages[res]['in_use'] + usages[res]['reserved']
             + deltas[res] > limits[res]]
    if overs:
        raise exception.OverQuota(
            overs=overs, quotas={res: limits[res] for res in overs},
            usages={res: dict(usages[res]) for res in overs})


class UsageRowsMissing(Exception):
    """A project has no usage row yet for some of the resources a write
    changes (``resources``): see with_usage_rows()."""

    def __init__(self, resources):
        super().__init__(resources)
        self.resources = resources


# Every write locks the usage rows it changes with one of these reads,
# in (project, resource) order, before its UPDATE. An UPDATE locks rows in
# the order it finds them (on PostgreSQL a small table's sequential scan,
# whose order moves with every new row version; on InnoDB the index it
# uses), so two writes updating the same rows straight away could take
# them in opposite orders and deadlock; PostgreSQL notices only after
# deadlock_timeout, a second per deadlock.
_LOCK_USAGES = (
    sa.select(_usages).where(
        _usages.c.project_id == sa.bindparam('project_id'),
        _usages.c.resource.in_(sa.bindparam('resources', expanding=True)))
    .order_by(_usages.c.resource).with_for_update())
_LOCK_USAGES_BY_ID = (
    sa.select(_usages.c.id).where(
        _usages.c.id.in_(sa.bindparam('ids', expanding=True)))
    .order_by(_usages.c.project_id, _usages.c.resource).with_for_update())


def _lock_usages(conn, project_id, tracked):
    """The project's usage rows of *tracked*, locked in a fixed order;
    UsageRowsMissing if one does not exist yet."""
    rows = conn.execute(_LOCK_USAGES, {
        'project_id': project_id, 'resources': tracked}).mappings().all()
    usages = {row['resource']: row for row in rows}
    if len(usages) != len(tracked):
        raise UsageRowsMissing(
            [res for res in tracked if res not in usages])
    return usages


_USAGE_ROW_TRIES = 3


def with_usage_rows(project_id, write):
    """*write*() (a write transaction that locks usage rows of
    *project_id*), once the project has the usage rows it locks. A project
    has them from its first request on, so write() is tried as it is; only
    if it raises UsageRowsMissing (having written nothing) are the missing
    rows created, each in its own transaction, and write() run again.
    Creating them inside the locking transaction would race with another
    request creating them. A write that learns its resources inside the
    transaction (a snapshot's, from its volume's type) may find yet another
    row missing if that changed meanwhile: it gets a few tries."""
    for _ in range(_USAGE_ROW_TRIES - 1):
        try:
            return write()
        except UsageRowsMissing as missing:
            _ensure_usage_rows(project_id, missing.resources)
    return write()


def _by_key(column, keys, name):
    """CASE *column* WHEN keys[i] THEN :name<i> ... ELSE 0: a per-row
    delta in an UPDATE of several rows."""
    return sa.case(*[(column == key, sa.bindparam('%s%d' % (name, i),
                                                    type_=sa.Integer))
                     for i, key in enumerate(keys)], else_=0)


_NOW = sa.bindparam('now', type_=_usages.c.updated_at.type)


# The UPDATEs below are built once per number of rows (functools.cache):
# built per call, their CASE clauses were a third of the SQL constructs a
# volume's create and delete built.
@functools.cache
def _add_to_usages_statement(count):
    ids = [sa.bindparam('id%d' % i, type_=sa.Integer) for i in range(count)]
    return sa.update(_usages).where(_usages.c.id.in_(ids)).values(
        in_use=_usages.c.in_use + _by_key(_usages.c.id, ids, 'in_use'),
        reserved=_usages.c.reserved + _by_key(_usages.c.id, ids, 'reserved'),
        updated_at=_NOW)


def _add_to_usages(conn, changes, now):
    """Add ``{usage id: (to in_use, to reserved)}`` in one UPDATE: a
    volume's work touches four usage rows, each another round trip."""
    ids = sorted(changes)
    if not ids:
        return
    params = {'now': now}
    for i, usage_id in enumerate(ids):
        params['id%d' % i] = usage_id
        params['in_use%d' % i], params['reserved%d' % i] = changes[usage_id]
    conn.execute(_add_to_usages_statement(len(ids)), params)


def consume_in(conn, project_id, deltas, size=None):
    """Add *deltas* to what the project uses, inside the caller's write
    transaction, checking every limit (and, with *size*, the per-volume
    limit) first: the quota of a resource created in that transaction,
    with no reservation rows. Run the transaction with with_usage_rows().
    Raises VolumeSizeExceedsLimit or OverQuota."""
    tracked = _tracked(deltas)
    usages = _lock_usages(conn, project_id, tracked)
    limits = _project_limits(conn, project_id)
    per_volume = limits.get('per_volume_gigabytes', -1)
    if size is not None and 0 <= per_volume < size:
        raise exception.VolumeSizeExceedsLimit(size=size, limit=per_volume)
    _check_limits(tracked, deltas, usages, limits)
    _add_to_usages(conn, {usages[res]['id']: (deltas[res], 0)
                          for res in tracked}, models.utcnow())


def release_in(conn, by_project):
    """Give back usage inside the caller's transaction, the one that
    removes what used it: *by_project* is ``{project: {resource: negative
    delta}}``. A shrink cannot go over a limit, so a delete holds no
    reservation while its work runs (Cinder's negative reservations change
    no ``reserved`` figure either): its task carries the deltas, and they
    apply with the delete's outcome or not at all. Projects are taken in
    order, and each one's rows locked as _lock_usages() locks them."""
    now = models.utcnow()
    for project_id, deltas in sorted((by_project or {}).items()):
        tracked = [res for res in _tracked(deltas) if deltas[res]]
        if not tracked:
            continue
        rows = conn.execute(_LOCK_USAGES, {
            'project_id': project_id, 'resources': tracked}).mappings()
        _add_to_usages(conn, {row['id']: (deltas[row['resource']], 0)
                              for row in rows}, now)


def reserve(project_id, deltas):
    """Reserve *deltas* ({resource: int}); returns the reservation ids.

    Raises OverQuota (413) naming every resource that would go over its
    limit; nothing is reserved then.
    """
    return with_usage_rows(project_id, lambda: _reserve(project_id, deltas))


@db_api.retry_on_db_error
def _reserve(project_id, deltas):
    tracked = _tracked(deltas)
    expire = models.utcnow() + datetime.timedelta(
        seconds=cinder.conf.CONF.reservation_expire)
    with db_api.writer() as conn:
        # FOR UPDATE (MySQL, PostgreSQL) or BEGIN IMMEDIATE (SQLite): the
        # checks below see every committed reservation and no other request
        # can reserve against these rows until this one is done.
        usages = _lock_usages(conn, project_id, tracked)
        if any(deltas[res] > 0 for res in tracked):
            # Only a growth can go over a limit (a delete's cannot).
            _check_limits(tracked, deltas, usages,
                          _project_limits(conn, project_id))
        now = models.utcnow()
        _add_to_usages(conn, {usages[res]['id']: (0, deltas[res])
                              for res in tracked if deltas[res] > 0}, now)
        rows = [{'uuid': str(uuid.uuid4()), 'usage_id': usages[res]['id'],
                 'project_id': project_id, 'resource': res,
                 'delta': deltas[res], 'expire': expire, 'created_at': now}
                for res in tracked]
        if rows:
            conn.execute(sa.insert(_reservations), rows)
        return [row['uuid'] for row in rows]


_RESERVED_USAGES = sa.select(_reservations.c.usage_id).where(
    _reservations.c.uuid.in_(sa.bindparam('uuids', expanding=True)))
_LOCK_RESERVATIONS = (
    sa.select(_reservations).where(
        _reservations.c.uuid.in_(sa.bindparam('uuids', expanding=True)))
    .order_by(_reservations.c.usage_id).with_for_update())
_DELETE_RESERVATIONS = sa.delete(_reservations).where(
    _reservations.c.uuid.in_(sa.bindparam('uuids', expanding=True)))


def finish_in(conn, reservation_ids, commit):
    """Commit or roll back inside the caller's transaction, so the usage
    changes with the work's final status or not at all. Reservations
    already finished (or expired and rolled back) are skipped.

    The usage rows are locked before the reservations, as _reserve()
    locks them before it inserts reservations: locked first, the
    reservations (InnoDB locks the gaps of their index too) deadlocked
    with a reserve() inserting beside them while holding the usage rows.
    """
    if not reservation_ids:
        return
    params = {'uuids': list(reservation_ids)}
    usage_ids = set(conn.execute(_RESERVED_USAGES, params).scalars())
    if not usage_ids:
        return
    conn.execute(_LOCK_USAGES_BY_ID, {'ids': sorted(usage_ids)})
    # Read again, locked: another transaction may have finished some of
    # them while this one waited for the usage rows.
    rows = conn.execute(_LOCK_RESERVATIONS, params).mappings().all()
    changes = {}
    for row in rows:
        delta = row['delta']
        in_use, reserved = changes.get(row['usage_id'], (0, 0))
        changes[row['usage_id']] = (in_use + (delta if commit else 0),
                                    reserved - max(delta, 0))
    _add_to_usages(conn, changes, models.utcnow())
    conn.execute(_DELETE_RESERVATIONS, params)


@db_api.retry_on_db_error
def commit(reservation_ids):
    """The reserved deltas become usage."""
    with db_api.writer() as conn:
        finish_in(conn, reservation_ids, commit=True)


@db_api.retry_on_db_error
def rollback(reservation_ids):
    """The reserved deltas are released."""
    with db_api.writer() as conn:
        finish_in(conn, reservation_ids, commit=False)


def expired_reservations(now=None):
    """Ids of reservations past their expiry, for a periodic rollback."""
    with db_api.reader() as conn:
        return list(conn.execute(
            sa.select(_reservations.c.uuid).where(
                _reservations.c.expire < (now or models.utcnow()))
        ).scalars())
