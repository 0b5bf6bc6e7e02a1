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
"""One log line per request, with the request id and the final status."""

import logging

import webob

from cinder.api.middleware import requestlog


def _lines(caplog):
    return [r for r in caplog.records
            if r.name == 'cinder.api.middleware.requestlog']


def test_one_line_with_status_length_and_id(caplog):
    def app(environ, start_response):
        start_response('202 Accepted', [('Content-Type', 'text/plain')])
        return [b'abc', b'de']

    caplog.set_level(logging.INFO)
    req = webob.Request.blank('/v3/types?is_public=None', method='POST',
                              remote_addr='192.0.2.1')
    req.environ['openstack.request_id'] = 'req-1234'
    response = req.get_response(requestlog.RequestLog(app))
    assert response.body == b'abcde'
    (record,) = _lines(caplog)
    message = record.getMessage()
    assert message.startswith(
        '192.0.2.1 "POST /v3/types?is_public=None" status: 202 len: 5 '
        'time: ')
    assert record.context.request_id == 'req-1234'


def test_crash_below_is_still_logged(caplog):
    def app(environ, start_response):
        raise RuntimeError('bug')

    caplog.set_level(logging.INFO)
    req = webob.Request.blank('/v3/x')
    try:
        req.get_response(requestlog.RequestLog(app))
    except RuntimeError:
        pass
    (record,) = _lines(caplog)
    assert '"GET /v3/x" status: - len: 0' in record.getMessage()


def test_request_line_of_the_whole_app(request_app, caplog):
    caplog.set_level(logging.INFO)
    response = request_app('/v3/extensions')
    # The line is written when the server has sent the body and closed it.
    assert response.body
    lines = [r.getMessage() for r in _lines(caplog)]
    assert len(lines) == 1
    assert '"GET /v3/extensions" status: 200' in lines[0]
    assert response.headers['x-openstack-request-id']
