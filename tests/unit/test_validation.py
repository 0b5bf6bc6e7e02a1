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
"""Body validation names the field and value, in Cinder's words."""

import pytest

from cinder.api import validation
from cinder import exception

SCHEMA = {
    'type': 'object',
    'properties': {'volume': {
        'type': 'object',
        'properties': {'size': {'type': 'integer', 'minimum': 1},
                       'name': {'type': ['string', 'null'],
                                'maxLength': 255}},
        'required': ['size'],
        'additionalProperties': False}},
    'required': ['volume'],
    'additionalProperties': False,
}


def test_valid_body_passes():
    validation.validate({'volume': {'size': 1, 'name': None}}, SCHEMA)


def test_error_names_field_and_value():
    with pytest.raises(exception.ValidationError) as info:
        validation.validate({'volume': {'size': 0}}, SCHEMA)
    assert info.value.code == 400
    assert info.value.msg.startswith(
        'Invalid input for field/attribute volume/size. Value: 0.')


@pytest.mark.parametrize('body', [{}, {'volume': {}}, {'volume': {
    'size': 1, 'bogus': 1}}, [], None])
def test_invalid_bodies(body):
    with pytest.raises(exception.ValidationError):
        validation.validate(body, SCHEMA)
