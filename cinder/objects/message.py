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
"""User messages: why asynchronous work a user asked for failed."""

import datetime
import uuid

import sqlalchemy as sa

import cinder.conf
from cinder.db import api as db_api
from cinder.db import models
from cinder import exception
from cinder import message_field

_messages = models.messages


@db_api.retry_on_db_error
def create(context, action, detail, resource_type='VOLUME',
           resource_uuid=None, level='ERROR'):
    """Record a message for *context*'s project; returns its id."""
    now = models.utcnow()
    message_id = str(uuid.uuid4())
    with db_api.writer() as conn:
        conn.execute(sa.insert(_messages).values(
            id=message_id, project_id=context.project_id,
            request_id=context.request_id, resource_type=resource_type,
            resource_uuid=resource_uuid,
            event_id=message_field.event_id(resource_type, action, detail),
            message_level=level,
            user_message=message_field.user_message(action, detail),
            expires_at=now + datetime.timedelta(
                seconds=cinder.conf.CONF.message_ttl),
            created_at=now))
    return message_id


def _scoped(query, context):
    if context.is_admin:
        return query
    return query.where(_messages.c.project_id == context.project_id)


def get(context, message_id):
    with db_api.reader() as conn:
        row = conn.execute(_scoped(sa.select(_messages), context).where(
            _messages.c.id == message_id)).mappings().first()
    if row is None:
        raise exception.MessageNotFound(id=message_id)
    return row


def get_all(context, limit=None, marker=None, filters=None):
    """The project's messages, newest first, after *marker* if given."""
    query = _scoped(sa.select(_messages), context).order_by(
        _messages.c.created_at.desc(), _messages.c.id.desc())
    for key, value in (filters or {}).items():
        query = query.where(_messages.c[key] == value)
    with db_api.reader() as conn:
        if marker is not None:
            last = conn.execute(_scoped(sa.select(_messages), context).where(
                _messages.c.id == marker)).mappings().first()
            if last is None:
                raise exception.MarkerNotFound(marker=marker)
            query = query.where(sa.or_(
                _messages.c.created_at < last['created_at'],
                sa.and_(_messages.c.created_at == last['created_at'],
                        _messages.c.id < last['id'])))
        if limit is not None:
            query = query.limit(limit)
        return conn.execute(query).mappings().all()


@db_api.retry_on_db_error
def delete(context, message_id):
    with db_api.writer() as conn:
        deleted = conn.execute(sa.delete(_messages).where(
            _messages.c.id == message_id,
            *([] if context.is_admin else
              [_messages.c.project_id == context.project_id])))
    if deleted.rowcount == 0:
        raise exception.MessageNotFound(id=message_id)


@db_api.retry_on_db_error
def delete_expired(now=None):
    """Remove messages past guaranteed_until; returns how many."""
    with db_api.writer() as conn:
        return conn.execute(sa.delete(_messages).where(
            _messages.c.expires_at < (now or models.utcnow()))).rowcount
