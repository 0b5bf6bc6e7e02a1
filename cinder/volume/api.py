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
"""The business rules of volumes and snapshots, between handlers and storage.

Handlers call these functions with a request context and validated input;
they check states and quotas, write the new state together with the task
that will do the work (one transaction, conditional on the state they
checked) and hand the task to the dispatcher. Nothing here knows HTTP or
drivers.
"""

import functools
import uuid

from oslo_log import log as logging

import cinder.conf
from cinder import context as cinder_context
from cinder.db import api as db_api
from cinder.db import models
from cinder import exception
from cinder.objects import quota
from cinder.objects import service
from cinder.objects import snapshot as snapshots
from cinder.objects import task as tasks
from cinder.objects import volume as volumes
from cinder.objects import volume_type
from cinder import rpc

LOG = logging.getLogger(__name__)

DELETABLE = ('available', 'error', 'error_restoring', 'error_extending',
             'error_managing')
DELETABLE_MIGRATION = (None, 'deleting', 'error', 'success')
VOLUME_STATUSES = (
    'creating', 'available', 'deleting', 'error', 'error_deleting',
    'error_managing', 'managing', 'attaching', 'in-use', 'detaching',
    'maintenance', 'restoring-backup', 'error_restoring', 'reserved',
    'awaiting-transfer', 'backing-up', 'error_backing-up', 'error_extending',
    'downloading', 'uploading', 'retyping', 'extending', 'reverting')
ATTACH_STATUSES = ('attached', 'attaching', 'detached', 'reserved',
                   'error_attaching', 'error_detaching', 'deleted')
MIGRATION_STATUSES = ('migrating', 'error', 'success', 'completing', 'none',
                      'starting')
SNAPSHOT_STATUSES = ('creating', 'available', 'deleting', 'deleted', 'error',
                     'error_deleting', 'updating', 'unmanaging',
                     'backing-up', 'restoring')


def _quota_exception(cls, **kwargs):
    """A quota error whose message starts with its class name, as Cinder's
    fault wrapper shows these (safe) errors, e.g. "VolumeLimitExceeded:
    Maximum number of volumes allowed (10) exceeded for quota 'volumes'."
    """
    return cls('%s: %s' % (cls.__name__, cls(**kwargs).msg), **kwargs)


def _quota_error(error, requested):
    """Cinder's specific 413 for the first resource over its limit."""
    name = error.kwargs['overs'][0]
    limit = error.kwargs['quotas'][name]
    usage = error.kwargs['usages'][name]
    if name.startswith('gigabytes'):
        return _quota_exception(
            exception.VolumeSizeExceedsAvailableQuota,
            name=name, requested=requested, quota=limit,
            consumed=usage['in_use'] + usage['reserved'])
    if name.startswith('snapshots'):
        return _quota_exception(exception.SnapshotLimitExceeded,
                                allowed=limit, name=name)
    return _quota_exception(exception.VolumeLimitExceeded, allowed=limit,
                            name=name)


def _reserve(project_id, deltas, requested):
    try:
        return quota.reserve(project_id, deltas)
    except exception.OverQuota as error:
        if 'overs' not in error.kwargs:
            raise
        raise _quota_error(error, requested)


def _volume_deltas(type_name, count, size):
    return {'volumes': count, 'gigabytes': size,
            'volumes_%s' % type_name: count,
            'gigabytes_%s' % type_name: size}


def _dispatch(send, *args):
    """Hand a committed task over. If the bus is down the task waits in
    the database for a sweep, so the request still stands."""
    try:
        send(*args)
    except Exception:
        LOG.exception('Could not dispatch task %s now; a periodic sweep '
                      'will', args[-1])


def _check_size_limit(project_id, size):
    limit = quota.get_project_quotas(project_id)['per_volume_gigabytes']
    if limit >= 0 and size > limit:
        raise _quota_exception(exception.VolumeSizeExceedsLimit, size=size,
                               limit=limit)


def availability_zones(conf):
    zones = {conf.storage_availability_zone}
    zones.update(row['availability_zone']
                 for row in service.get_all(binary='cinder-volume'))
    return zones


