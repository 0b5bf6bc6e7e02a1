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
"""Placing new volumes on a backend pool, as Cinder's filter scheduler does.

Candidates are the pools of enabled volume services that are up. Filters:
the availability zone, the type's ``volume_backend_name`` extra spec, and
capacity (thin pools: what is provisioned there, from the database, may
not exceed total x max_over_subscription_ratio; thick pools: free space
minus the reserved percentage must hold the volume). The pool with the most
room left wins. Every scheduler reads the same database, so any number of
them can run and a restarted one forgets nothing.
"""

import json

from oslo_log import log as logging

from cinder.db import api as db_api
from cinder import log_levels
from cinder import message_field
from cinder.objects import service
from cinder.objects import task as tasks
from cinder.objects import volume as volumes
from cinder.objects import volume_type
from cinder import context as cinder_context
from cinder.volume import workflow

LOG = logging.getLogger(__name__)

VOLUME_BINARY = 'cinder-volume'
BINARY = 'cinder-scheduler'


def candidate_pools(conf, conn):
    """(host@backend#pool, service AZ, backend name, pool) of live pools."""
    pools = []
    for svc in service.get_all_in(conn, binary=VOLUME_BINARY):
        if svc['disabled'] or not svc['capabilities'] or not service.is_up(
                svc, conf.service_down_time):
            continue
        report = json.loads(svc['capabilities'])
        if not isinstance(report, dict):
            continue
        for pool in report.get('pools') or []:
            pools.append(('%s#%s' % (svc['host'], pool['pool_name']),
                          svc['availability_zone'],
                          report.get('volume_backend_name'), pool))
    return pools


def _room(pool, allocated, size):
    """GiB left after placing *size* there, or None if it does not fit."""
    total = float(pool.get('total_capacity_gb') or 0)
    free = float(pool.get('free_capacity_gb') or 0)
    reserved = total * pool.get('reserved_percentage', 0) / 100.0
    if pool.get('thin_provisioning_support'):
        ratio = float(pool.get('max_over_subscription_ratio') or 1.0)
        room = total * ratio - reserved - allocated - size
        if free - reserved <= 0 or room < 0:
            return None
        return room
    room = free - reserved - size
    return room if room >= 0 else None


def choose_backend(conf, size, availability_zone=None, extra_specs=None,
                   only_backend=None, conn=None):
    """The best host@backend#pool for a volume, or None; read on *conn*,
    the caller's reader() connection, or on one of its own."""
    if conn is None:
        with db_api.reader() as conn:
            return choose_backend(conf, size, availability_zone,
                                  extra_specs, only_backend, conn)
    wanted_backend = (extra_specs or {}).get('volume_backend_name')
    allocated = volumes.allocated_by_host(conn)
    best, best_room = None, None
    for host, zone, backend_name, pool in candidate_pools(conf, conn):
        if availability_zone and zone != availability_zone:
            continue
        if wanted_backend and wanted_backend != backend_name:
            continue
        if only_backend and host.split('#', 1)[0] != only_backend:
            continue
        room = _room(pool, allocated.get(host, 0), size)
        if room is not None and (best_room is None or room > best_room):
            best, best_room = host, room
    return best


class Scheduler:
    """The RPC endpoint of cinder-scheduler (and of the embedded runtime)."""

    def __init__(self, conf, dispatcher, runs_tasks=False):
        self.conf = conf
        self.dispatcher = dispatcher
        self.runs_tasks = runs_tasks

    def schedule_task(self, ctxt, task_id):
        # Every read of a placement on one reader() connection: one pool
        # checkout, not five (each also cost a ping and a rollback before
        # reads autocommitted, a third of a placement's time).
        with db_api.reader() as conn:
            task = tasks.get_in(conn, task_id)
            if task is None:
                return  # Already done: a duplicate message.
            host = task['host']
            if host is None:
                volume = volumes.get_row_in(conn, task['resource_id'])
                host = self._place(conn, volume)
        if task['host'] is None:
            if host is None:
                LOG.warning('No backend can hold volume %s (%d GiB in %s)',
                            volume['id'], volume['size'],
                            volume['availability_zone'])
                workflow.fail_create_unscheduled(
                    task, message_field.SCHEDULE_ALLOCATE_VOLUME,
                    message_field.NO_BACKEND_AVAILABLE)
                return
            # The embedded runtime runs the task itself: it owns it now.
            owner = tasks.owner_token() if self.runs_tasks else None
            if not workflow.place(task, host, owner):
                return  # Another scheduler placed it first.
        self.dispatcher.run(host, task_id)

    def _place(self, conn, volume):
        vtype = volume_type.get_in(conn, cinder_context.get_admin_context(),
                                   volume['volume_type_id'])
        return choose_backend(self.conf, volume['size'],
                              volume['availability_zone'],
                              vtype['extra_specs'], conn=conn)

    def sweep(self):
        """Schedule tasks nobody scheduled (a cast lost with a dead
        process); scheduling twice is harmless."""
        for task_id in tasks.unscheduled():
            try:
                self.schedule_task(None, task_id)
            except Exception:
                LOG.exception('Scheduling task %s failed', task_id)


def register(conf):
    """The scheduler's services row (created once, then heartbeats)."""
    return service.get_or_create(conf.host, BINARY,
                                 availability_zone=conf.
                                 storage_availability_zone)



class RPCEndpoint:
    """What cinder-scheduler serves on the bus: schedule_task only."""

    def __init__(self, scheduler):
        self._scheduler = scheduler

    def schedule_task(self, ctxt, task_id):
        self._scheduler.schedule_task(ctxt, task_id)

    def get_log_levels(self, ctxt, prefix):
        return log_levels.get_levels(prefix)

    def set_log_levels(self, ctxt, prefix, level):
        log_levels.set_levels(prefix, level)
