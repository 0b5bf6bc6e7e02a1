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
"""The hello-world ceiling: the least a WSGI application can do.

The benchmark serves it in place of the API through the same launcher,
server, sample configuration and worker count (an api-paste.ini whose
``osapi_volume`` is this app), so the gap between it and a real request is
the application's own cost, not the server's.
"""

BODY = b'{"hello": "world"}'
HEADERS = [('Content-Type', 'application/json'),
           ('Content-Length', str(len(BODY)))]


def application(environ, start_response):
    start_response('200 OK', list(HEADERS))
    return [BODY]


def app_factory(global_config, **local_config):
    return application


PASTE_CONFIG = """[app:osapi_volume]
paste.app_factory = %s:app_factory
"""
