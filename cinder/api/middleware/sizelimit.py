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
"""Request body size limit ([oslo_middleware] max_request_body_size).

oslo.middleware's limiter and option, answering with Cinder's 413 fault body
instead of webob's page. A chunked body without Content-Length is cut while
it is read; the router turns that into the same fault.
"""

from oslo_middleware import sizelimit
import webob.dec

from cinder.api import faults


# A body up to this much over the limit is read and dropped before the 413:
# a server that closes the connection on an unread body (gunicorn) would
# make a proxy still sending it (nginx) answer 502 instead.
DRAIN_MARGIN = 1024 * 1024


class RequestBodySizeLimiter(sizelimit.RequestBodySizeLimiter):

    @webob.dec.wsgify
    def __call__(self, req):
        max_size = self._conf_get('max_request_body_size')
        if req.content_length is not None and req.content_length > max_size:
            if req.content_length <= max_size + DRAIN_MARGIN:
                _drain(req.body_file_raw, req.content_length)
            return faults.fault_response(
                413, 'Request is too large. Larger than '
                     'max_request_body_size (%d).' % max_size)
        if req.content_length is None:
            req.body_file = sizelimit.LimitingReader(req.body_file, max_size)
        return req.get_response(self.application)


def _drain(body, length, chunk=65536):
    while length > 0:
        data = body.read(min(chunk, length))
        if not data:
            return
        length -= len(data)