def _source(context, snapshot_id, source_volid):
    """(volume to copy, its size, 'snapshot'/'source volume', the type id
    of the copy) or Nones. A snapshot's copy gets the type the snapshot was
    taken with, which its volume may have left since."""
    if snapshot_id and source_volid:
        raise exception.InvalidInput(
            reason='May specify only one of snapshot_id, source_volid.')
    if snapshot_id:
        snapshot = snapshots.get(context, snapshot_id)
        if snapshot['status'] != 'available':
            raise exception.InvalidSnapshot(
                reason='Originating snapshot status must be one of '
                       "'available' values")
        admin = cinder_context.get_admin_context()
        return (volumes.get(admin, snapshot['volume_id']),
                snapshot['volume_size'], 'snapshot',
                snapshot['volume_type_id'])
    if source_volid:
        source = volumes.get(context, source_volid)
        if source['status'] not in ('available', 'in-use'):
            raise exception.InvalidVolume(
                reason='Unable to create clone volume from source volume '
                       'with status %s' % source['status'])
        return (source, source['size'], 'source volume',
                source['volume_type_id'])
    return None, None, None, None


def _size_and_zone(conf, size, availability_zone, source, source_size,
                   kind):
    if size is None:
        if source is None:
            raise exception.InvalidInput(
                reason='Invalid volume size provided for create request: '
                       'None (size argument must be an integer (or string '
                       'representation of an integer) and greater than '
                       'zero).')
        size = source_size
    elif source is not None and size < source_size:
        raise exception.InvalidInput(
            reason='Volume size %sGB cannot be smaller than the %s size '
                   '%sGB.' % (size, kind, source_size))
    if source is not None:
        availability_zone = availability_zone or source['availability_zone']
        if availability_zone != source['availability_zone']:
            raise exception.InvalidInput(
                reason='Volume must be in the same availability zone as the '
                       '%s' % kind)
    availability_zone = availability_zone or (
        conf.default_availability_zone or conf.storage_availability_zone)
    # This node's own zone is always valid: no need to read the services.
    if (availability_zone != conf.storage_availability_zone
            and availability_zone not in availability_zones(conf)):
        raise exception.InvalidAvailabilityZone(az=availability_zone)
    return size, availability_zone


def create(context, size=None, name=None, description=None, vtype=None,
           availability_zone=None, metadata=None, snapshot_id=None,
           source_volid=None):
    """A new volume in `creating`; *vtype* is the resolved type dict."""
    conf = cinder.conf.CONF
    source, source_size, kind, source_type_id = _source(
        context, snapshot_id, source_volid)
    if vtype is None:
        vtype = volume_type.get(cinder_context.get_admin_context(),
                                source_type_id)
    size, availability_zone = _size_and_zone(
        conf, size, availability_zone, source, source_size, kind)
    deltas = _volume_deltas(vtype['name'], 1, size)
    volume_id = str(uuid.uuid4())
    host = source['host'] if source is not None else None
    values = {
        'id': volume_id, 'project_id': context.project_id,
        'user_id': context.user_id, 'size': size,
        'availability_zone': availability_zone,
        'status': 'creating', 'attach_status': 'detached',
        'display_name': name, 'display_description': description,
        'volume_type_id': vtype['id'], 'snapshot_id': snapshot_id,
        'source_volid': source_volid, 'host': host,
        'bootable': bool(source and source['bootable']),
        'multiattach': vtype['extra_specs'].get(
            'multiattach', '').lower() == '<is> true',
        'replication_status': 'disabled', 'use_quota': True,
        'shared_targets': True}
    task_id, volume = quota.with_usage_rows(
        context.project_id, functools.partial(
            _insert_volume, context, volume_id, deltas, size, host, values,
            metadata))
    dispatcher = rpc.get_dispatcher()
    if host:
        _dispatch(dispatcher.run, host, task_id)
    else:
        _dispatch(dispatcher.schedule, task_id)
    return volume


