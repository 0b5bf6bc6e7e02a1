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
"""Quota sets, quota classes, limits and the reservation engine."""

import concurrent.futures
import time

import pytest

from cinder.db import migration
from cinder import exception
from cinder.objects import quota
from tests.unit import db_fixtures
from tests.unit.conftest import OTHER_PROJECT
from tests.unit.conftest import PROJECT

BASE_KEYS = {'volumes', 'snapshots', 'gigabytes', 'backups',
             'backup_gigabytes', 'groups', 'per_volume_gigabytes',
             'volumes___DEFAULT__', 'gigabytes___DEFAULT__',
             'snapshots___DEFAULT__'}


def test_show_defaults_from_config(v3, conf):
    conf.set_override('quota_volumes', 7)
    response = v3('GET', '/os-quota-sets/%s' % PROJECT, persona='reader')
    assert response.status_int == 200
    quota_set = response.json['quota_set']
    assert quota_set.pop('id') == PROJECT
    assert set(quota_set) == BASE_KEYS
    assert quota_set['volumes'] == 7
    assert quota_set['gigabytes'] == 1000
    assert quota_set['per_volume_gigabytes'] == -1


def test_usage_view(v3):
    quota.commit(quota.reserve(PROJECT, {'volumes': 2, 'gigabytes': 3}))
    quota.reserve(PROJECT, {'volumes': 1})
    response = v3('GET', '/os-quota-sets/%s?usage=True' % PROJECT)
    quota_set = response.json['quota_set']
    assert quota_set['id'] == PROJECT
    assert quota_set['volumes'] == {'limit': 10, 'in_use': 2, 'reserved': 1}
    assert quota_set['gigabytes'] == {'limit': 1000, 'in_use': 3,
                                      'reserved': 0}


def test_reader_cannot_see_another_project(v3):
    response = v3('GET', '/os-quota-sets/%s' % OTHER_PROJECT,
                  persona='reader')
    assert response.status_int == 403


def test_per_type_keys_follow_types(v3):
    v3('POST', '/types', body={'volume_type': {'name': 'gold'}})
    keys = set(v3('GET', '/os-quota-sets/%s' % PROJECT).json['quota_set'])
    assert {'volumes_gold', 'gigabytes_gold', 'snapshots_gold'} <= keys


def test_update_and_delete(v3):
    path = '/os-quota-sets/%s' % PROJECT
    response = v3('PUT', path, body={'quota_set': {
        'volumes': 5, 'gigabytes': '20', 'id': 'ignored',
        'volumes___DEFAULT__': -1}})
    assert response.status_int == 200
    assert 'id' not in response.json['quota_set']
    assert response.json['quota_set']['volumes'] == 5
    assert response.json['quota_set']['gigabytes'] == 20
    assert v3('GET', path).json['quota_set']['volumes'] == 5
    # Another project keeps the defaults.
    other = v3('GET', '/os-quota-sets/%s' % OTHER_PROJECT)
    assert other.json['quota_set']['volumes'] == 10
    response = v3('DELETE', path)
    assert (response.status_int, response.body) == (200, b'')
    assert v3('GET', path).json['quota_set']['volumes'] == 10


@pytest.mark.parametrize('quota_set,message', [
    ({'volumez': 1}, 'Bad key(s) in quota set: volumez'),
    ({'volumes': -2}, 'volumes must be an integer between -1'),
    ({'volumes': 'many'}, 'does not match'),
    ({'volumes': 2 ** 31}, 'volumes must be an integer between -1'),
    ({}, 'Invalid input for field/attribute quota_set. Value: {}.'),
])
def test_bad_updates_are_400_and_change_nothing(v3, quota_set, message):
    path = '/os-quota-sets/%s' % PROJECT
    before = v3('GET', path).json
    response = v3('PUT', path, body={'quota_set': quota_set})
    assert response.status_int == 400
    assert message in response.json['badRequest']['message']
    assert v3('GET', path).json == before


def test_limit_below_usage_is_refused(v3):
    quota.commit(quota.reserve(PROJECT, {'volumes': 3}))
    response = v3('PUT', '/os-quota-sets/%s' % PROJECT,
                  body={'quota_set': {'volumes': 2}})
    assert response.status_int == 400
    assert 'Current usage is 3' in response.json['badRequest']['message']
    assert v3('PUT', '/os-quota-sets/%s' % PROJECT,
              body={'quota_set': {'volumes': -1}}).status_int == 200


