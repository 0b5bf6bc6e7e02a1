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
"""Error responses: the one place that formats Cinder's JSON fault body.

Every error of the API, whether raised by a handler, the router, a
middleware or an unexpected bug, becomes
``{"<faultName>": {"code": <int>, "message": "<text>"}}``.
"""

import webob.exc

from cinder.api import microversions
from cinder.api import wsgi
from cinder import exception

FAULT_NAMES = {
    400: 'badRequest',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'itemNotFound',
    405: 'badMethod',
    409: 'conflictingRequest',
    413: 'overLimit',
    415: 'badMediaType',
    429: 'overLimit',
    501: 'notImplemented',
    503: 'serviceUnavailable',
}
# Cinder has no friendly name for other codes (406, 500 ...).
DEFAULT_FAULT_NAME = 'computeFault'

GENERIC_500 = ('The server has either erred or is incapable of performing '
               'the requested operation.')


def fault_response(code, message, headers=None, **extra):
    """A webob Response carrying the fault body for *code*."""
    fault = {'code': code, 'message': message}
    fault.update(extra)
    return wsgi.json_response({FAULT_NAMES.get(code, DEFAULT_FAULT_NAME):
                               fault}, status=code, headers=headers)


def from_exception(error):
    """The fault response for a domain or webob HTTP exception."""
    if isinstance(error, exception.CinderException):
        message = error.msg
        if error.code >= 500 and not error.safe:
            message = GENERIC_500
        extra = {'retryAfter': '0'} if error.code == 413 else {}
        return fault_response(error.code, message, headers=error.headers,
                              **extra)
    if isinstance(error, webob.exc.HTTPException):
        headers = {}
        if 'Allow' in error.headers:
            headers['Allow'] = error.headers['Allow']
        message = error.detail or error.explanation or error.title
        return fault_response(error.code, message, headers=headers)
    return fault_response(500, GENERIC_500)


def versioned(req, produce):
    """Negotiate the microversion of *req*, answer with *produce*() and echo
    the version on that answer, errors included. A malformed or unsupported
    version is answered without the echo: there is no version to echo."""
    try:
        version = microversions.from_headers(req.headers)
    except exception.CinderException as error:
        return from_exception(error)
    req.environ['cinder.api_version'] = version
    response = produce()
    response.headers.update(microversions.response_headers(version))
    return response
