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

With parsing off (the default) the request is passed straight on: oslo's
filter would do nothing to it, after building webob objects around it and
inspecting a signature, on every request. With parsing on, oslo's filter
does the work. The option is read per request, as oslo reads it.
"""

from oslo_middleware import http_proxy_to_wsgi


class HTTPProxyToWSGI(http_proxy_to_wsgi.HTTPProxyToWSGI):
    def __call__(self, environ, start_response):
        if self._conf_get('enable_proxy_headers_parsing'):
            return super().__call__(environ, start_response)
        return self.application(environ, start_response)
