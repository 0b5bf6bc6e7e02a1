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
"""The volume service's machinery: tasks, sweeps, scheduling, outcomes."""

import concurrent.futures
import datetime
import os
import socket

import pytest
import sqlalchemy as sa

from cinder import context as cinder_context
from cinder.db import api as db_api
from cinder.db import migration
from cinder.db import models
from cinder import exception
from cinder.objects import message
from cinder.objects import quota
from cinder.objects import task as tasks
from cinder.objects import volume as volumes
from cinder.objects import volume_type
from cinder import periodic
from cinder import rpc
from cinder import scheduler
from cinder.volume import api as volume_api
from cinder.volume.drivers import localfile
from cinder.volume import embedded
from cinder.volume import workflow
from tests.unit.conftest import PROJECT

GiB = 2 ** 30


def _context(project=PROJECT):
    return cinder_context.RequestContext(user_id='u', project_id=project,
                                         roles=['member'], overwrite=False)


def _default_type():
    return volume_type.get_by_name(cinder_context.get_admin_context(),
                                   '__DEFAULT__')


def _create(conf, size=1):
    volume = volume_api.create(_context(), size=size, vtype=_default_type())
    embedded.runtime(conf).wait_idle()
    return volumes.get(cinder_context.get_admin_context(), volume['id'])


@pytest.fixture
def service(conf, database, monkeypatch):
    """The embedded volume service, without its periodic thread: the
    tests run its sweeps themselves."""
    monkeypatch.setattr(periodic, 'run', lambda *args, **kwargs: None)
    migration.db_sync()
    return embedded.runtime(conf)


def test_concurrent_creates_never_exceed_the_quota(conf, service):
    """12 creates race for 5 volumes on every database: 5 exist, the rest
    are 413s, and usage is exact once the work is done."""
    quota.update_project_quotas(PROJECT, {'volumes': 5})

    def one(_):
        try:
            volume_api.create(_context(), size=1, vtype=_default_type())
        except exception.OverQuota:
            return 'over'
        return 'created'

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(one, range(12)))
    service.wait_idle()
    assert outcomes.count('created') == 5
    rows, _ = volumes.get_all(cinder_context.get_admin_context())
    assert sorted(row['status'] for row in rows) == ['available'] * 5
    usage = quota.get_project_quotas(PROJECT, usages=True)
    assert usage['volumes'] == {'limit': 5, 'in_use': 5, 'reserved': 0}
    assert usage['gigabytes']['in_use'] == 5
    assert usage['gigabytes']['reserved'] == 0


def _stalled_create(monkeypatch, conf):
    """A volume whose create was accepted but never ran (as if the process
    died right after the commit)."""
    runtime = embedded.runtime(conf)
    with monkeypatch.context() as patch:
        patch.setattr(rpc.EmbeddedDispatcher, 'schedule',
                      lambda self, task_id: None)
        volume = volume_api.create(_context(), size=1,
                                   vtype=_default_type())
    return runtime, volume


def _dead_owner():
    """The token of a process of this machine that does not exist."""
    return '%s:%d:%s' % (socket.gethostname(), 2 ** 22 + 12345, '1')


def test_sweeps_schedule_and_resume_abandoned_work(monkeypatch, conf,
                                                   service):
    runtime, volume = _stalled_create(monkeypatch, conf)
    with db_api.reader() as conn:
        task = tasks.get_for(conn, 'volume', volume['id'])
    assert task['host'] is None
    # A fresh task's cast may still be on its way: left to it.
    runtime.scheduler.sweep()
    runtime.wait_idle()
    with db_api.reader() as conn:
        assert tasks.get_for(conn, 'volume', volume['id'])['host'] is None
    with db_api.writer() as conn:
        conn.execute(tasks._tasks.update().where(
            tasks._tasks.c.id == task['id']).values(
            created_at=task['created_at'] - datetime.timedelta(
                seconds=tasks.LOST_AFTER_SECONDS + 1)))
    runtime.scheduler.sweep()      # lost: places it and runs it
    runtime.wait_idle()
    admin = cinder_context.get_admin_context()
    assert volumes.get(admin, volume['id'])['status'] == 'available'

    # Now a task owned by a process that died: the manager's sweep adopts it.
    _, volume = _stalled_create(monkeypatch, conf)
    with db_api.writer() as conn:
        task = tasks.get_for(conn, 'volume', volume['id'])
        conn.execute(tasks._tasks.update().where(
            tasks._tasks.c.id == task['id']).values(
            owner=_dead_owner(),
            host=volumes.get(admin, volume['id'])['host'] or
            '%s@local#local' % conf.host))
    assert tasks.owner_is_dead(_dead_owner())
    runtime.manager.sweep()
    runtime.wait_idle()
    volume = volumes.get(admin, volume['id'])
    assert volume['status'] == 'available'
    path = runtime.manager.drivers['%s@local' % conf.host].volume_path(volume)
    assert os.path.getsize(path) == GiB
    with db_api.reader() as conn:
        assert tasks.get_for(conn, 'volume', volume['id']) is None


