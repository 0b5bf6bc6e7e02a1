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

_LOG_TARGET = {
    'binary': {'type': 'string', 'enum': ['', '*', 'cinder-api',
                                          'cinder-volume',
                                          'cinder-scheduler',
                                          'cinder-backup']},
    'server': {'type': 'string', 'maxLength': 255},
    'prefix': {'type': 'string', 'maxLength': 255},
}

GET_LOG = {
    'type': 'object',
    'properties': dict(_LOG_TARGET),
    'additionalProperties': False,
}

SET_LOG = {
    'type': 'object',
    'properties': dict(_LOG_TARGET, level={
        'type': 'string',
        'enum': ['CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG',
                 'critical', 'error', 'warning', 'info', 'debug']}),
    'required': ['level'],
    'additionalProperties': False,
}