@db_api.retry_on_db_error
def _insert_volume(context, volume_id, deltas, size, host, values,
                   metadata):
    """The volume row, its quota and its create task in one transaction.
    The volume uses its quota from then on, whatever becomes of it: as in
    Cinder, one that ends in error counts until it is deleted."""
    with db_api.writer() as conn:
        try:
            quota.consume_in(conn, context.project_id, deltas, size=size)
        except exception.VolumeSizeExceedsLimit as error:
            raise _quota_exception(exception.VolumeSizeExceedsLimit,
                                   **error.kwargs)
        except exception.OverQuota as error:
            raise _quota_error(error, size)
        volumes.insert(conn, values, metadata)
        task_id = tasks.insert(
            conn, 'volume', volume_id, tasks.CREATE_VOLUME, context,
            host=host, snapshot_id=values['snapshot_id'],
            source_volid=values['source_volid'])
        # Read before the task is handed over: the answer shows the
        # volume `creating`, however fast the work is done.
        return task_id, volumes.get_in(conn, context, volume_id)


def _busy(conn, resource_type, resource_id):
    if tasks.get_for(conn, resource_type, resource_id) is not None:
        raise exception.InvalidVolume(
            reason='an operation on this %s is in progress' % resource_type)


@db_api.retry_on_db_error
def _start(context, volume_id, operation, expected, values, host=None,
           reason=None, **args):
    """Move the volume to *values* if it matches *expected*, with a task
    for *operation*; returns the task id."""
    with db_api.writer() as conn:
        volume = volumes.get_in(conn, context, volume_id)
        _busy(conn, 'volume', volume_id)
        if not (host or volume['host']):
            # Reset to available after no backend could hold it: there is
            # nothing on storage to work on, and no service to do it.
            raise exception.InvalidVolume(
                reason='Volume %s is not placed on a backend.' % volume_id)
        if not volumes.update(conn, volume_id, expected=expected, **values):
            raise exception.InvalidVolume(
                reason=reason or 'Volume status must be %s.' % ' or '.join(
                    expected.get('status', ())))
        return tasks.insert(conn, 'volume', volume_id, operation, context,
                            host=host or volume['host'], **args), volume


def _check_deletable(volume, snaps, cascade, force):
    if cascade and any(s['status'] not in ('available', 'error')
                       for s in snaps):
        raise exception.InvalidVolume(
            reason='Snapshot of volume not in valid state for cascade '
                   'delete.')
    if ((not force and volume['status'] not in DELETABLE)
            or volume['attach_status'] == 'attached'
            or volume['attachments']
            or volume['migration_status'] not in DELETABLE_MIGRATION
            or volume['group_id'] or volume['consistencygroup_id']
            or (snaps and not cascade)):
        raise exception.InvalidVolume(
            reason='Volume status must be available or error or '
                   'error_restoring or error_extending or error_managing and '
                   'must not be migrating, attached, belong to a group, have '
                   'snapshots, awaiting a transfer, or be disassociated from '
                   'snapshots after volume transfer.')


def _snapshot_deltas(snap, fallback_type_name):
    """Usage given back by deleting *snap*: it counts against the type it
    was taken with, which a retype of its volume does not change."""
    type_name = snap['volume_type_name'] or fallback_type_name
    return {'snapshots': -1, 'snapshots_%s' % type_name: -1,
            'gigabytes': -snap['volume_size'],
            'gigabytes_%s' % type_name: -snap['volume_size']}


def _add_deltas(deltas, more):
    for resource, delta in more.items():
        deltas[resource] = deltas.get(resource, 0) + delta
    return deltas


def _delete_deltas(volume, snaps):
    """{project: usage given back} by deleting a volume and (cascade) its
    snapshots; a snapshot counts in its own project, which is the one that
    took it (an admin may snapshot another project's volume)."""
    type_name = volume['volume_type_name']
    by_project = {volume['project_id']: _volume_deltas(
        type_name, -1, -volume['size'])}
    for snap in snaps:
        _add_deltas(by_project.setdefault(snap['project_id'], {}),
                    _snapshot_deltas(snap, type_name))
    return by_project


