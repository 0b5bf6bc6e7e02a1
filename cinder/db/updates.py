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
"""Conditional UPDATEs of one row, built once per shape.

A status change updates one row by id if the row still holds what the
caller expects. Built with SQLAlchemy on every call, such a statement cost
its coercions and cache key each time: the volume updates alone were a sixth
of the SQL constructs a volume's create and delete built. The statement
depends only on its shape (which columns are compared, how, and which are
set); the values go in as parameters.
"""

import sqlalchemy as sa


class ConditionalUpdate:
    """``UPDATE table SET ... WHERE id = :id AND <expected>``."""

    def __init__(self, table):
        self.table = table
        self._statements = {}

    def __call__(self, conn, row_id, expected, values):
        """Set *values* ({column: value}) on row *row_id* if it matches
        *expected* ({column: value, None, or a collection of allowed
        values}); the number of rows updated (0 or 1)."""
        params = {'where_id': row_id}
        shape = []
        for column, allowed in (expected or {}).items():
            if isinstance(allowed, (tuple, list, set, frozenset)):
                shape.append((column, 'in'))
                params['expected_' + column] = list(allowed)
            elif allowed is None:
                shape.append((column, 'null'))
            else:
                shape.append((column, 'eq'))
                params['expected_' + column] = allowed
        for column, value in values.items():
            params['set_' + column] = value
        key = (tuple(shape), tuple(values))
        statement = self._statements.get(key)
        if statement is None:
            statement = self._statements[key] = self._build(*key)
        return conn.execute(statement, params).rowcount

    def _build(self, shape, names):
        columns = self.table.c
        conditions = [columns.id == sa.bindparam('where_id',
                                                 type_=columns.id.type)]
        for column, how in shape:
            if how == 'null':
                conditions.append(columns[column].is_(None))
                continue
            param = sa.bindparam('expected_' + column,
                                 type_=columns[column].type,
                                 expanding=how == 'in')
            conditions.append(columns[column].in_(param) if how == 'in'
                              else columns[column] == param)
        return sa.update(self.table).where(*conditions).values({
            columns[name]: sa.bindparam('set_' + name,
                                        type_=columns[name].type)
            for name in names})
