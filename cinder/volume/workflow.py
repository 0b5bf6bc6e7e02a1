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
"""How a task ends: the final state, the quota and the task, in one commit.

Ending a task writes the resource's final status, commits or rolls back
the quota it reserved (or, for a delete, gives back the usage its task
carries) and deletes the task in the same transaction, so a
crash leaves either the task (to be resumed) or its whole outcome, and
usage is right on every path. A user message explaining a failure is
written just after.
"""

from oslo_log import log as logging

from cinder import context as cinder_context
from cinder.db import api as db_api
from cinder.objects import message
from cinder.objects import quota
from cinder.objects import snapshot as snapshots
from cinder.objects import task as tasks
from cinder.objects import volume as volumes

LOG = logging.getLogger(__name__)


def _context(task):
    return cinder_context.RequestContext(
        project_id=task['project_id'], request_id=task['request_id'],
        overwrite=False)


@db_api.retry_on_db_error
def end(task, commit=True, volume=None, snapshot=None, destroy_volume=False,
        destroy_snapshots=(), snapshot_id=None):
    """Finish *task*: *volume*/*snapshot* are column values to write on the
    task's volume / on *snapshot_id* (default: the task's snapshot).
    False if the task was abandoned meanwhile: then nothing is written."""
    with db_api.writer() as conn:
        if not tasks.delete(conn, task['id']):
            # Abandoned meanwhile (an admin's reset-status): its outcome
            # must not overwrite what the admin set.
            LOG.warning('Task %s was abandoned; its outcome is dropped',
                        task['id'])
            return False
        if task['resource_type'] == 'snapshot':
            snapshot_id = snapshot_id or task['resource_id']
            volume_id = task['args'].get('volume_id')
        else:
            volume_id = task['resource_id']
        for snap_id in destroy_snapshots:
            snapshots.destroy(conn, snap_id)
        if snapshot is not None:
            snapshots.update(conn, snapshot_id, **snapshot)
        if destroy_volume:
            volumes.destroy(conn, volume_id)
        elif volume is not None:
            volumes.update(conn, volume_id, **volume)
        quota.finish_in(conn, task['args'].get('reservations'), commit)
        if commit:
            quota.release_in(conn, task['args'].get('release'))
        return True


def fail(task, action, detail, commit=False, **values):
    """End *task* as failed, with a message for the user. The quota is
    rolled back, unless *commit*: a volume or snapshot whose creation
    failed still exists (in error) and counts until it is deleted, as in
    Cinder."""
    if not end(task, commit=commit, **values):
        return
    try:
        message.create(_context(task), action, detail,
                       resource_type='VOLUME_SNAPSHOT'
                       if task['resource_type'] == 'snapshot' else 'VOLUME',
                       resource_uuid=task['resource_id'])
    except Exception:
        LOG.exception('Could not record a user message for task %s',
                      task['id'])


def fail_create_unscheduled(task, action, detail):
    """No backend can hold the volume: it goes to error, unplaced."""
    fail(task, action, detail, commit=True, volume={'status': 'error'})


@db_api.retry_on_db_error
def record(task, **args):
    """Remember a decision in the task, so a resumed run keeps it."""
    with db_api.writer() as conn:
        tasks.update_args(conn, task['id'], **args)


@db_api.retry_on_db_error
def migrated(task, host, volume_type_id):
    """The data is on *host*: the volume points there, and the task has
    only the source copy left to remove."""
    with db_api.writer() as conn:
        volumes.update(conn, task['resource_id'], host=host,
                       volume_type_id=volume_type_id,
                       migration_status='completing')
        tasks.update_args(conn, task['id'], stage='cleanup')


@db_api.retry_on_db_error
def place(task, host, owner=None):
    """The scheduler's choice, recorded once on the task and the volume;
    False if another scheduler placed it first. *owner*: the process that
    will run it, when the scheduler's own process does."""
    with db_api.writer() as conn:
        if not tasks.set_host(conn, task['id'], host, owner):
            return False
        volumes.update(conn, task['resource_id'], host=host)
        return True
