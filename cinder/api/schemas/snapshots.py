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
"""Request bodies of /snapshots, its metadata and its actions."""

from cinder.api.schemas import parameter_types as types

CREATE = types.envelope('snapshot', {
    'type': 'object',
    'properties': {
        'volume_id': types.UUID,
        'name': types.NULLABLE_NAME,
        'display_name': types.NULLABLE_NAME,
        'description': types.NULLABLE_DESCRIPTION,
        'display_description': types.NULLABLE_DESCRIPTION,
        'force': {'anyOf': [types.BOOLEAN, {'type': 'null'}]},
        'metadata': types.METADATA,
    },
    'required': ['volume_id'],
    'additionalProperties': False,
})

UPDATE = types.envelope('snapshot', {
    'type': 'object',
    'properties': {
        'name': types.NULLABLE_NAME,
        'display_name': types.NULLABLE_NAME,
        'description': types.NULLABLE_DESCRIPTION,
        'display_description': types.NULLABLE_DESCRIPTION,
    },
    'minProperties': 1,
    'additionalProperties': False,
})

RESET_STATUS = types.envelope('os-reset_status', {
    'type': 'object', 'properties': {'status': {'type': 'string'}},
    'required': ['status'], 'additionalProperties': False})
UPDATE_STATUS = types.envelope('os-update_snapshot_status', {
    'type': 'object',
    'properties': {'status': {'type': 'string'},
                   'progress': {'type': 'string'}},
    'required': ['status'], 'additionalProperties': False})
FORCE_DELETE = types.envelope('os-force_delete', types.NO_BODY)
