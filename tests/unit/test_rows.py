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
"""db.rows: the same dicts as the plain query, sent as JSON to PyMySQL."""

import datetime

import pytest
import sqlalchemy as sa

from cinder.db import api as db_api
from cinder.db import migration
from cinder.db import models
from cinder.db import rows as db_rows
from cinder.objects import service as services
from cinder.objects import snapshot as snapshots
from cinder.objects import task as tasks
from cinder.objects import volume as volumes
from tests.unit import db_fixtures

AWKWARD = 'n\u00e9 "quoted" \\ \U0001f4be \n\t'
MOMENT = datetime.datetime(2026, 12, 5, 3, 4, 5, 678901)


def _seed(conn):
    type_id = conn.execute(
        sa.select(models.volume_types.c.id)).scalars().first()
    base = dict(project_id='p', size=1, availability_zone='nova',
                status='available', attach_status='detached',
                volume_type_id=type_id)
    conn.execute(models.volumes.insert(), [
        dict(base, id='v1', display_name=AWKWARD, display_description='',
             bootable=True, multiattach=False, shared_targets=None,
             use_quota=True, created_at=MOMENT, updated_at=None),
        dict(base, id='v2', display_name=None, display_description=None,
             bootable=False,
             multiattach=True, shared_targets=False, use_quota=False,
             size=2 ** 31 - 1, created_at=MOMENT.replace(microsecond=0),
             updated_at=MOMENT + datetime.timedelta(days=400)),
    ])
    conn.execute(models.snapshots.insert().values(
        id='s1', volume_id='v1', project_id='p', status='available',
        volume_size=1, volume_type_id=type_id, display_name=AWKWARD,
        use_quota=True, created_at=MOMENT))
    volumes.set_metadata(conn, 'v1', {'k"1': AWKWARD, 'empty': ''},
                         replace=False)
    conn.execute(models.snapshots.insert().values(
        id='s2', volume_id='v1', project_id='p', status='creating',
        volume_size=1, volume_type_id=type_id, use_quota=True,
        created_at=MOMENT))
    conn.execute(models.snapshot_metadata.insert(), [
        {'snapshot_id': 's1', 'key': 'k"1', 'value': AWKWARD},
        {'snapshot_id': 's1', 'key': 'empty', 'value': ''}])
    conn.execute(models.tasks.insert().values(
        id=7, resource_type='volume', resource_id='v1',
        operation='delete_volume', args='{"a": [1, "%s"]}' % AWKWARD[:2],
        project_id='p', created_at=MOMENT))
    conn.execute(models.services.insert().values(
        uuid='s', host=AWKWARD, binary='cinder-volume', topic='t',
        availability_zone='nova', report_count=2 ** 31 - 1, disabled=True,
        frozen=False, replication_status='disabled', capabilities='{"x": 1}',
        last_seen_up=None, created_at=MOMENT))


def _plain(conn, select, params=None):
    return [dict(row) for row in conn.execute(select, params).mappings()]


def _typed(rows):
    """Values with their types: 1 == True, so compare types too."""
    return [{key: (type(value), value) for key, value in row.items()}
            for row in rows]


@pytest.fixture
def seeded(database):
    migration.db_sync()
    with db_api.writer() as conn:
        _seed(conn)
    with db_fixtures.statements('SELECT') as statements:
        yield database, statements


@pytest.mark.parametrize('rows, params', [
    (volumes._ROWS, None),
    (volumes._BY_ID_ROWS.admin, {'volume_id': 'v1'}),
    (snapshots._ROWS, None),
    (snapshots._BY_ID_ROWS.admin, {'snapshot_id': 's1'}),
    (volumes._ROW, {'volume_id': 'v2'}),
    (tasks._BY_ID, {'task_id': 7}),
    (tasks._FOR_RESOURCE, {'resource_type': 'volume', 'resource_id': 'v1'}),
    (services._ALL, None),
])
def test_rows_are_the_plain_querys(seeded, rows, params):
    """Booleans, NULLs, datetimes with and without microseconds, nested
    JSON and awkward text come back as the driver gives them."""
    database, statements = seeded
    with db_api.reader() as conn:
        expected = _plain(conn, rows.base, params)
        statements.clear()
        got = rows.all(conn, params)
    assert expected  # the seed is there
    assert _typed(got) == _typed(expected)
    # To PyMySQL (the MySQL URL of the tests) each row came as JSON.
    assert ('json_array(' in statements[0].lower()) == (database == 'mysql')


def test_a_derived_statement_keeps_its_clauses(seeded):
    """Filters, order and limit of a per-request statement survive the
    change of columns."""
    with db_api.reader() as conn:
        query = volumes._WITH_METADATA.where(
            models.volumes.c.project_id == 'p').order_by(
            models.volumes.c.size.desc()).limit(1)
        got = volumes._ROWS.all(conn, select=query)
        assert _typed(got) == _typed(_plain(conn, query))
    assert [row['id'] for row in got] == ['v2']


def test_first_is_none_without_a_row(seeded):
    with db_api.reader() as conn:
        assert volumes._BY_ID_ROWS.admin.first(
            conn, {'volume_id': 'none'}) is None


def test_a_column_without_a_json_form_is_refused():
    """Caught where the statement is built, not at the first MySQL read."""
    table = sa.Table('t', sa.MetaData(), sa.Column('price', sa.Numeric))
    with pytest.raises(TypeError, match='price'):
        db_rows.Rows(sa.select(table))


def test_one_snapshot_has_its_metadata_aggregated(seeded):
    """A snapshot read alone carries its metadata from its own query, {}
    when it has none (the aggregate is NULL on MariaDB and PostgreSQL)."""
    from cinder import context as cinder_context
    admin = cinder_context.get_admin_context()
    _, statements = seeded
    with db_api.reader() as conn:
        assert snapshots.get_in(conn, admin, 's1')['metadata'] == {
            'k"1': AWKWARD, 'empty': ''}
        assert snapshots.get_in(conn, admin, 's2')['metadata'] == {}
    assert len(statements) == 2
