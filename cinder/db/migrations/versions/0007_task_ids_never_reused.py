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
"""SQLite: task ids are never reused.

Without AUTOINCREMENT, SQLite gives a new row the largest id plus one, so
a task inserted right after the newest one ended takes its id. A late or
duplicate message for the ended task then claimed the new one, ran the
old task's operation, and left the new task owned by a live process that
never ran it: a volume stuck in ``deleting`` (seen under load with two
uWSGI workers). MariaDB/MySQL and PostgreSQL never reuse such ids.

Revision ID: 0007_task_ids_never_reused
Revises: 0006_mysql_microseconds
"""

from alembic import op

revision = '0007_task_ids_never_reused'
down_revision = '0006_mysql_microseconds'


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    with op.batch_alter_table(
            'tasks', recreate='always',
            table_kwargs={'sqlite_autoincrement': True}):
        pass