@pytest.mark.parametrize('persona', ['member', 'reader'])
def test_updates_need_admin(v3, persona):
    path = '/os-quota-sets/%s' % PROJECT
    assert v3('PUT', path, persona=persona, body={
        'quota_set': {'volumes': 1}}).status_int == 403
    assert v3('DELETE', path, persona=persona).status_int == 403
    assert v3('GET', '/os-quota-class-sets/default',
              persona=persona).status_int == 403


def test_quota_class_default_feeds_defaults(v3, conf):
    response = v3('PUT', '/os-quota-class-sets/default',
                  body={'quota_class_set': {'volumes': 50}})
    assert response.status_int == 200
    assert 'id' not in response.json['quota_class_set']
    shown = v3('GET', '/os-quota-class-sets/default').json
    assert shown['quota_class_set']['id'] == 'default'
    assert shown['quota_class_set']['volumes'] == 50
    defaults = v3('GET', '/os-quota-sets/%s/defaults' % PROJECT).json
    assert defaults['quota_set']['volumes'] == 50
    conf.set_override('use_default_quota_class', False)
    defaults = v3('GET', '/os-quota-sets/%s/defaults' % PROJECT).json
    assert defaults['quota_set']['volumes'] == 10


def test_limits(v3):
    quota.commit(quota.reserve(PROJECT, {'volumes': 2, 'gigabytes': 8}))
    response = v3('GET', '/limits', persona='reader')
    assert response.status_int == 200
    limits = response.json['limits']
    assert limits['rate'] == []
    assert limits['absolute'] == {
        'maxTotalVolumes': 10, 'totalVolumesUsed': 2,
        'maxTotalSnapshots': 10, 'totalSnapshotsUsed': 0,
        'maxTotalVolumeGigabytes': 1000, 'totalGigabytesUsed': 8,
        'maxTotalBackups': 10, 'totalBackupsUsed': 0,
        'maxTotalBackupGigabytes': 1000, 'totalBackupGigabytesUsed': 0}


def test_over_quota_is_413_and_reserves_nothing(app):
    quota.update_project_quotas(PROJECT, {'volumes': 1})
    quota.commit(quota.reserve(PROJECT, {'volumes': 1}))
    with pytest.raises(exception.OverQuota) as info:
        quota.reserve(PROJECT, {'volumes': 1, 'gigabytes': 1})
    assert info.value.code == 413
    assert info.value.kwargs['overs'] == ['volumes']
    usage = quota.get_project_quotas(PROJECT, usages=True)
    assert usage['gigabytes'] == {'limit': 1000, 'in_use': 0, 'reserved': 0}


def test_rollback_releases_and_negative_deltas_free(app):
    ids = quota.reserve(PROJECT, {'volumes': 2})
    quota.rollback(ids)
    assert quota.get_project_quotas(PROJECT, usages=True)['volumes'] == {
        'limit': 10, 'in_use': 0, 'reserved': 0}
    quota.commit(quota.reserve(PROJECT, {'volumes': 2}))
    quota.commit(quota.reserve(PROJECT, {'volumes': -1}))
    assert quota.get_project_quotas(
        PROJECT, usages=True)['volumes']['in_use'] == 1


def test_over_quota_fault_body(conf):
    from cinder.api import faults
    response = faults.from_exception(exception.OverQuota(overs=['volumes']))
    assert response.status_int == 413
    assert response.headers['Retry-After'] == '0'
    assert response.json == {'overLimit': {
        'code': 413, 'retryAfter': '0',
        'message': "Quota exceeded for resources: ['volumes']"}}


def test_racing_reservations_never_exceed_a_limit(database):
    """20 requests race for 7 volumes on every backend: exactly 7 get one,
    and usage equals what was committed, with nothing left reserved."""
    migration.db_sync()
    quota.update_project_quotas(PROJECT, {'volumes': 7})

    def one_request(n):
        try:
            ids = quota.reserve(PROJECT, {'volumes': 1, 'gigabytes': 1})
        except exception.OverQuota:
            return 'over'
        if n % 5 == 0:
            quota.rollback(ids)
            return 'rolled back'
        quota.commit(ids)
        return 'committed'

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(one_request, range(20)))
    committed = outcomes.count('committed')
    usage = quota.get_project_quotas(PROJECT, usages=True)
    assert usage['volumes']['in_use'] == committed <= 7
    assert usage['volumes']['reserved'] == 0
    assert usage['gigabytes'] == {'limit': 1000, 'in_use': committed,
                                  'reserved': 0}
    assert outcomes.count('over') >= 13 - outcomes.count('rolled back')


