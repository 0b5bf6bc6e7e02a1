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
"""Policies of quota sets, quota classes and limits."""

from oslo_policy import policy

from cinder.policies import base

SHOW = 'volume_extension:quotas:show'
UPDATE = 'volume_extension:quotas:update'
DELETE = 'volume_extension:quotas:delete'
CLASS_GET = 'volume_extension:quota_classes:get'
CLASS_UPDATE = 'volume_extension:quota_classes:update'
USED_LIMITS = 'limits_extension:used_limits'


def _rule(name, check, description, method, path):
    return policy.DocumentedRuleDefault(
        name=name, check_str=check, description=description,
        operations=[{'method': method, 'path': path}])


rules = [
    _rule(SHOW, base.READER, 'Show the quotas of a project.',
          'GET', '/os-quota-sets/{project_id}'),
    _rule(UPDATE, base.RULE_ADMIN_API, 'Update the quotas of a project.',
          'PUT', '/os-quota-sets/{project_id}'),
    _rule(DELETE, base.RULE_ADMIN_API,
          'Reset the quotas of a project to the defaults.',
          'DELETE', '/os-quota-sets/{project_id}'),
    _rule(CLASS_GET, base.RULE_ADMIN_API, 'Show a quota class.',
          'GET', '/os-quota-class-sets/{class_name}'),
    _rule(CLASS_UPDATE, base.RULE_ADMIN_API, 'Update a quota class.',
          'PUT', '/os-quota-class-sets/{class_name}'),
    _rule(USED_LIMITS, base.READER,
          'Show what a project uses next to its absolute limits.',
          'GET', '/limits'),
]


def list_rules():
    return rules