def test_live_and_remote_owners_are_not_dead():
    assert not tasks.owner_is_dead(tasks.owner_token())
    assert not tasks.owner_is_dead('another-machine:1:1')
    assert tasks.owner_is_dead('garbage')


def test_a_claimed_task_runs_once(monkeypatch, conf, service):
    runtime, volume = _stalled_create(monkeypatch, conf)
    with db_api.writer() as conn:
        task = tasks.get_for(conn, 'volume', volume['id'])
        conn.execute(tasks._tasks.update().where(
            tasks._tasks.c.id == task['id']).values(owner='elsewhere:1:1'))
    # Owned by a live process elsewhere: nobody here may take it.
    assert not tasks.claim(task['id'])
    runtime.scheduler.sweep()
    runtime.manager.sweep()
    runtime.wait_idle()
    admin = cinder_context.get_admin_context()
    assert volumes.get(admin, volume['id'])['status'] == 'creating'


def _pool(name, total, free, allocated_ok=True, thin=True, ratio=20.0,
          reserved=0):
    return {'pool_name': name, 'total_capacity_gb': total,
            'free_capacity_gb': free, 'reserved_percentage': reserved,
            'max_over_subscription_ratio': ratio,
            'thin_provisioning_support': thin,
            'thick_provisioning_support': not thin}


def test_scheduler_filters_and_weighs(monkeypatch, conf):
    pools = [('n@a#a', 'nova', 'a', _pool('a', 100, 50)),
             ('n@b#b', 'nova', 'b', _pool('b', 100, 90, thin=False,
                                          reserved=10)),
             ('n@c#c', 'other', 'c', _pool('c', 1000, 1000))]
    monkeypatch.setattr(scheduler, 'candidate_pools',
                        lambda conf, conn: pools)
    allocated = {'n@a#a': 1990}
    monkeypatch.setattr(volumes, 'allocated_by_host',
                        lambda conn: allocated)

    def choose(size, zone='nova', specs=None):
        return scheduler.choose_backend(conf, size, zone, specs)

    # The most room wins: thick b has 90 free - 10 reserved = 80 GiB, thin
    # a has 100 x 20 = 2000 provisionable of which 1990 are used.
    assert choose(5) == 'n@b#b'
    assert choose(80) == 'n@b#b'
    assert choose(81) is None
    a_only = {'volume_backend_name': 'a'}
    assert choose(10, specs=a_only) == 'n@a#a'
    assert choose(11, specs=a_only) is None
    assert choose(5, specs={'volume_backend_name': 'x'}) is None
    assert choose(500, zone='other') == 'n@c#c'


def test_no_backend_is_an_error_with_a_message_and_quota_kept(conf,
                                                             service):
    quota.update_project_quotas(PROJECT, {'gigabytes': -1})
    volume = _create(conf, size=10 ** 8)
    assert volume['status'] == 'error'
    assert volume['host'] is None
    admin = cinder_context.get_admin_context()
    (msg,) = message.get_all(admin)
    assert msg['resource_uuid'] == volume['id']
    assert msg['event_id'] == 'VOLUME_VOLUME_001_003'
    usage = quota.get_project_quotas(PROJECT, usages=True)
    assert usage['volumes']['in_use'] == 1
    volume_api.delete(_context(), volume)
    assert quota.get_project_quotas(PROJECT, usages=True)['volumes'][
        'in_use'] == 0


def test_driver_failure_ends_in_error(monkeypatch, conf, service):
    def broken(self, volume):
        raise exception.VolumeBackendAPIException(data='disk on fire')
    monkeypatch.setattr(localfile.LocalFileDriver, 'create_volume', broken)
    volume = _create(conf)
    assert volume['status'] == 'error'
    (msg,) = message.get_all(cinder_context.get_admin_context())
    assert msg['user_message'] == ('create volume from backend storage: '
                                   'Driver failed to create the volume.')