def test_several_resources_move_together(database):
    """Reserving, committing and rolling back several resources at once
    (one UPDATE for all their usage rows) on every backend; a shrink alone
    does not read the limits, which it cannot exceed."""
    migration.db_sync()
    quota.update_project_quotas(PROJECT, {'volumes': 5})
    quota.commit(quota.reserve(PROJECT, {'volumes': 3, 'gigabytes': 30,
                                         'snapshots': 2}))
    with db_fixtures.statements() as statements:
        shrink = quota.reserve(PROJECT, {'volumes': -1, 'gigabytes': -10})
    assert not [s for s in statements if 'quota_classes' in s], statements
    mixed = quota.reserve(PROJECT, {'snapshots': 1, 'gigabytes': 4})

    def usage(resource):
        row = quota.get_project_quotas(PROJECT, usages=True)[resource]
        return row['in_use'], row['reserved']
    assert [usage(r) for r in ('volumes', 'gigabytes', 'snapshots')] == [
        (3, 0), (30, 4), (2, 1)]
    quota.commit(shrink)
    quota.rollback(mixed)
    assert [usage(r) for r in ('volumes', 'gigabytes', 'snapshots')] == [
        (2, 0), (20, 0), (2, 0)]
    with pytest.raises(exception.OverQuota):
        quota.reserve(PROJECT, {'volumes': 4})


def test_usage_rows_are_made_on_a_projects_first_write_only(database):
    """A new project's first reservation finds no usage rows, creates them
    and tries again; later ones lock the rows without reading for them
    first."""
    migration.db_sync()
    quota.commit(quota.reserve(PROJECT, {'volumes': 1, 'gigabytes': 2}))
    with db_fixtures.statements() as statements:
        reserved = quota.reserve(PROJECT, {'volumes': 1, 'gigabytes': 2})
    usage_reads = [s for s in statements
                   if s.startswith('SELECT') and 'quota_usages' in s]
    assert len(usage_reads) == 1, usage_reads  # the locking one
    quota.commit(reserved)
    usage = quota.get_project_quotas(PROJECT, usages=True)
    assert usage['volumes']['in_use'] == 2
    assert usage['gigabytes']['in_use'] == 4


def test_release_in_gives_back_per_project(database):
    """Each project's rows move by its own deltas, in one UPDATE per
    project; zero deltas, untracked and missing resources change
    nothing."""
    from cinder.db import api as db_api
    migration.db_sync()
    quota.commit(quota.reserve(PROJECT, {'volumes': 3, 'gigabytes': 9}))
    quota.commit(quota.reserve(OTHER_PROJECT, {'snapshots': 2}))
    with db_api.writer() as conn:
        quota.release_in(conn, {
            PROJECT: {'volumes': -1, 'gigabytes': -4, 'snapshots': 0,
                      'per_volume_gigabytes': -1, 'backups': -1},
            OTHER_PROJECT: {'snapshots': -2}})
    mine = quota.get_project_quotas(PROJECT, usages=True)
    assert (mine['volumes']['in_use'], mine['gigabytes']['in_use']) == (2, 5)
    assert mine['backups']['in_use'] == 0
    theirs = quota.get_project_quotas(OTHER_PROJECT, usages=True)
    assert theirs['snapshots'] == {'limit': 10, 'in_use': 0, 'reserved': 0}


def _recorded_retries(monkeypatch):
    """The errors retry_on_db_error is asked about from now on."""
    from cinder.db import api as db_api
    seen = []
    real = db_api.is_retriable

    def recording(error):
        seen.append(error)
        return real(error)
    monkeypatch.setattr(db_api, 'is_retriable', recording)
    return seen


