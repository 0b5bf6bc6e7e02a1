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
"""The schema as SQLAlchemy Core tables. Change it through a migration.

Core, not the ORM: rows come back as plain mappings, which is all the API
needs, and a worker avoids the ORM's import cost (about 6 MB, 50 ms) and its
per-row overhead on large listings.
"""

import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

metadata = sa.MetaData()

# Microseconds everywhere: MySQL's DATETIME keeps whole seconds otherwise,
# and lists sort (and "the latest snapshot" is found) by created_at.
DateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')


def utcnow():
    """Naive UTC, as Cinder stores and shows timestamps."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _timestamps():
    return [sa.Column('created_at', DateTime, nullable=False,
                      default=utcnow),
            sa.Column('updated_at', DateTime, onupdate=utcnow)]


# A running cinder service (volume, scheduler, backup) and its health.
services = sa.Table(
    'services', metadata,
    sa.Column('id', sa.Integer, primary_key=True),
    sa.Column('uuid', sa.String(36), nullable=False),
    sa.Column('host', sa.String(255), nullable=False),
    sa.Column('binary', sa.String(255), nullable=False),
    sa.Column('topic', sa.String(255), nullable=False),
    sa.Column('availability_zone', sa.String(255), nullable=False,
              default='nova'),
    sa.Column('cluster_name', sa.String(255)),
    sa.Column('report_count', sa.Integer, nullable=False, default=0),
    sa.Column('disabled', sa.Boolean, nullable=False, default=False),
    sa.Column('disabled_reason', sa.String(255)),
    sa.Column('frozen', sa.Boolean, nullable=False, default=False),
    sa.Column('replication_status', sa.String(36), nullable=False,
              default='not-capable'),
    sa.Column('active_backend_id', sa.String(255)),
    sa.Column('last_seen_up', DateTime),
    # A volume service's backend report (JSON): capacity, capabilities.
    sa.Column('capabilities', sa.Text),
    *_timestamps(),
    sa.UniqueConstraint('uuid', name='uniq_services0uuid'),
    sa.UniqueConstraint('host', 'binary', name='uniq_services0host0binary'),
)

volume_types = sa.Table(
    'volume_types', metadata,
    sa.Column('id', sa.String(36), primary_key=True),
    sa.Column('name', sa.String(255), nullable=False),
    sa.Column('description', sa.String(255)),
    sa.Column('is_public', sa.Boolean, nullable=False, default=True),
    sa.Column('qos_specs_id', sa.String(36)),
    *_timestamps(),
    sa.UniqueConstraint('name', name='uniq_volume_types0name'),
)

volume_type_extra_specs = sa.Table(
    'volume_type_extra_specs', metadata,
    sa.Column('id', sa.Integer, primary_key=True),
    sa.Column('volume_type_id', sa.String(36),
              sa.ForeignKey('volume_types.id', ondelete='CASCADE',
                            name='fk_extra_specs0volume_type_id'),
              nullable=False),
    sa.Column('key', sa.String(255), nullable=False),
    sa.Column('value', sa.String(255)),
    *_timestamps(),
    sa.UniqueConstraint('volume_type_id', 'key',
                        name='uniq_extra_specs0volume_type_id0key'),
)

# Projects that may use a private volume type.
volume_type_projects = sa.Table(
    'volume_type_projects', metadata,
    sa.Column('id', sa.Integer, primary_key=True),
    sa.Column('volume_type_id', sa.String(36),
              sa.ForeignKey('volume_types.id', ondelete='CASCADE',
                            name='fk_type_projects0volume_type_id'),
              nullable=False),
    sa.Column('project_id', sa.String(255), nullable=False),
    *_timestamps(),
    sa.UniqueConstraint('volume_type_id', 'project_id',
                        name='uniq_type_projects0type0project'),
)

# Per-project limits that differ from the defaults.
quotas = sa.Table(
    'quotas', metadata,
    sa.Column('id', sa.Integer, primary_key=True),
    sa.Column('project_id', sa.String(255), nullable=False),
    sa.Column('resource', sa.String(300), nullable=False),
    sa.Column('hard_limit', sa.Integer, nullable=False),
    *_timestamps(),
    sa.UniqueConstraint('project_id', 'resource',
                        name='uniq_quotas0project_id0resource'),
)

# Limits of a quota class; the class "default" supplies default quotas.
quota_classes = sa.Table(
    'quota_classes', metadata,
    sa.Column('id', sa.Integer, primary_key=True),
    sa.Column('class_name', sa.String(255), nullable=False),
    sa.Column('resource', sa.String(300), nullable=False),
    sa.Column('hard_limit', sa.Integer, nullable=False),
    *_timestamps(),
    sa.UniqueConstraint('class_name', 'resource',
                        name='uniq_quota_classes0class_name0resource'),
)

# What a project uses (in_use) and holds for work in progress (reserved).
quota_usages = sa.Table(
    'quota_usages', metadata,
    sa.Column('id', sa.Integer, primary_key=True),
    sa.Column('project_id', sa.String(255), nullable=False),
    sa.Column('resource', sa.String(300), nullable=False),
    sa.Column('in_use', sa.Integer, nullable=False, default=0),
    sa.Column('reserved', sa.Integer, nullable=False, default=0),
    *_timestamps(),
    sa.UniqueConstraint('project_id', 'resource',
                        name='uniq_quota_usages0project_id0resource'),
)

# One reserved delta of one resource, until committed or rolled back.
reservations = sa.Table(
    'reservations', metadata,
    sa.Column('id', sa.Integer, primary_key=True),
    sa.Column('uuid', sa.String(36), nullable=False),
    sa.Column('usage_id', sa.Integer,
              sa.ForeignKey('quota_usages.id',
                            name='fk_reservations0usage_id'),
              nullable=False),
    sa.Column('project_id', sa.String(255), nullable=False),
    sa.Column('resource', sa.String(300), nullable=False),
    sa.Column('delta', sa.Integer, nullable=False),
    sa.Column('expire', DateTime, nullable=False),
    *_timestamps(),
    sa.Index('ix_reservations0uuid', 'uuid'),
    sa.Index('ix_reservations0expire', 'expire'),
)

# Messages for API users about asynchronous failures (GET /messages).
messages = sa.Table(
    'messages', metadata,
    sa.Column('id', sa.String(36), primary_key=True),
    sa.Column('project_id', sa.String(255), nullable=False),
    sa.Column('request_id', sa.String(255)),
    sa.Column('resource_type', sa.String(255)),
    sa.Column('resource_uuid', sa.String(255)),
    sa.Column('event_id', sa.String(255), nullable=False),
    sa.Column('message_level', sa.String(255), nullable=False),
    sa.Column('user_message', sa.String(1024), nullable=False),
    sa.Column('expires_at', DateTime, nullable=False),
    *_timestamps(),
    sa.Index('ix_messages0project_id', 'project_id'),
    sa.Index('ix_messages0expires_at', 'expires_at'),
)

# A project's own default volume type (microversion 3.62).
default_volume_types = sa.Table(
    'default_volume_types', metadata,
    sa.Column('project_id', sa.String(255), primary_key=True),
    sa.Column('volume_type_id', sa.String(36),
              sa.ForeignKey('volume_types.id',
                            name='fk_default_types0volume_type_id'),
              nullable=False),
    *_timestamps(),
)

volumes = sa.Table(
    'volumes', metadata,
    sa.Column('id', sa.String(36), primary_key=True),
    sa.Column('project_id', sa.String(255), nullable=False),
    sa.Column('user_id', sa.String(255)),
    # host@backend#pool once scheduled; NULL before (or when none fit).
    sa.Column('host', sa.String(255)),
    sa.Column('cluster_name', sa.String(255)),
    sa.Column('size', sa.Integer, nullable=False),
    sa.Column('availability_zone', sa.String(255), nullable=False),
    sa.Column('status', sa.String(255), nullable=False),
    sa.Column('previous_status', sa.String(255)),
    sa.Column('attach_status', sa.String(255), nullable=False,
              default='detached'),
    sa.Column('migration_status', sa.String(255)),
    sa.Column('display_name', sa.String(255)),
    sa.Column('display_description', sa.String(255)),
    sa.Column('volume_type_id', sa.String(36),
              sa.ForeignKey('volume_types.id',
                            name='fk_volumes0volume_type_id'),
              nullable=False),
    sa.Column('snapshot_id', sa.String(36)),
    sa.Column('source_volid', sa.String(36)),
    sa.Column('bootable', sa.Boolean, nullable=False, default=False),
    sa.Column('multiattach', sa.Boolean, nullable=False, default=False),
    sa.Column('provider_id', sa.String(255)),
    sa.Column('provider_location', sa.String(255)),
    sa.Column('replication_status', sa.String(255)),
    sa.Column('consistencygroup_id', sa.String(36)),
    sa.Column('group_id', sa.String(36)),
    sa.Column('service_uuid', sa.String(36)),
    sa.Column('shared_targets', sa.Boolean, default=True),
    sa.Column('use_quota', sa.Boolean, nullable=False, default=True),
    sa.Column('encryption_key_id', sa.String(36)),
    *_timestamps(),
    sa.Index('ix_volumes0project_id0created_at', 'project_id',
             'created_at'),
    sa.Index('ix_volumes0created_at', 'created_at'),
    # Covers the scheduler's per-pool sums of sizes (migration 0008).
    sa.Index('ix_volumes0host0size', 'host', 'size'),
)


def _key_value_table(name, owner):
    """Metadata of a volume or snapshot: one row per key."""
    return sa.Table(
        name, metadata,
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
    )


volume_metadata = _key_value_table('volume_metadata', 'volume')
# Keys only admins and the service set (readonly, attached_mode).
volume_admin_metadata = _key_value_table('volume_admin_metadata', 'volume')

volume_attachment = sa.Table(
    'volume_attachment', metadata,
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
    sa.Column('attach_time', DateTime),
    sa.Column('connector', sa.Text),
    *_timestamps(),
    sa.Index('ix_volume_attachment0volume_id', 'volume_id'),
)

snapshots = sa.Table(
    'snapshots', metadata,
    sa.Column('id', sa.String(36), primary_key=True),
    sa.Column('volume_id', sa.String(36),
              sa.ForeignKey('volumes.id', name='fk_snapshots0volume_id'),
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
    sa.Column('use_quota', sa.Boolean, nullable=False, default=True),
    *_timestamps(),
    sa.Index('ix_snapshots0volume_id', 'volume_id'),
    sa.Index('ix_snapshots0project_id0created_at', 'project_id',
             'created_at'),
)

snapshot_metadata = _key_value_table('snapshot_metadata', 'snapshot')

# Work on storage that was accepted and is not finished: at most one per
# resource. The API writes it with the resource's new status; whoever runs
# it claims it (owner), and finishing deletes it in the transaction that
# sets the final status. A task whose owner died is resumed from the row.
tasks = sa.Table(
    'tasks', metadata,
    sa.Column('id', sa.Integer, primary_key=True),
    sa.Column('resource_type', sa.String(36), nullable=False),
    sa.Column('resource_id', sa.String(36), nullable=False),
    sa.Column('operation', sa.String(64), nullable=False),
    sa.Column('args', sa.Text, nullable=False),
    sa.Column('project_id', sa.String(255), nullable=False),
    sa.Column('request_id', sa.String(255)),
    # host@backend#pool that runs it; NULL until scheduled.
    sa.Column('host', sa.String(255)),
    sa.Column('owner', sa.String(255)),
    *_timestamps(),
    sa.UniqueConstraint('resource_type', 'resource_id',
                        name='uniq_tasks0resource_type0resource_id'),
    sa.Index('ix_tasks0host', 'host'),
    # SQLite: never reuse the id of an ended task (migration 0007).
    sqlite_autoincrement=True,
)