def test_type_in_use_cannot_change(conf, service):
    admin = cinder_context.get_admin_context()
    gold = volume_type.create(admin, 'gold', extra_specs={'k': 'v'})
    volume_api.create(_context(), size=1, vtype=gold)
    service.wait_idle()
    with pytest.raises(exception.VolumeTypeInUse):
        volume_type.delete(admin, gold['id'], '__DEFAULT__')
    with pytest.raises(exception.VolumeTypeSpecsInUse):
        volume_type.update_extra_specs(admin, gold['id'], {'k': 'w'})
    with pytest.raises(exception.VolumeTypeSpecsInUse):
        volume_type.delete_extra_spec(admin, gold['id'], 'k')


def test_reset_status_abandons_pending_work(monkeypatch, conf, service):
    """An admin's reset ends the pending task and rolls back what it had
    reserved; the volume itself counts until it is deleted."""
    runtime, volume = _stalled_create(monkeypatch, conf)
    admin = cinder_context.get_admin_context()
    volume_api.reset_status(admin, volume['id'], status='available')
    with db_api.writer() as conn:
        volumes.update(conn, volume['id'], host='%s@local#local' % conf.host)
    with monkeypatch.context() as patch:
        patch.setattr(rpc.EmbeddedDispatcher, 'run',
                      lambda self, host, task_id: None)
        volume_api.extend(_context(), volume['id'], 5)
    usage = quota.get_project_quotas(PROJECT, usages=True)['gigabytes']
    assert (usage['in_use'], usage['reserved']) == (1, 4)
    volume_api.reset_status(admin, volume['id'], status='error')
    with db_api.reader() as conn:
        assert tasks.get_for(conn, 'volume', volume['id']) is None
    usage = quota.get_project_quotas(PROJECT, usages=True)['gigabytes']
    assert (usage['in_use'], usage['reserved']) == (1, 0)
    runtime.manager.sweep()
    runtime.wait_idle()
    assert volumes.get(admin, volume['id'])['size'] == 1


def test_an_abandoned_task_does_not_overwrite_the_reset(monkeypatch, conf,
                                                      service):
    """The owner of a task an admin abandoned finishes later: its outcome
    is dropped, the admin's status stays."""
    runtime, volume = _stalled_create(monkeypatch, conf)
    with db_api.reader() as conn:
        task = tasks.get_for(conn, 'volume', volume['id'])
    admin = cinder_context.get_admin_context()
    volume_api.reset_status(admin, volume['id'], status='error')
    assert not workflow.end(task, volume={'status': 'available'})
    assert volumes.get(admin, volume['id'])['status'] == 'error'


def test_a_backend_without_capacity_gets_nothing(monkeypatch, conf,
                                                 service, v3):
    """A driver that failed to start reports no capacity: the scheduler
    skips it and its backend_state is down."""
    monkeypatch.setattr(localfile.LocalFileDriver, 'get_capabilities',
                        lambda self: None)
    service.manager.report()
    with db_api.reader() as conn:
        assert scheduler.candidate_pools(conf, conn) == []
    volume = _create(conf)
    assert volume['status'] == 'error'
    services = v3('GET', '/os-services', headers={
        'OpenStack-API-Version': 'volume 3.49'}).json['services']
    (backend,) = [s for s in services if s['binary'] == 'cinder-volume']
    assert (backend['state'], backend['backend_state']) == ('up', 'down')


@pytest.mark.parametrize('policy,with_snapshot,detail', [
    ('never', False, 'the migration policy is "never"'),
    ('on-demand', True, 'cannot move to another backend'),
])
def test_refused_retypes_say_why(conf, service, policy, with_snapshot,
                                 detail):
    conf.set_override('enabled_backends', ['alpha', 'beta'])
    embedded.stop()
    service = embedded.runtime(conf)
    admin = cinder_context.get_admin_context()
    alpha = volume_type.create(admin, 'on-alpha', extra_specs={
        'volume_backend_name': 'alpha'})
    beta = volume_type.create(admin, 'on-beta', extra_specs={
        'volume_backend_name': 'beta'})
    volume = volume_api.create(_context(), size=1, vtype=alpha)
    service.wait_idle()
    if with_snapshot:
        volume_api.create_snapshot(_context(), volume['id'])
        service.wait_idle()
    volume_api.retype(_context(), volume['id'], beta, policy)
    service.wait_idle()
    volume = volumes.get(admin, volume['id'])
    assert (volume['status'], volume['volume_type_name']) == (
        'available', 'on-alpha')
    (msg,) = message.get_all(admin)
    assert msg['user_message'].startswith('retype volume: ')
    assert detail in msg['user_message']


