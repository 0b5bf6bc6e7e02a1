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
"""Key/value metadata rows of volumes and snapshots (one row per key)."""

import sqlalchemy as sa

from cinder.db import models


def write(conn, table, owner_id, items, replace):
    """Write *items* for the owner; *replace* drops keys not in *items*.
    The table's owner column is its first foreign key (volume_id ...)."""
    owner = _owner_column(table)
    now = models.utcnow()
    if replace:
        conn.execute(sa.delete(table).where(
            owner == owner_id,
            table.c.key.not_in(list(items)) if items else sa.true()))
    for key, value in items.items():
        updated = conn.execute(
            sa.update(table).where(owner == owner_id, table.c.key == key)
            .values(value=value, updated_at=now))
        if updated.rowcount == 0:
            conn.execute(sa.insert(table).values(
                {owner.name: owner_id, 'key': key, 'value': value,
                 'created_at': now}))


def delete_key(conn, table, owner_id, key):
    """True if the key was there."""
    return conn.execute(sa.delete(table).where(
        _owner_column(table) == owner_id, table.c.key == key)).rowcount == 1


def _owner_column(table):
    (foreign_key,) = table.foreign_keys
    return foreign_key.parent
