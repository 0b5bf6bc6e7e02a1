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
"""The request context: who is calling, for which project, with which roles."""

from oslo_context import context

from cinder import exception
from cinder import policy


class RequestContext(context.RequestContext):
    """oslo.context's context, plus the policy check handlers call."""

    def to_policy_values(self):
        # Cinder's admin_api rule checks is_admin; a plain dict carries it
        # without oslo.context's deprecation warning on every check.
        values = dict(super().to_policy_values())
        values['is_admin'] = self.is_admin
        return values

    def can(self, action, target=None):
        """Raise PolicyNotAuthorized (403) unless the rule allows *action*.

        The target defaults to the caller's own project and user, as in
        Cinder; pass the resource's owner to check against it.
        """
        if target is None:
            target = {'project_id': self.project_id, 'user_id': self.user_id}
        return policy.authorize(self, action, target)

    def allowed(self, action, target=None):
        """Like can(), but answers True/False."""
        try:
            self.can(action, target)
        except exception.PolicyNotAuthorized:
            return False
        return True


def get_admin_context():
    return RequestContext(is_admin=True, roles=['admin'], overwrite=False)
