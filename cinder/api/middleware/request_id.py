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
"""x-openstack-request-id, plus the x-compute-request-id cinderclient reads.

Behaves as oslo.middleware's RequestId (a new id per request in
``openstack.request_id``; a well-formed inbound X-Openstack-Request-Id
kept as ``openstack.global_request_id``), as a plain WSGI filter: the
outermost filter runs on every request, and building webob request and
response objects here cost more than the rest of the filter.
"""

import re

from oslo_context import context

from cinder.api import middleware

ENV_REQUEST_ID = 'openstack.request_id'
ENV_GLOBAL_REQUEST_ID = 'openstack.global_request_id'
INBOUND = 'HTTP_X_OPENSTACK_REQUEST_ID'
RESPONSE_HEADERS = ('x-openstack-request-id', 'x-compute-request-id')
GLOBAL_ID = re.compile(r'^req-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-'
                       r'[a-f0-9]{4}-[a-f0-9]{12}$')


class RequestId(middleware.Filter):
    def __call__(self, environ, start_response):
        global_id = environ.get(INBOUND)
        if global_id and GLOBAL_ID.match(global_id):
            environ[ENV_GLOBAL_REQUEST_ID] = global_id
        request_id = context.generate_request_id()
        environ[ENV_REQUEST_ID] = request_id

        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers = list(headers) + [
                (name, request_id) for name in RESPONSE_HEADERS
                if name not in present]
            return start_response(status, headers, exc_info)

        return self.application(environ, start)
