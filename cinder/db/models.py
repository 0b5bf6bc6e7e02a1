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
"""SQLAlchemy models. Schema changes go through an alembic migration."""

import datetime

import sqlalchemy as sa
from sqlalchemy import orm


def utcnow():
    """Naive UTC, as Cinder stores and shows timestamps."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Base(orm.DeclarativeBase):
    pass


class TimestampMixin:
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    updated_at = sa.Column(sa.DateTime, onupdate=utcnow)


class Service(TimestampMixin, Base):
    """A running cinder service (volume, scheduler, backup) and its health."""

    __tablename__ = 'services'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_services0uuid'),
        sa.UniqueConstraint('host', 'binary',
                            name='uniq_services0host0binary'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    host = sa.Column(sa.String(255), nullable=False)
    binary = sa.Column(sa.String(255), nullable=False)
    topic = sa.Column(sa.String(255), nullable=False)
    availability_zone = sa.Column(sa.String(255), nullable=False,
                                  default='nova')
    cluster_name = sa.Column(sa.String(255))
    report_count = sa.Column(sa.Integer, nullable=False, default=0)
    disabled = sa.Column(sa.Boolean, nullable=False, default=False)
    disabled_reason = sa.Column(sa.String(255))
    frozen = sa.Column(sa.Boolean, nullable=False, default=False)
    replication_status = sa.Column(sa.String(36), nullable=False,
                                   default='not-capable')
    active_backend_id = sa.Column(sa.String(255))
    last_seen_up = sa.Column(sa.DateTime)
