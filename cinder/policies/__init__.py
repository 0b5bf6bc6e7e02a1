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
"""Policy defaults, one module per resource, named as Cinder names them."""

import itertools

from cinder.policies import base
from cinder.policies import default_types
from cinder.policies import messages
from cinder.policies import quotas
from cinder.policies import services
from cinder.policies import snapshots
from cinder.policies import volume_types
from cinder.policies import volumes


def list_rules():
    """Entry point oslo.policy.policies: every default rule."""
    return list(itertools.chain(
        base.list_rules(),
        default_types.list_rules(),
        messages.list_rules(),
        quotas.list_rules(),
        services.list_rules(),
        snapshots.list_rules(),
        volume_types.list_rules(),
        volumes.list_rules(),
    ))
