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
"""Building blocks of the request schemas, as Cinder's API accepts them."""

# Cinder accepts booleans and their usual spellings as strings.
BOOLEAN = {
    'type': ['boolean', 'string'],
    'enum': [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES',
             'Yes', 'yes', 'y', 't', False, 'False', 'FALSE', 'false', '0',
             'OFF', 'Off', 'off', 'NO', 'No', 'no', 'n', 'f'],
}

NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255}
NULLABLE_DESCRIPTION = {'type': ['string', 'null'], 'maxLength': 255}
SPEC_KEY = {'type': 'string', 'minLength': 1, 'maxLength': 255,
            'pattern': '^[a-zA-Z0-9-_:. /]{1,255}$'}
SPEC_VALUE = {'type': ['string', 'null'], 'maxLength': 255}
EXTRA_SPECS = {
    'type': 'object',
    'patternProperties': {'^[a-zA-Z0-9-_:. /]{1,255}$': SPEC_VALUE},
    'additionalProperties': False,
}
PROJECT_ID = {'type': 'string', 'minLength': 1, 'maxLength': 255}
NULLABLE_NAME = {'type': ['string', 'null'], 'maxLength': 255}
NULLABLE_UUID = {'type': ['string', 'null'], 'format': 'uuid'}
UUID = {'type': 'string', 'format': 'uuid'}
METADATA = {
    'type': ['object', 'null'],
    'patternProperties': {'^[a-zA-Z0-9-_:. /]{1,255}$': {
        'type': 'string', 'maxLength': 255}},
    'additionalProperties': False,
}
# A size in GiB: an integer or a string of digits (checked > 0 later).
SIZE = {'type': ['integer', 'string'], 'pattern': '^ *[0-9]+ *$',
        'minimum': 0}
NULLABLE_SIZE = {'type': ['integer', 'string', 'null'],
                 'pattern': '^ *[0-9]+ *$', 'minimum': 0}
# An action whose body carries nothing: {} or null.
NO_BODY = {'type': ['object', 'null'], 'additionalProperties': False}


def envelope(key, inner, required=True):
    """{key: inner} and nothing else."""
    return {'type': 'object', 'properties': {key: inner},
            'required': [key] if required else [],
            'additionalProperties': False}