@pytest.mark.parametrize('second', ['commit', 'release'])
def test_writes_take_usage_rows_in_one_order(database, monkeypatch, second):
    """A write holding `gigabytes`, then taking `volumes`, does not
    deadlock with a commit or a release of both that started meanwhile,
    whatever order the rows are stored in (here `volumes` first): every
    write locks a project's rows in resource order before it updates
    them. Updated straight away, PostgreSQL took them in the order it
    stored them, deadlocked and needed a second to notice."""
    from cinder.db import api as db_api
    migration.db_sync()
    quota._ensure_usage_rows(PROJECT, ['volumes', 'gigabytes'])
    quota.commit(quota.reserve(PROJECT, {'volumes': 2, 'gigabytes': 2}))
    pending = quota.reserve(PROJECT, {'volumes': 1, 'gigabytes': 1})

    @db_api.retry_on_db_error
    def release():
        with db_api.writer() as conn:
            if conn.dialect.name == 'postgresql':
                # The plan of a bigger table, or of a planner that
                # prefers it: rows in the order they are stored.
                conn.exec_driver_sql('SET LOCAL enable_indexscan = off')
                conn.exec_driver_sql('SET LOCAL enable_bitmapscan = off')
            quota.release_in(conn, {PROJECT: {'volumes': -1,
                                              'gigabytes': -1}})

    second_write = {'commit': lambda: quota.commit(pending),
                    'release': release}[second]
    retries = _recorded_retries(monkeypatch)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        with db_api.writer() as conn:
            quota.consume_in(conn, PROJECT, {'gigabytes': 1})
            other = pool.submit(second_write)
            time.sleep(0.5)  # long enough for it to wait on `gigabytes`
            quota.consume_in(conn, PROJECT, {'volumes': 1})
        other.result(timeout=60)
    assert retries == []
    usage = quota.get_project_quotas(PROJECT, usages=True)
    expected = {'commit': (4, 0), 'release': (2, 1)}[second]
    for resource in ('volumes', 'gigabytes'):
        in_use, reserved = expected
        assert usage[resource]['in_use'] == in_use
        assert usage[resource]['reserved'] == reserved


def test_a_commit_waits_for_usage_rows_before_locking_reservations(
        database, monkeypatch):
    """A reserve() holds the usage rows, then inserts its reservations; a
    commit that started meanwhile must wait before it locks anything.
    Locking its reservations first (and, on InnoDB, the index gaps around
    them) left the insert waiting for the commit and the commit for the
    usage rows: a deadlock, on MariaDB in every benchmark run."""
    import sqlalchemy as sa

    from cinder.db import api as db_api
    from cinder.db import models
    migration.db_sync()
    pending = quota.reserve(PROJECT, {'gigabytes': 1})
    retries = _recorded_retries(monkeypatch)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        with db_api.writer() as conn:
            # What _reserve() does, with the commit let in between.
            quota.consume_in(conn, PROJECT, {'gigabytes': 1})
            other = pool.submit(quota.commit, pending)
            time.sleep(0.5)  # long enough for it to wait on `gigabytes`
            usage_id = conn.execute(sa.select(models.quota_usages.c.id).where(
                models.quota_usages.c.resource == 'gigabytes')).scalar_one()
            conn.execute(sa.insert(models.reservations).values(
                uuid='ffffffff-0000-0000-0000-000000000000',
                usage_id=usage_id, project_id=PROJECT, resource='gigabytes',
                delta=1, expire=models.utcnow(), created_at=models.utcnow()))
        other.result(timeout=60)
    assert retries == []
    assert quota.get_project_quotas(PROJECT, usages=True)['gigabytes'][
        'in_use'] == 2


def _consuming(project, wanted):
    """A write that consumes one of each resource of wanted[k] on its
    k-th try (the last set once past the end): what a write that learns
    its resources inside the transaction may ask for."""
    from cinder.db import api as db_api
    tries = []

    def write():
        tries.append(1)
        with db_api.writer() as conn:
            quota.consume_in(conn, project, dict.fromkeys(
                wanted[min(len(tries), len(wanted)) - 1], 1))
        return len(tries)
    return write


def test_with_usage_rows_makes_the_rows_a_write_finds_missing(database):
    """The rows each try reports missing are made before the next."""
    migration.db_sync()
    write = _consuming(PROJECT, [['volumes'], ['volumes', 'gigabytes']])
    assert quota.with_usage_rows(PROJECT, write) == 3
    used = quota.get_project_quotas(PROJECT, usages=True)
    assert (used['volumes']['in_use'], used['gigabytes']['in_use']) == (1, 1)


def test_with_usage_rows_gives_up_after_a_few_tries(database):
    migration.db_sync()
    write = _consuming(PROJECT, [['volumes'], ['gigabytes'], ['snapshots'],
                                 ['groups']])
    with pytest.raises(quota.UsageRowsMissing) as missing:
        quota.with_usage_rows(PROJECT, write)
    assert missing.value.resources == ['snapshots']
