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
"""GET /resource_filters (3.33): which list filters non-admins may use.

The answer is built from the same tables the list handlers enforce, at
the requested microversion, so it cannot drift from what they accept.
"""

from cinder.api import common
from cinder.api.v3 import messages
from cinder.api.v3 import snapshots
from cinder.api.v3 import volumes
from cinder.api import wsgi


def list_resource_filters(req):
    """GET /resource_filters[?resource=]: 200; no policy, as in Cinder."""
    version = req.api_version
    filters = {
        'volume': common.user_filters(version, volumes.USER_FILTERS),
        'snapshot': common.user_filters(version, snapshots.USER_FILTERS),
        'message': list(messages.FILTERS),
        'volume_type': [],
    }
    wanted = req.GET.get('resource')
    body = [{'resource': name, 'filters': keys}
            for name, keys in filters.items()
            if wanted is None or name == wanted]
    return wsgi.json_response({'resource_filters': body})
