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
"""Tasks: accepted work on storage that is not finished yet.

The API inserts a task in the same transaction that moves the resource to
its transitional status (creating, deleting, extending ...). RPC casts only
say "look at task N"; the row is the truth. Whoever runs a task first
claims it by writing its own owner token where there was none (or where
the owner is a dead process on this machine), so a task runs once however
many messages or sweeps point at it, and a task whose process died is
resumed, from its row, by the next process that sweeps. Finishing deletes
the task in the transaction that writes the final status.
"""

import datetime
import json
import os
import socket

import sqlalchemy as sa

from cinder.db import api as db_api
from cinder.db import models
from cinder.db import rows as db_rows

_tasks = models.tasks

# A task nobody scheduled for this long lost its cast; younger ones are
# still on their way (a cast arrives in milliseconds), and scheduling them
# from a sweep would race the cast.
LOST_AFTER_SECONDS = 2

CREATE_VOLUME = 'create_volume'
DELETE_VOLUME = 'delete_volume'
EXTEND_VOLUME = 'extend_volume'
REVERT_VOLUME = 'revert_to_snapshot'
RETYPE_VOLUME = 'retype_volume'
CREATE_SNAPSHOT = 'create_snapshot'
DELETE_SNAPSHOT = 'delete_snapshot'


def _start_time(pid):
    """The kernel's start time of *pid* (jiffies since boot), or None."""
    try:
        with open('/proc/%d/stat' % pid) as stat:
            # The command name may hold spaces; fields follow its ')'.
            return stat.read().rsplit(')', 1)[1].split()[19]
    except (OSError, IndexError):
        return None


_TOKEN = {}


def owner_token():
    """host:pid:start-time of this process; new after a fork."""
    pid = os.getpid()
    if pid not in _TOKEN:
        _TOKEN.clear()
        _TOKEN[pid] = '%s:%d:%s' % (socket.gethostname(), pid,
                                    _start_time(pid) or '0')
    return _TOKEN[pid]


def owner_is_dead(token):
    """True if *token* names a process of this machine that is gone (a
    reused pid has another start time). Owners on other machines are
    never declared dead here."""
    try:
        host, pid, started = token.rsplit(':', 2)
        pid = int(pid)
    except ValueError:
        return True
    if host != socket.gethostname():
        return False
    return _start_time(pid) != started


_INSERT = sa.insert(_tasks)  # built once, as objects.volume's


def insert(conn, resource_type, resource_id, operation, context, host=None,
           **args):
    """Add a task inside the caller's transaction; returns its id."""
    result = conn.execute(_INSERT, {
        'resource_type': resource_type, 'resource_id': resource_id,
        'operation': operation, 'args': json.dumps(args),
        'project_id': context.project_id, 'request_id': context.request_id,
        'host': host, 'created_at': models.utcnow()})
    return result.inserted_primary_key[0]


_BY_ID = db_rows.Rows(sa.select(_tasks).where(
    _tasks.c.id == sa.bindparam('task_id')))
_FOR_RESOURCE = db_rows.Rows(sa.select(_tasks).where(
    _tasks.c.resource_type == sa.bindparam('resource_type'),
    _tasks.c.resource_id == sa.bindparam('resource_id')))


def _row(task):
    if task is not None:
        task['args'] = json.loads(task['args'])
    return task


def get_in(conn, task_id):
    return _row(_BY_ID.first(conn, {'task_id': task_id}))


def get(task_id):
    with db_api.reader() as conn:
        return get_in(conn, task_id)


def get_for(conn, resource_type, resource_id):
    return _row(_FOR_RESOURCE.first(conn, {
        'resource_type': resource_type, 'resource_id': resource_id}))


def _claim_statement(claimable):
    """Take the task if *claimable* (a condition on its owner) holds or it
    is ours already."""
    return sa.update(_tasks).where(
        _tasks.c.id == sa.bindparam('task_id'),
        sa.or_(claimable, _tasks.c.owner == sa.bindparam('me'))
    ).values(owner=sa.bindparam('me'), updated_at=sa.bindparam(
        'now', type_=_tasks.c.updated_at.type))


# Built once: the write path runs these for every volume and snapshot.
_CLAIM_UNOWNED = _claim_statement(_tasks.c.owner.is_(None))
_CLAIM_FROM = _claim_statement(
    _tasks.c.owner == sa.bindparam('previous_owner'))
_SET_HOST = sa.update(_tasks).where(
    _tasks.c.id == sa.bindparam('task_id'), _tasks.c.host.is_(None),
    _tasks.c.owner.is_(None)).values(
    host=sa.bindparam('set_host'), owner=sa.bindparam('set_owner'),
    updated_at=sa.bindparam('now', type_=_tasks.c.updated_at.type))
_DELETE = sa.delete(_tasks).where(_tasks.c.id == sa.bindparam('task_id'))


@db_api.retry_on_db_error
def claim(task_id, previous_owner=None):
    """Make this process the owner of a task that has none (or whose owner
    is *previous_owner*); True if it is now ours."""
    params = {'task_id': task_id, 'me': owner_token(),
              'now': models.utcnow()}
    if previous_owner is None:
        statement = _CLAIM_UNOWNED
    else:
        statement = _CLAIM_FROM
        params['previous_owner'] = previous_owner
    with db_api.writer() as conn:
        return conn.execute(statement, params).rowcount == 1


def set_host(conn, task_id, host, owner=None):
    """Record the scheduler's choice once: False if already scheduled.
    The task has no owner until then, so *owner* None leaves it so."""
    return conn.execute(_SET_HOST, {
        'task_id': task_id, 'set_host': host, 'set_owner': owner,
        'now': models.utcnow()}).rowcount == 1


def update_args(conn, task_id, **args):
    task = get_in(conn, task_id)
    task['args'].update(args)
    conn.execute(sa.update(_tasks).where(_tasks.c.id == task_id).values(
        args=json.dumps(task['args']), updated_at=models.utcnow()))


def delete(conn, task_id):
    """True if the task was there to delete."""
    return conn.execute(_DELETE, {'task_id': task_id}).rowcount == 1


def unscheduled():
    """Ids of tasks that waited for a scheduler more than
    LOST_AFTER_SECONDS (lost casts, dead schedulers)."""
    waited = models.utcnow() - datetime.timedelta(seconds=LOST_AFTER_SECONDS)
    with db_api.reader() as conn:
        return list(conn.execute(sa.select(_tasks.c.id).where(
            _tasks.c.host.is_(None), _tasks.c.created_at < waited)
            .order_by(_tasks.c.id)).scalars())


def orphaned(hosts):
    """(id, owner) of tasks on *hosts* (backend names, host@backend) that no
    live process of this machine owns."""
    with db_api.reader() as conn:
        rows = conn.execute(sa.select(_tasks.c.id, _tasks.c.host,
                                      _tasks.c.owner).where(
            _tasks.c.host.is_not(None)).order_by(_tasks.c.id)).all()
    me = owner_token()
    found = []
    for task_id, host, owner in rows:
        if host.split('#', 1)[0] not in hosts or owner == me:
            continue
        if owner is None or owner_is_dead(owner):
            found.append((task_id, owner))
    return found
