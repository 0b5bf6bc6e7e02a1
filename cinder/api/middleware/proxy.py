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
"""X-Forwarded-* and Forwarded headers ([oslo_middleware]
enable_proxy_headers_parsing), as oslo.middleware's HTTPProxyToWSGI.

oslo's filter only rewrites the environ before the request goes on, but its
base class wraps every request and response in webob objects and inspects a
signature on the way back (a sixth of the CPU of ``GET /v3/``). This filter
lets oslo's process_request rewrite the environ and calls the application
directly. With parsing off (the default) the request is passed straight on.
The option is read per request, as oslo reads it.
"""

from oslo_middleware import http_proxy_to_wsgi
import webob


class HTTPProxyToWSGI(http_proxy_to_wsgi.HTTPProxyToWSGI):
    def __call__(self, environ, start_response):
        if self._conf_get('enable_proxy_headers_parsing'):
            self.process_request(webob.Request(environ))
        return self.application(environ, start_response)