def _recheck_deletable(conn, context, volume_id, snaps):
    """In the delete's transaction, with the volume row locked: no snapshot
    or attachment appeared since the checks (a snapshot create locks the
    row too), so none is left pointing at a deleted volume. Returns the
    usage the delete gives back, from the locked row: its size as it is
    now."""
    current = volumes.lock_in(conn, context, volume_id)
    now = sorted(s['id'] for s in snapshots.of_volume(conn, volume_id))
    if current['attachments'] or now != sorted(s['id'] for s in snaps):
        raise exception.InvalidVolume(
            reason='Volume %s was attached or snapshotted meanwhile; retry.'
                   % volume_id)
    return _delete_deltas(current, snaps)


@db_api.retry_on_db_error
def delete(context, volume, cascade=False, force=False):
    """Delete *volume*, as its caller read and authorized it. Its usage
    (and its snapshots', with *cascade*) is given back when the delete is
    done, in the transaction that removes the rows."""
    volume_id = volume['id']
    with db_api.reader() as conn:
        snaps = snapshots.of_volume(conn, volume_id)
    _check_deletable(volume, snaps, cascade, force)
    if not volume['host']:
        # Never placed: there is nothing on storage to remove.
        with db_api.writer() as conn:
            _busy(conn, 'volume', volume_id)
            release = _recheck_deletable(conn, context, volume_id, snaps)
            for snap in snaps:
                snapshots.destroy(conn, snap['id'])
            volumes.destroy(conn, volume_id)
            quota.release_in(conn, release)
        return
    with db_api.writer() as conn:
        _busy(conn, 'volume', volume_id)
        expected = {} if force else {'status': DELETABLE}
        if not volumes.update(conn, volume_id, expected=expected,
                              status='deleting'):
            raise exception.InvalidVolume(
                reason='Volume status changed; retry.')
        release = _recheck_deletable(conn, context, volume_id, snaps)
        for snap in snaps:
            snapshots.update(conn, snap['id'], status='deleting')
        task_id = tasks.insert(
            conn, 'volume', volume_id, tasks.DELETE_VOLUME, context,
            host=volume['host'], release=release,
            snapshot_ids=[s['id'] for s in snaps])
    _dispatch(rpc.get_dispatcher().run, volume['host'], task_id)


@db_api.retry_on_db_error
def update(context, volume_id, values, metadata=None):
    with db_api.writer() as conn:
        volume = volumes.get_in(conn, context, volume_id)
        if volume['status'] == 'maintenance':
            raise exception.InvalidVolume(
                reason='Volume status must not be maintenance')
        if values:
            volumes.update(conn, volume_id, **values)
        if metadata is not None:
            volumes.set_metadata(conn, volume_id, metadata, replace=True)
        return volumes.get_in(conn, context, volume_id)


def extend(context, volume_id, new_size, allow_in_use=False):
    volume = volumes.get(context, volume_id)
    allowed = ('available', 'in-use') if allow_in_use else ('available',)
    if volume['status'] not in allowed:
        raise exception.InvalidVolume(
            reason='Volume %s status must be %s to extend, but current '
                   'status is: %s.' % (volume_id, ' or '.join(allowed),
                                        volume['status']))
    if new_size <= volume['size']:
        raise exception.InvalidInput(
            reason='New size for extend must be greater than current size. '
                   '(current: %d, extended: %d).' % (volume['size'],
                                                     new_size))
    _check_size_limit(volume['project_id'], new_size)
    delta = new_size - volume['size']
    reservations = _reserve(
        volume['project_id'],
        {'gigabytes': delta,
         'gigabytes_%s' % volume['volume_type_name']: delta}, delta)
    try:
        task_id, volume = _start(
            context, volume_id, tasks.EXTEND_VOLUME,
            {'status': allowed, 'size': volume['size']},
            {'status': 'extending', 'previous_status': volume['status']},
            new_size=new_size, reservations=reservations,
            previous_status=volume['status'])
    except Exception:
        quota.rollback(reservations)
        raise
    _dispatch(rpc.get_dispatcher().run, volume['host'], task_id)


