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
"""Version discovery: GET / (300) and GET /v3, /v3/ (200), without auth.

Links point where the client came from: the request URL as rewritten by
http_proxy_to_wsgi behind a proxy, or public_endpoint when it is set.
"""

import re

import webob.dec
import webob.exc

from cinder.api import faults
from cinder.api import microversions
from cinder.api import wsgi
import cinder.conf

UPDATED = '2023-08-31T00:00:00Z'
_VERSION_SUFFIX = re.compile(r'/v\d+(\.\d+)?/?$')


def version_document(base_url):
    """The single v3 entry clients parse, with links under *base_url*."""
    base = _VERSION_SUFFIX.sub('', base_url.rstrip('/'))
    return {'versions': [{
        'id': 'v3.0',
        'status': 'CURRENT',
        'version': microversions.MAX_VERSION,
        'min_version': microversions.MIN_VERSION,
        'updated': UPDATED,
        'links': [
            {'rel': 'describedby', 'type': 'text/html',
             'href': 'https://docs.openstack.org/'},
            {'rel': 'self', 'href': base + '/v3/'},
        ],
        'media-types': [{
            'base': 'application/json',
            'type': 'application/vnd.openstack.volume+json;version=3',
        }],
    }]}


class Versions:
    """The app behind the '/' pipeline; also answers /v3 and /v3/."""

    def __init__(self, conf):
        self.conf = conf

    @classmethod
    def factory(cls, global_config, **local_config):
        """paste.app_factory, named as Cinder's."""
        return cls(cinder.conf.CONF)

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req):
        return faults.versioned(req, lambda: self._answer(req))

    def _answer(self, req):
        if req.path_info not in ('', '/'):
            return faults.fault_response(
                404, 'The resource could not be found.')
        if req.method not in ('GET', 'HEAD'):
            return faults.from_exception(webob.exc.HTTPMethodNotAllowed(
                detail='The method %s is not allowed for this resource.'
                       % req.method,
                headers={'Allow': 'GET, HEAD'}))
        base = self.conf.public_endpoint or req.application_url
        # Mounted at /v3 the document is the answer (200); at the root it
        # is a choice between versions (300).
        at_v3 = _VERSION_SUFFIX.search(req.script_name or '/') is not None
        return wsgi.json_response(version_document(base),
                                  status=200 if at_v3 else 300)
