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
"""Request bodies of /volumes, its metadata and its actions.

Up to 3.52 unknown keys inside ``volume`` are ignored, as in Cinder; from
3.53 (the STRICT_* schemas) they are a 400 and an update needs a field.
"""

import copy

from cinder.api.schemas import parameter_types as types

_CREATE_FIELDS = {
    'size': types.NULLABLE_SIZE,
    'name': types.NULLABLE_NAME,
    'display_name': types.NULLABLE_NAME,
    'description': types.NULLABLE_DESCRIPTION,
    'display_description': types.NULLABLE_DESCRIPTION,
    'volume_type': types.NULLABLE_NAME,
    'metadata': types.METADATA,
    'availability_zone': {'type': ['string', 'null'], 'minLength': 1,
                          'maxLength': 255},
    'snapshot_id': types.NULLABLE_UUID,
    'source_volid': types.NULLABLE_UUID,
    'consistencygroup_id': types.NULLABLE_UUID,
    'group_id': {'type': ['string', 'null']},
    'backup_id': types.NULLABLE_UUID,
    'imageRef': {'type': ['string', 'null'], 'maxLength': 255},
    'image_id': {'type': ['string', 'null'], 'maxLength': 255},
    'multiattach': {'anyOf': [types.BOOLEAN, {'type': 'null'}]},
}

CREATE = {
    'type': 'object',
    'properties': {
        'volume': {'type': 'object', 'properties': _CREATE_FIELDS},
        'OS-SCH-HNT:scheduler_hints': {'type': ['object', 'null']},
    },
    'required': ['volume'],
    'additionalProperties': False,
}
STRICT_CREATE = copy.deepcopy(CREATE)
STRICT_CREATE['properties']['volume']['additionalProperties'] = False

_UPDATE_FIELDS = {
    'name': types.NULLABLE_NAME,
    'display_name': types.NULLABLE_NAME,
    'description': types.NULLABLE_DESCRIPTION,
    'display_description': types.NULLABLE_DESCRIPTION,
    'metadata': types.METADATA,
}
UPDATE = types.envelope('volume', {
    'type': 'object', 'properties': _UPDATE_FIELDS,
    'additionalProperties': False})
STRICT_UPDATE = copy.deepcopy(UPDATE)
STRICT_UPDATE['properties']['volume']['minProperties'] = 1

METADATA = types.envelope('metadata', dict(types.METADATA, type='object'))
METADATA_ITEM = types.envelope('meta', dict(
    types.METADATA, type='object', minProperties=1, maxProperties=1))

EXTEND = types.envelope('os-extend', {
    'type': 'object', 'properties': {'new_size': types.SIZE},
    'required': ['new_size'], 'additionalProperties': False})
RESET_STATUS = types.envelope('os-reset_status', {
    'type': 'object',
    'properties': {
        'status': {'type': 'string'},
        'attach_status': {'type': 'string'},
        'migration_status': {'type': 'string'},
    },
    'minProperties': 1, 'additionalProperties': False})
SET_BOOTABLE = types.envelope('os-set_bootable', {
    'type': 'object', 'properties': {'bootable': types.BOOLEAN},
    'required': ['bootable'], 'additionalProperties': False})
UPDATE_READONLY = types.envelope('os-update_readonly_flag', {
    'type': 'object', 'properties': {'readonly': types.BOOLEAN},
    'required': ['readonly'], 'additionalProperties': False})
ATTACH = types.envelope('os-attach', {
    'type': 'object',
    'properties': {
        'mountpoint': {'type': 'string', 'maxLength': 255},
        'instance_uuid': types.NULLABLE_UUID,
        'host_name': {'type': ['string', 'null'], 'maxLength': 255},
        'mode': {'type': 'string', 'enum': ['rw', 'ro']},
    },
    'required': ['mountpoint'], 'additionalProperties': False})
DETACH = types.envelope('os-detach', {
    'type': ['object', 'null'],
    'properties': {'attachment_id': types.NULLABLE_UUID},
    'additionalProperties': False})
_CONNECTOR = {
    'type': 'object',
    'properties': {'connector': {'type': ['object', 'string']}},
    'required': ['connector'], 'additionalProperties': False}
INITIALIZE = types.envelope('os-initialize_connection', _CONNECTOR)
TERMINATE = types.envelope('os-terminate_connection', _CONNECTOR)
FORCE_DETACH = types.envelope('os-force_detach', {
    'type': ['object', 'null'],
    'properties': {'connector': {'type': ['object', 'null']},
                   'attachment_id': types.NULLABLE_UUID},
    'additionalProperties': False})
RETYPE = types.envelope('os-retype', {
    'type': 'object',
    'properties': {
        'new_type': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'migration_policy': {'type': ['string', 'null'],
                             'enum': ['on-demand', 'never', None]},
    },
    'required': ['new_type'], 'additionalProperties': False})
REVERT = types.envelope('revert', {
    'type': 'object', 'properties': {'snapshot_id': types.UUID},
    'required': ['snapshot_id'], 'additionalProperties': False})
REIMAGE = types.envelope('os-reimage', {
    'type': 'object',
    'properties': {'image_id': types.UUID,
                   'reimage_reserved': types.BOOLEAN},
    'required': ['image_id'], 'additionalProperties': False})
EXTEND_COMPLETION = types.envelope('os-extend_volume_completion', {
    'type': 'object', 'properties': {'error': types.BOOLEAN},
    'additionalProperties': False})


def no_body(action):
    return types.envelope(action, types.NO_BODY)