def retype(context, volume_id, new_type, migration_policy=None):
    volume = volumes.get(context, volume_id)
    if volume['status'] not in ('available', 'in-use'):
        raise exception.InvalidVolume(
            reason='Volume status must be available or in-use, but current '
                   'status is: %s.' % volume['status'])
    if volume['migration_status'] not in (None, 'success', 'error'):
        raise exception.InvalidVolume(
            reason='Volume is already part of an active migration.')
    if volume['group_id']:
        raise exception.InvalidVolume(
            reason='Volume must not be part of a group.')
    if new_type['id'] == volume['volume_type_id']:
        raise exception.InvalidInput(
            reason='Retype cannot change type to the current type.')
    old, new = volume['volume_type_name'], new_type['name']
    deltas = {'volumes_%s' % new: 1, 'gigabytes_%s' % new: volume['size'],
              'volumes_%s' % old: -1, 'gigabytes_%s' % old: -volume['size']}
    reservations = _reserve(volume['project_id'], deltas, volume['size'])
    try:
        task_id, volume = _start(
            context, volume_id, tasks.RETYPE_VOLUME,
            {'status': volume['status']},
            {'status': 'retyping', 'previous_status': volume['status']},
            new_type_id=new_type['id'], reservations=reservations,
            migration_policy=migration_policy or 'never',
            previous_status=volume['status'])
    except Exception:
        quota.rollback(reservations)
        raise
    _dispatch(rpc.get_dispatcher().run, volume['host'], task_id)


@db_api.retry_on_db_error
def revert(context, volume_id, snapshot_id):
    volume = volumes.get(context, volume_id)
    snap = snapshots.get(context, snapshot_id)
    with db_api.reader() as conn:
        latest = snapshots.latest_of_volume(conn, volume_id)
    if snap['volume_id'] != volume_id or latest is None:
        raise exception.InvalidInput(
            reason='Volume %s has no snapshot %s' % (volume_id, snapshot_id))
    if latest['id'] != snapshot_id:
        raise exception.InvalidSnapshot(
            reason='Cannot revert volume %s to snapshot %s: it is not the '
                   'latest one of the volume.' % (volume_id, snapshot_id))
    if volume['size'] != snap['volume_size']:
        raise exception.InvalidVolume(
            reason='Volume %s size and snapshot %s size are different.'
                   % (volume_id, snapshot_id))
    with db_api.writer() as conn:
        _busy(conn, 'volume', volume_id)
        if not volumes.update(conn, volume_id,
                              expected={'status': 'available'},
                              status='reverting'):
            raise exception.InvalidVolumeStatusConflict(
                reason='Volume %s status must be available to revert, but '
                       'current status is: %s.'
                       % (volume_id, volume['status']))
        if not snapshots.update(conn, snapshot_id,
                                expected={'status': 'available'},
                                status='restoring'):
            raise exception.InvalidVolumeStatusConflict(
                reason='Snapshot %s status must be available to revert.'
                       % snapshot_id)
        task_id = tasks.insert(conn, 'volume', volume_id,
                               tasks.REVERT_VOLUME, context,
                               host=volume['host'], snapshot_id=snapshot_id)
    _dispatch(rpc.get_dispatcher().run, volume['host'], task_id)


@db_api.retry_on_db_error
def set_state(context, volume_id, expected=None, reason=None, **values):
    """A state change made in the database only (attach bookkeeping,
    reset-status); 400 if the volume is not in an *expected* state."""
    with db_api.writer() as conn:
        volumes.get_in(conn, context, volume_id)
        if not volumes.update(conn, volume_id, expected=expected, **values):
            raise exception.InvalidVolume(reason=reason or 'Invalid status.')


def call_backend(context, volume_id, method, **kwargs):
    """A synchronous request to the volume's backend (connections)."""
    volume = volumes.get(context, volume_id)
    if not volume['host']:
        raise exception.InvalidVolume(
            reason='volume %s is not placed on a backend yet' % volume_id)
    try:
        return rpc.get_dispatcher().call(volume['host'], method,
                                         volume_id=volume_id, **kwargs)
    except exception.CinderException:
        raise
    except Exception as error:
        LOG.exception('%s of volume %s failed', method, volume_id)
        raise exception.VolumeBackendAPIException(data=str(error))


