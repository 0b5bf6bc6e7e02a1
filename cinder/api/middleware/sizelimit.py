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

import io

from oslo_middleware import sizelimit

from cinder.api import faults


# A body up to this much over the limit is read and dropped before the 413:
# a server that closes the connection on an unread body (gunicorn) would
# make a proxy still sending it (nginx) answer 502 instead.
DRAIN_MARGIN = 1024 * 1024


class RequestBodySizeLimiter(sizelimit.RequestBodySizeLimiter):
    """A plain WSGI filter (it runs on every request)."""

    def __call__(self, environ, start_response):
        max_size = self._conf_get('max_request_body_size')
        length = _content_length(environ)
        if length is not None and length > max_size:
            if length <= max_size + DRAIN_MARGIN:
                _drain(environ['wsgi.input'], length)
            return faults.fault_response(
                413, 'Request is too large. Larger than '
                     'max_request_body_size (%d).' % max_size,
            )(environ, start_response)
        if length is None:
            _limit_unsized_body(environ, max_size)
        return self.application(environ, start_response)


def _content_length(environ):
    """CONTENT_LENGTH as webob reads it: None when absent or not a number."""
    try:
        return int(environ.get('CONTENT_LENGTH') or '')
    except ValueError:
        return None


def _limit_unsized_body(environ, max_size):
    """What webob's ``req.body_file = LimitingReader(req.body_file, ...)``
    does to the environ, without building a request."""
    readable = environ.get('wsgi.input_terminated',
                           environ.get('webob.is_body_readable', False))
    body = environ['wsgi.input'] if readable else io.BytesIO()
    environ.pop('CONTENT_LENGTH', None)
    environ['wsgi.input'] = sizelimit.LimitingReader(body, max_size)
    environ['webob.is_body_seekable'] = False
    environ['webob.is_body_readable'] = True


def _drain(body, length, chunk=65536):
    while length > 0:
        data = body.read(min(chunk, length))
        if not data:
            return
        length -= len(data)
