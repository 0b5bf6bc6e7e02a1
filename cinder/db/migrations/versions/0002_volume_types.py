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
"""Volume types, their extra specs and project access; the default type.

Revision ID: 0002_volume_types
Revises: 0001_initial
"""

import datetime
import uuid

from alembic import op
import sqlalchemy as sa

revision = '0002_volume_types'
down_revision = '0001_initial'

DEFAULT_TYPE_NAME = '__DEFAULT__'


def upgrade():
    types = op.create_table(
        'volume_types',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.String(255)),
        sa.Column('is_public', sa.Boolean, nullable=False),
        sa.Column('qos_specs_id', sa.String(36)),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime),
        sa.UniqueConstraint('name', name='uniq_volume_types0name'),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4',
    )
    op.create_table(
        'volume_type_extra_specs',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('volume_type_id', sa.String(36),
                  sa.ForeignKey('volume_types.id', ondelete='CASCADE',
                                name='fk_extra_specs0volume_type_id'),
                  nullable=False),
        sa.Column('key', sa.String(255), nullable=False),
        sa.Column('value', sa.String(255)),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime),
        sa.UniqueConstraint('volume_type_id', 'key',
                            name='uniq_extra_specs0volume_type_id0key'),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4',
    )
    op.create_table(
        'volume_type_projects',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('volume_type_id', sa.String(36),
                  sa.ForeignKey('volume_types.id', ondelete='CASCADE',
                                name='fk_type_projects0volume_type_id'),
                  nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime),
        sa.UniqueConstraint('volume_type_id', 'project_id',
                            name='uniq_type_projects0type0project'),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4',
    )
    # Cinder ships this type so that a volume always has one.
    op.bulk_insert(types, [{
        'id': str(uuid.uuid4()),
        'name': DEFAULT_TYPE_NAME,
        'description': 'Default Volume Type',
        'is_public': True,
        'created_at': datetime.datetime.now(datetime.timezone.utc).replace(
            tzinfo=None),
    }])
