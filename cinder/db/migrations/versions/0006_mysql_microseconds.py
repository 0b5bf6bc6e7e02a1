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
"""MySQL/MariaDB: timestamps with microseconds, as on the other databases.

Revision ID: 0006_mysql_microseconds
Revises: 0005_volumes_snapshots
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0006_mysql_microseconds'
down_revision = '0005_volumes_snapshots'


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'mysql':
        return
    inspector = sa.inspect(bind)
    for table in inspector.get_table_names():
        if table == 'alembic_version':
            continue
        for column in inspector.get_columns(table):
            if isinstance(column['type'], sa.DateTime):
                op.alter_column(table, column['name'],
                                type_=mysql.DATETIME(fsp=6),
                                existing_type=column['type'],
                                existing_nullable=column['nullable'])
