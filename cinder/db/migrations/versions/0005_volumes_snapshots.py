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
"""Volumes, snapshots, their metadata and attachments, and the task table
that makes work on storage resumable; services report capabilities.

Revision ID: 0005_volumes_snapshots
Revises: 0004_messages_default_types
"""

from alembic import op
import sqlalchemy as sa

revision = '0005_volumes_snapshots'
down_revision = '0004_messages_default_types'

_TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def _timestamps():
    return [sa.Column('created_at', sa.DateTime, nullable=False),
            sa.Column('updated_at', sa.DateTime)]


def _key_value_table(name, owner):
    op.create_table(
        name,
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('%s_id' % owner, sa.String(36),
                  sa.ForeignKey('%ss.id' % owner, ondelete='CASCADE',
                                name='fk_%s0%s_id' % (name, owner)),
                  nullable=False),
        sa.Column('key', sa.String(255), nullable=False),
        sa.Column('value', sa.String(255)),
        *_timestamps(),
        sa.UniqueConstraint('%s_id' % owner, 'key',
                            name='uniq_%s0%s_id0key' % (name, owner)),
        **_TABLE_ARGS)


def upgrade():
    with op.batch_alter_table('services') as batch:
        batch.add_column(sa.Column('capabilities', sa.Text))
    op.create_table(
        'volumes',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255)),
        sa.Column('host', sa.String(255)),
        sa.Column('cluster_name', sa.String(255)),
        sa.Column('size', sa.Integer, nullable=False),
        sa.Column('availability_zone', sa.String(255), nullable=False),
        sa.Column('status', sa.String(255), nullable=False),
        sa.Column('previous_status', sa.String(255)),
        sa.Column('attach_status', sa.String(255), nullable=False),
        sa.Column('migration_status', sa.String(255)),
        sa.Column('display_name', sa.String(255)),
        sa.Column('display_description', sa.String(255)),
        sa.Column('volume_type_id', sa.String(36),
                  sa.ForeignKey('volume_types.id',
                                name='fk_volumes0volume_type_id'),
                  nullable=False),
        sa.Column('snapshot_id', sa.String(36)),
        sa.Column('source_volid', sa.String(36)),
        sa.Column('bootable', sa.Boolean, nullable=False),
        sa.Column('multiattach', sa.Boolean, nullable=False),
        sa.Column('provider_id', sa.String(255)),
        sa.Column('provider_location', sa.String(255)),
        sa.Column('replication_status', sa.String(255)),
        sa.Column('consistencygroup_id', sa.String(36)),
        sa.Column('group_id', sa.String(36)),
        sa.Column('service_uuid', sa.String(36)),
        sa.Column('shared_targets', sa.Boolean),
        sa.Column('use_quota', sa.Boolean, nullable=False),
        sa.Column('encryption_key_id', sa.String(36)),
        *_timestamps(),
        sa.Index('ix_volumes0project_id0created_at', 'project_id',
                 'created_at'),
        sa.Index('ix_volumes0created_at', 'created_at'),
        sa.Index('ix_volumes0host', 'host'),
        **_TABLE_ARGS)
    _key_value_table('volume_metadata', 'volume')
    _key_value_table('volume_admin_metadata', 'volume')
    op.create_table(
        'volume_attachment',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('volume_id', sa.String(36),
                  sa.ForeignKey('volumes.id', ondelete='CASCADE',
                                name='fk_volume_attachment0volume_id'),
                  nullable=False),
        sa.Column('instance_uuid', sa.String(36)),
        sa.Column('attached_host', sa.String(255)),
        sa.Column('mountpoint', sa.String(255)),
        sa.Column('attach_mode', sa.String(36)),
        sa.Column('attach_status', sa.String(255), nullable=False),
        sa.Column('attach_time', sa.DateTime),
        sa.Column('connector', sa.Text),
        *_timestamps(),
        sa.Index('ix_volume_attachment0volume_id', 'volume_id'),
        **_TABLE_ARGS)
    op.create_table(
        'snapshots',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('volume_id', sa.String(36),
                  sa.ForeignKey('volumes.id',
                                name='fk_snapshots0volume_id'),
                  nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255)),
        sa.Column('status', sa.String(255), nullable=False),
        sa.Column('progress', sa.String(255)),
        sa.Column('volume_size', sa.Integer, nullable=False),
        sa.Column('display_name', sa.String(255)),
        sa.Column('display_description', sa.String(255)),
        sa.Column('volume_type_id', sa.String(36), nullable=False),
        sa.Column('provider_location', sa.String(255)),
        sa.Column('group_snapshot_id', sa.String(36)),
        sa.Column('use_quota', sa.Boolean, nullable=False),
        *_timestamps(),
        sa.Index('ix_snapshots0volume_id', 'volume_id'),
        sa.Index('ix_snapshots0project_id0created_at', 'project_id',
                 'created_at'),
        **_TABLE_ARGS)
    _key_value_table('snapshot_metadata', 'snapshot')
    op.create_table(
        'tasks',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('resource_type', sa.String(36), nullable=False),
        sa.Column('resource_id', sa.String(36), nullable=False),
        sa.Column('operation', sa.String(64), nullable=False),
        sa.Column('args', sa.Text, nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('request_id', sa.String(255)),
        sa.Column('host', sa.String(255)),
        sa.Column('owner', sa.String(255)),
        *_timestamps(),
        sa.UniqueConstraint('resource_type', 'resource_id',
                            name='uniq_tasks0resource_type0resource_id'),
        sa.Index('ix_tasks0host', 'host'),
        **_TABLE_ARGS)
