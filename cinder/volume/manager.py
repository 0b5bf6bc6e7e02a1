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
"""The volume service: runs tasks on the backends' drivers.

One manager serves every backend of enabled_backends (host@backend). It
registers and heartbeats a services row per backend, with the driver's
capacity report the scheduler reads. run_task() claims a task, calls the
driver and ends the task through cinder.volume.workflow; every driver call
is idempotent, so a task left by a dead process is simply run again by
sweep(). The same object is the RPC endpoint of cinder-volume and the
in-process volume service of the embedded default.
"""

import threading

from oslo_log import log as logging

from cinder import context as cinder_context
from cinder.conf import volume as volume_conf
from cinder.db import api as db_api
from cinder import exception
from cinder import log_levels
from cinder import message_field as fields
from cinder.objects import service
from cinder.objects import snapshot as snapshots
from cinder.objects import task as tasks
from cinder.objects import volume as volumes
from cinder.objects import volume_type
from cinder import rpc
from cinder import scheduler
from cinder.volume import driver as volume_driver
from cinder.volume import workflow

LOG = logging.getLogger(__name__)

BINARY = 'cinder-volume'
# Seconds a migration waits for the destination to copy the data.
COPY_TIMEOUT = 3600


class VolumeManager:

    def __init__(self, conf, dispatcher, submit=None):
        self.conf = conf
        self.dispatcher = dispatcher
        # How sweeps start resumed tasks: off the caller's thread, so a long
        # task never holds up heartbeats (the default runs them inline).
        self.submit = submit or (lambda func, *args, **kw: func(*args, **kw))
        self.drivers = {}       # host@backend -> driver
        self.zones = {}         # host@backend -> availability zone
        self.services = {}      # host@backend -> services row id
        for name in volume_conf.backend_names(conf):
            backend = volume_conf.BackendConf(conf, name)
            host = '%s@%s' % (conf.host, name)
            self.drivers[host] = volume_driver.load_driver(
                backend.get('volume_driver'), backend, host)
            self.zones[host] = (backend.get('backend_availability_zone')
                                or conf.storage_availability_zone)
        self._running = set()
        self._lock = threading.Lock()
        self._operations = {
            tasks.CREATE_VOLUME: self._create_volume,
            tasks.DELETE_VOLUME: self._delete_volume,
            tasks.EXTEND_VOLUME: self._extend_volume,
            tasks.REVERT_VOLUME: self._revert_to_snapshot,
            tasks.RETYPE_VOLUME: self._retype_volume,
            tasks.CREATE_SNAPSHOT: self._create_snapshot,
            tasks.DELETE_SNAPSHOT: self._delete_snapshot,
        }

    def init_host(self):
        """Set up each driver and register its service; a backend whose
        driver fails is registered without capacity, so nothing is
        scheduled to it."""
        for host, driver in self.drivers.items():
            try:
                driver.do_setup()
                driver.initialized = True
            except Exception:
                driver.initialized = False
                LOG.exception('Backend %s failed to start', host)
            row = service.get_or_create(
                host, BINARY, topic=rpc.VOLUME_TOPIC,
                availability_zone=self.zones[host])
            if row['availability_zone'] != self.zones[host]:
                service.update(row['id'], availability_zone=self.zones[host])
            self.services[host] = row['id']
        self.report()

    def report(self):
        """Heartbeat every backend's service with its capacity."""
        for host, driver in self.drivers.items():
            capabilities = None
            if getattr(driver, 'initialized', False):
                try:
                    capabilities = driver.get_capabilities()
                except Exception:
                    LOG.exception('Backend %s cannot report capacity', host)
            service.report_capabilities(self.services[host], capabilities)

    def sweep(self):
        """Resume tasks of our backends whose owner died."""
        for task_id, owner in tasks.orphaned(set(self.drivers)):
            LOG.info('Picking up task %s (%s)', task_id,
                     'owner %s is gone' % owner if owner else 'unclaimed')
            self.submit(self.run_task, None, task_id, previous_owner=owner)

    # RPC entry points (ctxt is the message context; unused).

    def run_task(self, ctxt, task_id, previous_owner=None):
        with self._lock:
            if task_id in self._running:
                return
            self._running.add(task_id)
        try:
            task = tasks.get(task_id)
            if task is None:
                return  # Done already: a duplicate message.
            driver = self.drivers.get(rpc.backend_of(task['host'] or ''))
            if driver is None:
                LOG.error('Task %s is for %s, which this service does not '
                          'run', task_id, task['host'])
                return
            # Placed by this process's scheduler: already ours.
            if task['owner'] != tasks.owner_token() and not tasks.claim(
                    task_id, previous_owner):
                return
            self._operations[task['operation']](task, driver)
        finally:
            with self._lock:
                self._running.discard(task_id)

    def initialize_connection(self, ctxt, volume_id, connector):
        volume = self._volume(volume_id)
        return self._driver_of(volume).initialize_connection(volume,
                                                              connector)

    def terminate_connection(self, ctxt, volume_id, connector):
        volume = self._volume(volume_id)
        self._driver_of(volume).terminate_connection(volume, connector)

    def copy_in(self, ctxt, volume_id, dest_host, size, src_path):
        """Fill this service's copy of a migrating volume from *src_path*
        (same machine)."""
        self.drivers[rpc.backend_of(dest_host)].copy_volume_data(
            src_path, {'id': volume_id, 'size': size})

    # Operations: each ends its task, successfully or not.

    def _volume(self, volume_id):
        return volumes.get(cinder_context.get_admin_context(), volume_id)

    def _driver_of(self, volume):
        driver = self.drivers.get(rpc.backend_of(volume['host'] or ''))
        if driver is None:
            raise exception.VolumeBackendAPIException(
                data='volume %s is not on this service' % volume['id'])
        return driver

    def _create_volume(self, task, driver):
        volume = volumes.get_row(task['resource_id'])
        args = task['args']
        admin = cinder_context.get_admin_context()
        try:
            if args.get('snapshot_id'):
                driver.create_volume_from_snapshot(
                    volume, snapshots.get(admin, args['snapshot_id']))
            elif args.get('source_volid'):
                driver.create_cloned_volume(
                    volume, volumes.get(admin, args['source_volid']))
            else:
                driver.create_volume(volume)
        except Exception:
            LOG.exception('Creating volume %s failed', volume['id'])
            workflow.fail(task, fields.CREATE_VOLUME_FROM_BACKEND,
                          fields.DRIVER_FAILED_CREATE, commit=True,
                          volume={'status': 'error'})
            return
        workflow.end(task, volume={
            'status': 'available', 'host': task['host'],
            'service_uuid': None, 'shared_targets': False})

    def _delete_volume(self, task, driver):
        volume = self._volume(task['resource_id'])
        snaps = task['args'].get('snapshot_ids', [])
        try:
            for snap_id in snaps:
                driver.delete_snapshot({'id': snap_id,
                                        'volume_id': volume['id'],
                                        'volume_size': volume['size']})
            driver.delete_volume(volume)
        except Exception:
            LOG.exception('Deleting volume %s failed', volume['id'])
            workflow.end(task, commit=False,
                         volume={'status': 'error_deleting'})
            return
        workflow.end(task, destroy_volume=True, destroy_snapshots=snaps)

    def _extend_volume(self, task, driver):
        volume = self._volume(task['resource_id'])
        new_size = task['args']['new_size']
        try:
            driver.extend_volume(volume, new_size)
        except Exception:
            LOG.exception('Extending volume %s failed', volume['id'])
            workflow.fail(task, fields.EXTEND_VOLUME,
                          fields.DRIVER_FAILED_EXTEND,
                          volume={'status': 'error_extending'})
            return
        workflow.end(task, volume={
            'size': new_size,
            'status': task['args'].get('previous_status', 'available')})

    def _create_snapshot(self, task, driver):
        admin = cinder_context.get_admin_context()
        snap = snapshots.get(admin, task['resource_id'])
        try:
            driver.create_snapshot(snap)
        except Exception:
            LOG.exception('Creating snapshot %s failed', snap['id'])
            workflow.fail(task, fields.SNAPSHOT_CREATE, fields.UNKNOWN_ERROR,
                          commit=True, snapshot={'status': 'error'})
            return
        workflow.end(task, snapshot={'status': 'available',
                                     'progress': '100%'})

    def _delete_snapshot(self, task, driver):
        admin = cinder_context.get_admin_context()
        snap = snapshots.get(admin, task['resource_id'])
        try:
            driver.delete_snapshot(snap)
        except Exception:
            LOG.exception('Deleting snapshot %s failed', snap['id'])
            workflow.fail(task, fields.SNAPSHOT_DELETE, fields.UNKNOWN_ERROR,
                          snapshot={'status': 'error_deleting'})
            return
        workflow.end(task, destroy_snapshots=[snap['id']])

    def _revert_to_snapshot(self, task, driver):
        admin = cinder_context.get_admin_context()
        volume = self._volume(task['resource_id'])
        snap_id = task['args']['snapshot_id']
        try:
            driver.revert_to_snapshot(volume, snapshots.get(admin, snap_id))
        except Exception:
            LOG.exception('Reverting volume %s failed', volume['id'])
            workflow.fail(task, fields.REVERT_VOLUME, fields.UNKNOWN_ERROR,
                          volume={'status': 'error'}, snapshot_id=snap_id,
                          snapshot={'status': 'available'})
            return
        workflow.end(task, volume={'status': 'available'},
                     snapshot_id=snap_id, snapshot={'status': 'available'})

    def _retype_volume(self, task, driver):
        """Change the type; move the data first if the new type needs
        another backend (and the migration policy allows it)."""
        args = task['args']
        volume = self._volume(task['resource_id'])
        restore = {'status': args['previous_status'],
                   'migration_status': None}
        if args.get('stage') == 'cleanup':
            self._finish_migration(task, volume, restore)
            return
        admin = cinder_context.get_admin_context()
        new_type = volume_type.get(admin, args['new_type_id'])
        dest = args.get('dest_host')
        if dest is None:
            here = rpc.backend_of(volume['host'])
            dest = scheduler.choose_backend(
                self.conf, 0, volume['availability_zone'],
                new_type['extra_specs'], only_backend=here) or (
                scheduler.choose_backend(
                    self.conf, volume['size'], volume['availability_zone'],
                    new_type['extra_specs']))
            refusal = self._retype_refusal(volume, dest, here,
                                           args.get('migration_policy'))
            if refusal is not None:
                LOG.warning('Retype of volume %s to %s refused: %s',
                            volume['id'], new_type['name'], refusal[1])
                workflow.fail(task, fields.RETYPE_VOLUME, refusal,
                              volume=restore)
                return
            if rpc.backend_of(dest) == here:
                workflow.end(task, volume=dict(
                    restore, volume_type_id=new_type['id'], host=dest))
                return
            workflow.record(task, dest_host=dest, source_host=volume['host'])
            args.update(dest_host=dest, source_host=volume['host'])
        try:
            self.dispatcher.call(dest, 'copy_in', timeout=COPY_TIMEOUT,
                                 volume_id=volume['id'],
                                 dest_host=dest, size=volume['size'],
                                 src_path=driver.volume_path(volume))
        except Exception:
            LOG.exception('Migrating volume %s to %s failed', volume['id'],
                          dest)
            workflow.end(task, commit=False, volume=dict(
                restore, migration_status='error'))
            return
        workflow.migrated(task, host=dest, volume_type_id=new_type['id'])
        self._finish_migration(task, volume, restore)

    @staticmethod
    def _retype_refusal(volume, dest, here, migration_policy):
        """Why the volume cannot go to *dest* (a message detail), or None.
        Moving needs the on-demand policy, and a volume without snapshots
        (they would stay behind) or attachments (the attached consumer
        writes to the source)."""
        if dest is None:
            return fields.NO_BACKEND_AVAILABLE
        if rpc.backend_of(dest) == here:
            return None
        if migration_policy != 'on-demand':
            return fields.MIGRATION_NOT_ALLOWED
        with db_api.reader() as conn:
            has_snapshots = bool(snapshots.of_volume(conn, volume['id']))
        if has_snapshots or volume['attachments']:
            return fields.MIGRATION_IMPOSSIBLE
        return None

    def _finish_migration(self, task, volume, restore):
        # The data now lives on the destination: drop the source copy.
        self.drivers[rpc.backend_of(task['args']['source_host'])] \
            .delete_volume(volume)
        workflow.end(task, volume=dict(restore, migration_status='success'))


class RPCEndpoint:
    """What cinder-volume serves on the bus: these methods only."""

    def __init__(self, manager):
        self._manager = manager

    def run_task(self, ctxt, task_id):
        self._manager.run_task(ctxt, task_id)

    def initialize_connection(self, ctxt, volume_id, connector):
        return self._manager.initialize_connection(ctxt, volume_id,
                                                   connector)

    def terminate_connection(self, ctxt, volume_id, connector):
        self._manager.terminate_connection(ctxt, volume_id, connector)

    def copy_in(self, ctxt, volume_id, dest_host, size, src_path):
        self._manager.copy_in(ctxt, volume_id, dest_host, size, src_path)

    def get_log_levels(self, ctxt, prefix):
        return log_levels.get_levels(prefix)

    def set_log_levels(self, ctxt, prefix, level):
        log_levels.set_levels(prefix, level)
