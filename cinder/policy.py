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
"""The policy enforcer: in-code defaults (cinder/policies), policy.yaml wins.

Built once per configuration by init(conf), which load_app calls; handlers
check rules through RequestContext.can().
"""

from oslo_policy import policy as oslo_policy

from cinder import exception
from cinder import policies

_enforcer = None


def init(conf):
    """(Re)build the enforcer for *conf*, registering every default."""
    global _enforcer
    enforcer = oslo_policy.Enforcer(conf)
    enforcer.register_defaults(policies.list_rules())
    enforcer.load_rules()
    _enforcer = enforcer
    return enforcer


def get_enforcer():
    """Entry point oslo.policy.enforcer, for oslopolicy-* tools."""
    import cinder.conf
    cinder.conf.register_opts(cinder.conf.CONF)
    return init(cinder.conf.CONF)


def authorize(context, action, target):
    """Raise PolicyNotAuthorized unless *context* may do *action*."""
    try:
        return _enforcer.authorize(action, target, context,
                                   do_raise=True,
                                   exc=exception.PolicyNotAuthorized,
                                   action=action)
    except oslo_policy.PolicyNotRegistered:
        raise exception.PolicyNotAuthorized(action=action)


def check_is_admin(context):
    """Whether *context*'s roles make it an admin (rule context_is_admin)."""
    return _enforcer.authorize('context_is_admin', {}, context)