def _stalled(monkeypatch):
    """Dispatch does nothing: the task waits in the database."""
    monkeypatch.setattr(rpc.EmbeddedDispatcher, 'run',
                        lambda self, host, task_id: None)


def test_a_delete_gives_back_usage_only_when_done(monkeypatch, conf,
                                                  service):
    """No reservation while the delete runs, nothing given back by a
    failed or abandoned delete, all of it by one that succeeds."""
    volume = _create(conf, size=3)
    admin = cinder_context.get_admin_context()

    def used():
        usage = quota.get_project_quotas(PROJECT, usages=True)
        return {key: (usage[key]['in_use'], usage[key]['reserved'])
                for key in ('volumes', 'gigabytes', 'gigabytes___DEFAULT__')}
    assert used() == {'volumes': (1, 0), 'gigabytes': (3, 0),
                      'gigabytes___DEFAULT__': (3, 0)}
    with monkeypatch.context() as patch:
        _stalled(patch)
        volume_api.delete(_context(), volume)
    with db_api.reader() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(
            models.reservations)).scalar() == 0
        assert tasks.get_for(conn, 'volume', volume['id'])['args'][
            'release'] == {PROJECT: {'volumes': -1, 'gigabytes': -3,
                                     'volumes___DEFAULT__': -1,
                                     'gigabytes___DEFAULT__': -3}}
    assert used()['volumes'] == (1, 0)
    volume_api.reset_status(admin, volume['id'], status='available')
    assert used()['volumes'] == (1, 0)  # abandoned: nothing given back

    def broken(self, volume):
        raise exception.VolumeBackendAPIException(data='disk on fire')
    with monkeypatch.context() as patch:
        patch.setattr(localfile.LocalFileDriver, 'delete_volume', broken)
        volume_api.delete(_context(), volumes.get(admin, volume['id']))
        service.wait_idle()
    assert volumes.get(admin, volume['id'])['status'] == 'error_deleting'
    assert used()['volumes'] == (1, 0)
    volume_api.reset_status(admin, volume['id'], status='available')
    volume_api.delete(_context(), volumes.get(admin, volume['id']))
    service.wait_idle()
    assert used() == {'volumes': (0, 0), 'gigabytes': (0, 0),
                      'gigabytes___DEFAULT__': (0, 0)}


def test_a_delete_gives_back_the_size_the_volume_has(monkeypatch, conf,
                                                     service):
    """The usage given back is read from the row the delete locks, not
    from what its caller read before: an extend that finished in between
    is given back too."""
    volume = _create(conf, size=1)
    volume_api.extend(_context(), volume['id'], 4)
    service.wait_idle()
    volume_api.delete(_context(), volume)  # read at size 1
    service.wait_idle()
    usage = quota.get_project_quotas(PROJECT, usages=True)
    assert usage['gigabytes']['in_use'] == 0
    assert usage['volumes']['in_use'] == 0


def test_a_delete_task_from_before_release_still_ends_right(conf, service):
    """A delete accepted by the previous release carries reservation ids,
    not the usage to give back: run after an upgrade, it commits them."""
    volume = _create(conf, size=2)
    deltas = {'volumes': -1, 'gigabytes': -2, 'volumes___DEFAULT__': -1,
              'gigabytes___DEFAULT__': -2}
    reservations = quota.reserve(PROJECT, deltas)
    with db_api.writer() as conn:
        volumes.update(conn, volume['id'], status='deleting')
        task_id = tasks.insert(conn, 'volume', volume['id'],
                               tasks.DELETE_VOLUME, _context(),
                               host=volume['host'],
                               reservations=reservations, snapshot_ids=[])
    service.manager.run_task(None, task_id)
    with pytest.raises(exception.VolumeNotFound):
        volumes.get(cinder_context.get_admin_context(), volume['id'])
    usage = quota.get_project_quotas(PROJECT, usages=True)
    assert {key: usage[key]['in_use'] for key in deltas} == dict.fromkeys(
        deltas, 0)
    with db_api.reader() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(
            models.reservations)).scalar() == 0
