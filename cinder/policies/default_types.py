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
"""Policies of the per-project default volume types (3.62)."""

from oslo_policy import policy

from cinder.policies import base

SET = 'volume_extension:default_set_or_update'
GET = 'volume_extension:default_get'
GET_ALL = 'volume_extension:default_get_all'
UNSET = 'volume_extension:default_unset'


def _rule(name, description, method, path):
    return policy.DocumentedRuleDefault(
        name=name, check_str=base.RULE_ADMIN_API, description=description,
        operations=[{'method': method, 'path': path}])


rules = [
    _rule(SET, "Set or change a project's default volume type.",
          'PUT', '/default-types/{project_id}'),
    _rule(GET, "Show a project's default volume type.",
          'GET', '/default-types/{project_id}'),
    _rule(GET_ALL, 'List the default volume types of all projects.',
          'GET', '/default-types'),
    _rule(UNSET, "Remove a project's default volume type.",
          'DELETE', '/default-types/{project_id}'),
]


def list_rules():
    return rules
