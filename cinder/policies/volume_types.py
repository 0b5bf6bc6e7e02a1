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
"""Policies of volume types, their extra specs and their project access."""

from oslo_policy import policy

from cinder.policies import base

GET = 'volume_extension:type_get'
GET_ALL = 'volume_extension:type_get_all'
CREATE = 'volume_extension:type_create'
UPDATE = 'volume_extension:type_update'
DELETE = 'volume_extension:type_delete'
QOS_SPECS_ID = 'volume_extension:access_types_qos_specs_id'
EXTRA_SPECS_IN_VIEW = 'volume_extension:access_types_extra_specs'
SPECS_INDEX = 'volume_extension:types_extra_specs:index'
SPECS_SHOW = 'volume_extension:types_extra_specs:show'
SPECS_CREATE = 'volume_extension:types_extra_specs:create'
SPECS_UPDATE = 'volume_extension:types_extra_specs:update'
SPECS_DELETE = 'volume_extension:types_extra_specs:delete'
SPECS_READ_SENSITIVE = 'volume_extension:types_extra_specs:read_sensitive'
IS_PUBLIC_IN_VIEW = 'volume_extension:volume_type_access'
ADD_PROJECT = 'volume_extension:volume_type_access:addProjectAccess'
REMOVE_PROJECT = 'volume_extension:volume_type_access:removeProjectAccess'
LIST_PROJECTS = 'volume_extension:volume_type_access:get_all_for_type'


def _rule(name, check, description, *operations):
    return policy.DocumentedRuleDefault(
        name=name, check_str=check, description=description,
        operations=[{'method': method, 'path': path}
                    for method, path in operations])


rules = [
    _rule(GET, base.READER, 'Show a volume type.',
          ('GET', '/types/{type_id}'), ('GET', '/types/default')),
    _rule(GET_ALL, base.READER, 'List volume types.', ('GET', '/types')),
    _rule(CREATE, base.RULE_ADMIN_API, 'Create a volume type.',
          ('POST', '/types')),
    _rule(UPDATE, base.RULE_ADMIN_API, 'Update a volume type.',
          ('PUT', '/types/{type_id}')),
    _rule(DELETE, base.RULE_ADMIN_API, 'Delete a volume type.',
          ('DELETE', '/types/{type_id}')),
    _rule(QOS_SPECS_ID, base.RULE_ADMIN_API,
          'Show qos_specs_id in volume type views.',
          ('GET', '/types/{type_id}'), ('GET', '/types')),
    _rule(EXTRA_SPECS_IN_VIEW, base.READER,
          'Show extra_specs in volume type views.',
          ('GET', '/types/{type_id}'), ('GET', '/types')),
    _rule(SPECS_INDEX, base.READER, 'List the extra specs of a type.',
          ('GET', '/types/{type_id}/extra_specs')),
    _rule(SPECS_SHOW, base.READER, 'Show one extra spec of a type.',
          ('GET', '/types/{type_id}/extra_specs/{key}')),
    _rule(SPECS_CREATE, base.RULE_ADMIN_API, 'Add or change extra specs.',
          ('POST', '/types/{type_id}/extra_specs')),
    _rule(SPECS_UPDATE, base.RULE_ADMIN_API, 'Change one extra spec.',
          ('PUT', '/types/{type_id}/extra_specs/{key}')),
    _rule(SPECS_DELETE, base.RULE_ADMIN_API, 'Delete one extra spec.',
          ('DELETE', '/types/{type_id}/extra_specs/{key}')),
    _rule(SPECS_READ_SENSITIVE, base.RULE_ADMIN_API,
          'See every extra spec, not only the user-visible ones.',
          ('GET', '/types/{type_id}/extra_specs')),
    _rule(IS_PUBLIC_IN_VIEW, base.MEMBER,
          'Show os-volume-type-access:is_public in volume type views.',
          ('GET', '/types/{type_id}'), ('GET', '/types')),
    _rule(ADD_PROJECT, base.RULE_ADMIN_API,
          'Give a project access to a private type.',
          ('POST', '/types/{type_id}/action (addProjectAccess)')),
    _rule(REMOVE_PROJECT, base.RULE_ADMIN_API,
          'Take a project access to a private type away.',
          ('POST', '/types/{type_id}/action (removeProjectAccess)')),
    _rule(LIST_PROJECTS, base.RULE_ADMIN_API,
          'List the projects that may use a private type.',
          ('GET', '/types/{type_id}/os-volume-type-access')),
]


def list_rules():
    return rules
