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

A decision depends only on the rule, the caller's credentials and the
target, so decisions are remembered; the rules files are re-read (and the
remembered decisions dropped) at most once per RELOAD_SECONDS. oslo.policy
alone stats the policy files and inspects every check's signature on each
call, which was a fifth of the time of a volume show.
"""

import time

from oslo_policy import policy as oslo_policy

from cinder import exception
from cinder import policies

# How stale a policy.yaml change may be, in seconds.
RELOAD_SECONDS = 1.0
# Decisions kept at most (distinct rule x credentials x target).
MAX_DECISIONS = 10000

_enforcer = None
_decisions = {}
_next_reload = [0.0]


def init(conf):
    """(Re)build the enforcer for *conf*, registering every default."""
    global _enforcer
    enforcer = oslo_policy.Enforcer(conf)
    enforcer.register_defaults(policies.list_rules())
    enforcer.load_rules()
    _enforcer = enforcer
    _decisions.clear()
    _next_reload[0] = time.monotonic() + RELOAD_SECONDS
    return enforcer


def _frozen(values):
    return tuple(sorted(
        (key, tuple(value) if isinstance(value, list) else value)
        for key, value in values.items()))


def _credentials(context):
    """The policy values of *context* and their hashable form, computed once
    per context: a request checks several rules with one identity. Only
    is_admin changes after a first check (the keystone filter sets it from
    one), so a change of it computes them again."""
    cached = getattr(context, '_policy_credentials', None)
    if cached is None or cached[0] != context.is_admin:
        creds = context.to_policy_values()
        cached = (context.is_admin, creds, _frozen(creds))
        context._policy_credentials = cached
    return cached[1], cached[2]


def _decide(action, target, context):
    now = time.monotonic()
    if now >= _next_reload[0]:
        _next_reload[0] = now + RELOAD_SECONDS
        _enforcer.load_rules()
        _decisions.clear()
    creds, frozen_creds = _credentials(context)
    try:
        key = (action, frozen_creds, _frozen(target))
        return _decisions[key]
    except TypeError:  # an unhashable value: decide without remembering
        return _enforcer.authorize(action, target, creds)
    except KeyError:
        pass
    allowed = bool(_enforcer.authorize(action, target, creds))
    if len(_decisions) >= MAX_DECISIONS:
        _decisions.clear()
    _decisions[key] = allowed
    return allowed


def get_enforcer():
    """Entry point oslo.policy.enforcer, for oslopolicy-* tools."""
    import cinder.conf
    cinder.conf.register_opts(cinder.conf.CONF)
    return init(cinder.conf.CONF)


def authorize(context, action, target):
    """Raise PolicyNotAuthorized unless *context* may do *action*."""
    try:
        allowed = _decide(action, target, context)
    except oslo_policy.PolicyNotRegistered:
        allowed = False
    if not allowed:
        raise exception.PolicyNotAuthorized(action=action)
    return True


def check_is_admin(context):
    """Whether *context*'s roles make it an admin (rule context_is_admin)."""
    return _decide('context_is_admin', {}, context)
