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
"""Policies of user messages."""

from oslo_policy import policy

from cinder.policies import base

GET = 'message:get'
GET_ALL = 'message:get_all'
DELETE = 'message:delete'

rules = [
    policy.DocumentedRuleDefault(
        name=GET, check_str=base.READER, description='Show a message.',
        operations=[{'method': 'GET', 'path': '/messages/{message_id}'}]),
    policy.DocumentedRuleDefault(
        name=GET_ALL, check_str=base.READER, description='List messages.',
        operations=[{'method': 'GET', 'path': '/messages'}]),
    policy.DocumentedRuleDefault(
        name=DELETE, check_str=base.MEMBER, description='Delete a message.',
        operations=[{'method': 'DELETE',
                     'path': '/messages/{message_id}'}]),
]


def list_rules():
    return rules