# Snapshots


def create_snapshot(context, volume_id, name=None, description=None,
                    metadata=None, force=False, allow_in_use=False):
    """A new snapshot in `creating`, its quota and its task in one
    transaction, with the volume row locked: a delete of the volume waits,
    then sees the snapshot."""
    allowed = ('available', 'in-use') if (force or allow_in_use) else (
        'available',)
    return quota.with_usage_rows(
        context.project_id, functools.partial(
            _insert_snapshot, context, volume_id, name, description,
            metadata, allowed))


@db_api.retry_on_db_error
def _insert_snapshot(context, volume_id, name, description, metadata,
                     allowed):
    with db_api.writer() as conn:
        volume = volumes.lock_in(conn, context, volume_id)
        if not volume['host']:
            raise exception.InvalidVolume(
                reason='Volume %s is not placed on a backend.' % volume_id)
        if volume['migration_status'] not in (None, 'success', 'error'):
            raise exception.InvalidVolume(reason='Volume is migrating.')
        if volume['status'] not in allowed:
            raise exception.InvalidVolume(
                reason='Volume %s status must be available, but current '
                       'status is: %s.' % (volume_id, volume['status']))
        type_name = volume['volume_type_name']
        # The snapshot is the caller's (its project_id), and so is its
        # usage, from now on until it is deleted (see create()).
        try:
            quota.consume_in(conn, context.project_id, {
                'snapshots': 1, 'snapshots_%s' % type_name: 1,
                'gigabytes': volume['size'],
                'gigabytes_%s' % type_name: volume['size']})
        except exception.OverQuota as error:
            raise _quota_error(error, volume['size'])
        snapshot_id = str(uuid.uuid4())
        snapshots.insert(conn, {
            'id': snapshot_id, 'volume_id': volume_id,
            'project_id': context.project_id,
            'user_id': context.user_id, 'status': 'creating',
            'progress': '0%', 'volume_size': volume['size'],
            'display_name': name, 'display_description': description,
            'volume_type_id': volume['volume_type_id'],
            'use_quota': True}, metadata)
        task_id = tasks.insert(conn, 'snapshot', snapshot_id,
                               tasks.CREATE_SNAPSHOT, context,
                               host=volume['host'], volume_id=volume_id)
        snap = snapshots.get_in(conn, context, snapshot_id)  # creating
    _dispatch(rpc.get_dispatcher().run, volume['host'], task_id)
    return snap


@db_api.retry_on_db_error
def delete_snapshot(context, snap, force=False):
    """Delete *snap*, as its caller read and authorized it; its usage is
    given back when the delete is done."""
    snapshot_id = snap['id']
    if not force and (snap['status'] not in ('available', 'error')
                      or snap['group_snapshot_id']):
        raise exception.InvalidSnapshot(
            reason='Snapshot status must be available or error and must not '
                   'be part of a group.')
    volume = volumes.get(cinder_context.get_admin_context(), snap['volume_id'])
    with db_api.writer() as conn:
        _busy(conn, 'snapshot', snapshot_id)
        expected = {} if force else {'status': ('available', 'error')}
        if not snapshots.update(conn, snapshot_id, expected=expected,
                                status='deleting'):
            raise exception.InvalidSnapshot(
                reason='Snapshot status changed; retry.')
        task_id = tasks.insert(
            conn, 'snapshot', snapshot_id, tasks.DELETE_SNAPSHOT, context,
            host=volume['host'], volume_id=volume['id'],
            release={snap['project_id']: _snapshot_deltas(
                snap, volume['volume_type_name'])})
    _dispatch(rpc.get_dispatcher().run, volume['host'], task_id)


# Attachments (the pre-3.27 attach API: bookkeeping in the database).


