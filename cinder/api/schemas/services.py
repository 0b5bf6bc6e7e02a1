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
"""Request bodies of PUT /os-services/{action}."""

_HOST_BINARY = {
    'host': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    'binary': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    # Cinder's deprecated spelling of binary.
    'service': {'type': 'string', 'minLength': 1, 'maxLength': 255},
}

ENABLE_DISABLE = {
    'type': 'object',
    'properties': dict(_HOST_BINARY),
    'required': ['host'],
    'additionalProperties': False,
}

DISABLE_LOG_REASON = {
    'type': 'object',
    'properties': dict(_HOST_BINARY, disabled_reason={
        'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': r'.*\S.*'}),
    'required': ['host', 'disabled_reason'],
    'additionalProperties': False,
}
