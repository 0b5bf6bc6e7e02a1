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
"""Request bodies of quota sets and quota classes.

Keys depend on the volume types that exist, so the handlers check them;
the schemas fix the envelope and the value types.
"""

_LIMITS = {
    'type': 'object',
    # Cinder accepts and ignores these two.
    'properties': {'id': {}, 'tenant_id': {}},
    'minProperties': 1,
    'additionalProperties': {
        'type': ['integer', 'string'],
        'pattern': r'^\s*-?\d+\s*$',
    },
}

UPDATE_QUOTA_SET = {
    'type': 'object',
    'properties': {'quota_set': _LIMITS},
    'required': ['quota_set'],
    'additionalProperties': False,
}

UPDATE_QUOTA_CLASS_SET = {
    'type': 'object',
    'properties': {'quota_class_set': _LIMITS},
    'required': ['quota_class_set'],
    'additionalProperties': False,
}
