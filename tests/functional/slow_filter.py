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
"""A paste filter for tests only: delays a request by X-Test-Delay seconds.

It lets the functional tests have a request in flight while they signal the
server. It is inserted by the tests' own copy of api-paste.ini, never by the
shipped one. time.sleep is green under cinder-api (monkey-patched) and a
plain sleep in a WSGI server's worker, as a slow handler would be.
"""

import time


def filter_factory(global_config, **local_config):
    def make(app):
        def delayed(environ, start_response):
            delay = float(environ.get('HTTP_X_TEST_DELAY') or 0)
            if delay:
                time.sleep(min(delay, 30))
            return app(environ, start_response)
        return delayed
    return make
