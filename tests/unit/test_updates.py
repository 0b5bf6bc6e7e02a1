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
"""Statements built once (db.updates, tasks, quota usage): the same rows
changed as the statements built per call were, on every backend."""

import datetime

import pytest
import sqlalchemy as sa

from cinder.db import api as db_api
from cinder.db import migration
from cinder.db import models
from cinder.objects import quota
from cinder.objects import task as tasks
from cinder.objects import volume as volumes

MOMENT = datetime.datetime(2026, 12, 5, 3, 4, 5, 678901)


@pytest.fixture
def seeded(database):
    migration.db_sync()
    with db_api.writer() as conn:
        type_id = conn.execute(
            sa.select(models.volume_types.c.id)).scalars().first()
        conn.execute(models.volumes.insert(), [
            dict(id=volume_id, project_id='p', size=1, status=status,
                 availability_zone='nova', attach_status='detached',
                 volume_type_id=type_id, host=None, created_at=MOMENT)
            for volume_id, status in (('v1', 'available'),
                                      ('v2', 'in-use'))])
    return database


def _volume(volume_id):
    with db_api.reader() as conn:
        return conn.execute(sa.select(models.volumes).where(
            models.volumes.c.id == volume_id)).mappings().one()


@pytest.mark.parametrize('expected, matches', [
    (None, True),
    ({'status': 'available'}, True),
    ({'status': 'in-use'}, False),
    ({'status': ('creating', 'available')}, True),
    ({'status': ['creating', 'error']}, False),
    ({'host': None}, True),
    ({'host': None, 'status': frozenset({'available'})}, True),
    ({'status': 'available', 'size': 2}, False),
])
def test_volume_update_only_when_the_row_matches(seeded, expected, matches):
    for _ in range(2):  # the second call runs the statement built once
        with db_api.writer() as conn:
            assert volumes.update(conn, 'v1', expected=expected,
                                  size=3, bootable=True) is matches
    row = _volume('v1')
    assert (row['size'], row['bootable']) == ((3, True) if matches
                                              else (1, False))
    if matches:
        assert isinstance(row['updated_at'], datetime.datetime)
    else:
        assert row['updated_at'] is None
    # Only its own row.
    assert (_volume('v2')['size'], _volume('v2')['updated_at']) == (1, None)


def test_same_shape_other_values(seeded):
    with db_api.writer() as conn:
        assert volumes.update(conn, 'v1', expected={'status': 'available'},
                              status='deleting')
        assert not volumes.update(conn, 'v2',
                                  expected={'status': 'available'},
                                  status='deleting')
        assert volumes.update(conn, 'v2', expected={'status': 'in-use'},
                              status='detaching', host='h@b#p')
    assert _volume('v1')['status'] == 'deleting'
    assert (_volume('v2')['status'], _volume('v2')['host']) == (
        'detaching', 'h@b#p')


def test_destroy_takes_its_rows_only(seeded):
    with db_api.writer() as conn:
        volumes.set_metadata(conn, 'v1', {'a': '1'}, replace=False)
        volumes.set_metadata(conn, 'v2', {'a': '2'}, replace=False)
        volumes.destroy(conn, 'v1')
    with db_api.reader() as conn:
        assert conn.execute(sa.select(models.volumes.c.id)).scalars(
        ).all() == ['v2']
        assert conn.execute(sa.select(
            models.volume_metadata.c.volume_id)).scalars().all() == ['v2']


def _task(conn, task_id):
    return conn.execute(sa.select(models.tasks).where(
        models.tasks.c.id == task_id)).mappings().one_or_none()


def test_task_set_host_claim_and_delete(seeded, monkeypatch):
    monkeypatch.setattr(tasks, 'owner_token', lambda: 'me')
    with db_api.writer() as conn:
        for task_id, volume_id in ((1, 'v1'), (2, 'v2')):
            conn.execute(models.tasks.insert().values(
                id=task_id, resource_type='volume', resource_id=volume_id,
                operation='create_volume', args='{}', project_id='p',
                created_at=MOMENT))
        assert tasks.set_host(conn, 1, 'h@b#p')
        assert not tasks.set_host(conn, 1, 'other@b#p')  # scheduled once
        assert tasks.set_host(conn, 2, 'h@b#p', owner='them')
        assert (_task(conn, 1)['host'], _task(conn, 1)['owner']) == (
            'h@b#p', None)
        assert _task(conn, 2)['owner'] == 'them'
    assert tasks.claim(1)
    assert tasks.claim(1)  # already ours
    assert not tasks.claim(2)  # someone else's
    assert not tasks.claim(2, previous_owner='dead')
    assert tasks.claim(2, previous_owner='them')
    with db_api.writer() as conn:
        assert _task(conn, 2)['owner'] == 'me'
        assert isinstance(_task(conn, 2)['updated_at'], datetime.datetime)
        assert tasks.delete(conn, 1)
        assert not tasks.delete(conn, 1)
        assert _task(conn, 1) is None and _task(conn, 2) is not None


def test_usages_change_by_row(seeded):
    names = ['gigabytes', 'snapshots', 'volumes', 'volumes_x']
    quota._ensure_usage_rows('p', names)
    with db_api.writer() as conn:
        ids = dict(conn.execute(sa.select(
            models.quota_usages.c.resource, models.quota_usages.c.id)).all())
        for changes in ({ids['volumes']: (1, 2)},
                        {ids['gigabytes']: (5, -1), ids['volumes_x']: (0, 3),
                         ids['snapshots']: (-2, 0)},
                        {ids['volumes']: (1, 2)}):
            quota._add_to_usages(conn, changes, MOMENT)
        rows = {row['resource']: (row['in_use'], row['reserved'])
                for row in conn.execute(
                    sa.select(models.quota_usages)).mappings()}
    assert rows == {'volumes': (2, 4), 'gigabytes': (5, -1),
                    'volumes_x': (0, 3), 'snapshots': (-2, 0)}
