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
"""Each project's own default volume type (microversion 3.62)."""

import sqlalchemy as sa

from cinder.db import api as db_api
from cinder.db import models
from cinder import exception

_defaults = models.default_volume_types


def get(project_id):
    with db_api.reader() as conn:
        row = conn.execute(sa.select(_defaults).where(
            _defaults.c.project_id == project_id)).mappings().first()
    if row is None:
        raise exception.DefaultVolumeTypeProjectNotFound(
            project_id=project_id)
    return row


def get_all():
    with db_api.reader() as conn:
        return conn.execute(sa.select(_defaults).order_by(
            _defaults.c.project_id)).mappings().all()


@db_api.retry_on_db_error
def set_default(project_id, volume_type_id):
    now = models.utcnow()
    with db_api.writer() as conn:
        updated = conn.execute(
            sa.update(_defaults).where(_defaults.c.project_id == project_id)
            .values(volume_type_id=volume_type_id, updated_at=now))
        if updated.rowcount == 0:
            conn.execute(sa.insert(_defaults).values(
                project_id=project_id, volume_type_id=volume_type_id,
                created_at=now))
    return get(project_id)


@db_api.retry_on_db_error
def unset(project_id):
    with db_api.writer() as conn:
        deleted = conn.execute(sa.delete(_defaults).where(
            _defaults.c.project_id == project_id))
    if deleted.rowcount == 0:
        raise exception.DefaultVolumeTypeProjectNotFound(
            project_id=project_id)


def projects_using(conn, volume_type_id):
    return list(conn.execute(sa.select(_defaults.c.project_id).where(
        _defaults.c.volume_type_id == volume_type_id)).scalars())