@db_api.retry_on_db_error
def attach(context, volume_id, mountpoint, instance_uuid=None,
           host_name=None, mode='rw'):
    with db_api.writer() as conn:
        volume = volumes.get_in(conn, context, volume_id)
        if volume['status'] == 'maintenance':
            raise exception.InvalidVolume(
                reason='Volume status must not be maintenance')
        if (volume['admin_metadata'].get('readonly') == 'True'
                and mode != 'ro'):
            raise exception.InvalidVolume(
                reason='Volume %s is read-only: attach it with mode ro.'
                       % volume_id)
        attached = [a for a in volume['attachments']
                    if a['attach_status'] == 'attached']
        if attached and not volume['multiattach']:
            raise exception.InvalidVolume(
                reason='Volume %s is already attached and is not '
                       'multiattach.' % volume_id)
        volumes.add_attachment(conn, {
            'id': str(uuid.uuid4()), 'volume_id': volume_id,
            'instance_uuid': instance_uuid, 'attached_host': host_name,
            'mountpoint': mountpoint, 'attach_mode': mode,
            'attach_status': 'attached',
            'attach_time': models.utcnow()})
        volumes.update(conn, volume_id, status='in-use',
                       attach_status='attached')
        volumes.set_admin_metadata(conn, volume_id, {'attached_mode': mode})


@db_api.retry_on_db_error
def detach(context, volume_id, attachment_id=None, force=False):
    with db_api.writer() as conn:
        volume = volumes.get_in(conn, context, volume_id)
        if volume['status'] == 'maintenance' and not force:
            raise exception.InvalidVolume(
                reason='Volume status must not be maintenance')
        attachments = volume['attachments']
        if attachment_id:
            gone = [a for a in attachments if a['id'] == attachment_id]
            if not gone:
                raise exception.VolumeAttachmentNotFound(
                    filter='attachment_id = %s' % attachment_id)
        elif len(attachments) > 1 and not force:
            raise exception.InvalidVolume(
                reason='Volume %s has several attachments: name the '
                       'attachment_id to detach.' % volume_id)
        else:
            gone = attachments
        for attachment in gone:
            volumes.remove_attachment(conn, attachment['id'])
        if len(gone) == len(attachments):
            volumes.update(conn, volume_id, status='available',
                           attach_status='detached')
            volumes.delete_admin_metadata_key(conn, volume_id,
                                              'attached_mode')
        else:
            volumes.update(conn, volume_id, status='in-use')


@db_api.retry_on_db_error
def reset_status(context, volume_id, status=None, attach_status=None,
                 migration_status=None):
    """An administrator's overwrite of the status. Work in progress on the
    volume is abandoned: its task ends and its quota is rolled back."""
    values = {}
    if status is not None:
        values['status'] = status
    if attach_status is not None:
        values['attach_status'] = attach_status
    if migration_status is not None:
        values['migration_status'] = (None if migration_status == 'none'
                                      else migration_status)
    with db_api.writer() as conn:
        volume = volumes.get_in(conn, context, volume_id)
        if status == 'in-use' and not volume['attachments']:
            raise exception.InvalidVolume(
                reason='Volume %s has no attachment: it cannot be in-use.'
                       % volume_id)
        pending = tasks.get_for(conn, 'volume', volume_id)
        if pending is not None:
            quota.finish_in(conn, pending['args'].get('reservations'),
                            commit=False)
            tasks.delete(conn, pending['id'])
        if attach_status == 'detached':
            # As in Cinder: the way out of a detach that went wrong, after
            # which the volume can be deleted or attached again.
            for attachment in volume['attachments']:
                volumes.remove_attachment(conn, attachment['id'])
            volumes.delete_admin_metadata_key(conn, volume_id,
                                              'attached_mode')
        volumes.update(conn, volume_id, **values)


@db_api.retry_on_db_error
def reset_snapshot_status(context, snapshot_id, status):
    with db_api.writer() as conn:
        snapshots.get_in(conn, context, snapshot_id)
        pending = tasks.get_for(conn, 'snapshot', snapshot_id)
        if pending is not None:
            quota.finish_in(conn, pending['args'].get('reservations'),
                            commit=False)
            tasks.delete(conn, pending['id'])
        snapshots.update(conn, snapshot_id, status=status)
