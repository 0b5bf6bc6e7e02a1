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
"""Services (cinder-volume, cinder-scheduler ...) as stored in the database."""

import uuid

import sqlalchemy as sa

from cinder.db import api as db_api
from cinder.db import models
from cinder import exception


@db_api.retry_on_db_error
def create(host, binary, topic=None, availability_zone='nova', **values):
    with db_api.writer() as session:
        service = models.Service(uuid=str(uuid.uuid4()), host=host,
                                 binary=binary, topic=topic or binary,
                                 availability_zone=availability_zone, **values)
        session.add(service)
        session.flush()
        return service


def get(service_id):
    with db_api.reader() as session:
        service = session.get(models.Service, service_id)
        if service is None:
            raise exception.ServiceNotFound(service_id=service_id)
        return service


def get_all(**filters):
    """Services matching equality *filters* on their columns, by id."""
    query = sa.select(models.Service).order_by(models.Service.id)
    for key, value in filters.items():
        query = query.where(getattr(models.Service, key) == value)
    with db_api.reader() as session:
        return list(session.scalars(query))


@db_api.retry_on_db_error
def update(service_id, **values):
    with db_api.writer() as session:
        service = session.get(models.Service, service_id)
        if service is None:
            raise exception.ServiceNotFound(service_id=service_id)
        for key, value in values.items():
            setattr(service, key, value)
        return service


@db_api.retry_on_db_error
def report_alive(service_id):
    """Heartbeat: count the report and remember when it was seen."""
    with db_api.writer() as session:
        result = session.execute(
            sa.update(models.Service)
            .where(models.Service.id == service_id)
            .values(report_count=models.Service.report_count + 1,
                    last_seen_up=models.utcnow()))
        if result.rowcount != 1:
            raise exception.ServiceNotFound(service_id=service_id)
