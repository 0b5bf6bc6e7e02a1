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
"""One oslo.log line per request, in every deployment mode.

WSGI servers log requests in their own formats and places (or not at all:
the sample uWSGI and gunicorn configurations turn their access logs off).
This filter writes the same line wherever oslo.log is configured to write
(standard error, ``log_file``, the journal), with the request id, so one
request can be followed from the access line to the messages it caused::

    INFO cinder.api.middleware.requestlog [req-... user project ...]
        127.0.0.1 "GET /v3/extensions" status: 200 len: 17 time: 0.0042

The line is written when the response has been sent (or the client went
away), so its time covers the whole response. It sits right after
``request_id`` in api-paste.ini, so errors turned into faults further in
are logged with their final status too.
"""

import time

from oslo_context import context as oslo_context
from oslo_log import log as logging

from cinder.api import middleware

LOG = logging.getLogger(__name__)

CONTEXT_KEY = 'cinder.context'
REQUEST_ID_KEY = 'openstack.request_id'


def _path(environ):
    path = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
    query = environ.get('QUERY_STRING')
    return path + ('?' + query if query else '')


class _LoggedBody:
    """Wraps the response iterable: counts bytes, logs on close()."""

    def __init__(self, body, finish):
        self._body = body
        self._finish = finish
        self.length = 0

    def __iter__(self):
        for chunk in self._body:
            self.length += len(chunk)
            yield chunk

    def close(self):
        try:
            close = getattr(self._body, 'close', None)
            if close is not None:
                close()
        finally:
            self._finish(self.length)


class RequestLog(middleware.Filter):
    def __call__(self, environ, start_response):
        started = time.monotonic()
        # Now: filters further in rewrite SCRIPT_NAME (X-Forwarded-Prefix).
        request = (environ.get('REQUEST_METHOD', '-'), _path(environ))
        state = {'status': None}

        def logging_start_response(status, headers, exc_info=None):
            state['status'] = status.split(' ', 1)[0]
            return start_response(status, headers, exc_info)

        def finish(length):
            self._log(environ, request, state['status'] or '-', length,
                      time.monotonic() - started)

        try:
            body = self.application(environ, logging_start_response)
        except Exception:
            # Nothing turned the error into a response (faultwrap does, so
            # this is a bug further in): log it, let the server answer 500.
            finish(0)
            raise
        return _LoggedBody(body, finish)

    @staticmethod
    def _log(environ, request, status, length, duration):
        context = environ.get(CONTEXT_KEY)
        if context is None:
            # No caller identity yet (discovery, health check, a fault
            # before authentication): the request id alone. overwrite=False
            # leaves the thread's current context alone.
            context = oslo_context.RequestContext(
                request_id=environ.get(REQUEST_ID_KEY), overwrite=False)
        LOG.info('%(remote)s "%(method)s %(path)s" status: %(status)s '
                 'len: %(length)d time: %(time).4f',
                 {'remote': environ.get('REMOTE_ADDR', '-'),
                  'method': request[0], 'path': request[1],
                  'status': status, 'length': length, 'time': duration},
                 context=context)


filter_factory = RequestLog.factory
