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
"""Request bodies of /types and its sub-resources."""

from cinder.api.schemas import parameter_types as types

CREATE = {
    'type': 'object',
    'properties': {
        'volume_type': {
            'type': 'object',
            'properties': {
                'name': types.NAME,
                'description': types.NULLABLE_DESCRIPTION,
                'extra_specs': types.EXTRA_SPECS,
                'os-volume-type-access:is_public': types.BOOLEAN,
            },
            'required': ['name'],
            'additionalProperties': False,
        },
    },
    'required': ['volume_type'],
    'additionalProperties': False,
}

UPDATE = {
    'type': 'object',
    'properties': {
        'volume_type': {
            'type': 'object',
            'properties': {
                'name': {'type': ['string', 'null'], 'maxLength': 255},
                'description': types.NULLABLE_DESCRIPTION,
                'is_public': types.BOOLEAN,
            },
            'additionalProperties': False,
        },
    },
    'required': ['volume_type'],
    'additionalProperties': False,
}

EXTRA_SPECS_CREATE = {
    'type': 'object',
    'properties': {'extra_specs': types.EXTRA_SPECS},
    'required': ['extra_specs'],
    'additionalProperties': False,
}

EXTRA_SPEC_UPDATE = {
    'type': 'object',
    'patternProperties': {'^[a-zA-Z0-9-_:. /]{1,255}$': types.SPEC_VALUE},
    'minProperties': 1,
    'maxProperties': 1,
    'additionalProperties': False,
}

_PROJECT_ACCESS = {
    'type': 'object',
    'properties': {'project': types.PROJECT_ID},
    'required': ['project'],
    'additionalProperties': False,
}

ADD_PROJECT_ACCESS = {
    'type': 'object',
    'properties': {'addProjectAccess': _PROJECT_ACCESS},
    'required': ['addProjectAccess'],
    'additionalProperties': False,
}

REMOVE_PROJECT_ACCESS = {
    'type': 'object',
    'properties': {'removeProjectAccess': _PROJECT_ACCESS},
    'required': ['removeProjectAccess'],
    'additionalProperties': False,
}
