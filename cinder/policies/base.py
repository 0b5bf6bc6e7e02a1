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
"""The personas every rule is written with, as Cinder 29 defines them.

With Keystone's implied roles, admin implies member implies reader.
"""

from oslo_policy import policy

RULE_ADMIN_API = 'rule:admin_api'
# Any admin, or the given role in the project that owns the target.
READER = 'rule:xena_system_admin_or_project_reader'
MEMBER = 'rule:xena_system_admin_or_project_member'

rules = [
    policy.RuleDefault('context_is_admin', 'role:admin',
                       description='Decides who is an administrator.'),
    policy.RuleDefault('admin_api',
                       'is_admin:True or (role:admin and '
                       'is_admin_project:True)',
                       description='Default rule for administrative APIs.'),
    policy.RuleDefault('xena_system_admin_or_project_reader',
                       'role:admin or (role:reader and '
                       'project_id:%(project_id)s)',
                       description='Any admin, or a reader of the project '
                                   'that owns the resource.'),
    policy.RuleDefault('xena_system_admin_or_project_member',
                       'role:admin or (role:member and '
                       'project_id:%(project_id)s)',
                       description='Any admin, or a member of the project '
                                   'that owns the resource.'),
]


def list_rules():
    return rules
