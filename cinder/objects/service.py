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
"""Services (cinder-volume, cinder-scheduler ...) as stored in the database.

Functions return rows as read-only mappings (``row['host']``).
"""

import json
import uuid

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from cinder.db import api as db_api
from cinder.db import models
from cinder.db import rows as db_rows
from cinder import exception

_services = models.services


@db_api.retry_on_db_error
def create(host, binary, topic=None, availability_zone='nova', **values):
    values.update(uuid=str(uuid.uuid4()), host=host, binary=binary,
                  topic=topic or binary, availability_zone=availability_zone)
    with db_api.writer() as conn:
        result = conn.execute(sa.insert(_services).values(**values))
        service_id = result.inserted_primary_key[0]
        return _get(conn, service_id)


_ALL = db_rows.Rows(sa.select(_services).order_by(_services.c.id))
_BY_ID = db_rows.Rows(sa.select(_services).where(
    _services.c.id == sa.bindparam('service_id')))


def _get(conn, service_id):
    row = _BY_ID.first(conn, {'service_id': service_id})
    if row is None:
        raise exception.ServiceNotFound(service_id=service_id)
    return row


def get(service_id):
    with db_api.reader() as conn:
        return _get(conn, service_id)


def is_up(service, down_time, now=None):
    """Whether *service* reported within *down_time* seconds."""
    last = service['last_seen_up'] or service['created_at']
    now = now or models.utcnow()
    return abs((now - last).total_seconds()) <= down_time


def get_all_in(conn, **filters):
    """Services matching equality *filters* on their columns, by id."""
    query = _ALL.base
    for key, value in filters.items():
        query = query.where(_services.c[key] == value)
    return _ALL.all(conn, select=query)


def get_all(**filters):
    with db_api.reader() as conn:
        return get_all_in(conn, **filters)


@db_api.retry_on_db_error
def update(service_id, **values):
    with db_api.writer() as conn:
        result = conn.execute(sa.update(_services)
                              .where(_services.c.id == service_id)
                              .values(updated_at=models.utcnow(), **values))
        if result.rowcount != 1:
            raise exception.ServiceNotFound(service_id=service_id)
        return _get(conn, service_id)


@db_api.retry_on_db_error
def report_alive(service_id):
    """Heartbeat: count the report and remember when it was seen."""
    with db_api.writer() as conn:
        result = conn.execute(
            sa.update(_services)
            .where(_services.c.id == service_id)
            .values(report_count=_services.c.report_count + 1,
                    last_seen_up=models.utcnow(),
                    updated_at=models.utcnow()))
        if result.rowcount != 1:
            raise exception.ServiceNotFound(service_id=service_id)


@db_api.retry_on_db_error
def get_or_create(host, binary, **values):
    """The row of host+binary, created on a service's first start."""
    rows = get_all(host=host, binary=binary)
    if rows:
        return rows[0]
    try:
        return create(host, binary, **values)
    except sa_exc.IntegrityError:
        return get_all(host=host, binary=binary)[0]


@db_api.retry_on_db_error
def report_capabilities(service_id, capabilities):
    """Heartbeat of a volume service, with its backend's report."""
    with db_api.writer() as conn:
        conn.execute(
            sa.update(_services)
            .where(_services.c.id == service_id)
            .values(report_count=_services.c.report_count + 1,
                    capabilities=(None if capabilities is None
                                  else json.dumps(capabilities)),
                    last_seen_up=models.utcnow(),
                    updated_at=models.utcnow()))
