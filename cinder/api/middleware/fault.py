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
"""The last line of defence: any uncaught exception becomes a JSON fault.

A plain WSGI filter: it runs on every request, and wrapping the answer in
webob request and response objects cost more than the try block itself.
"""

from oslo_log import log as logging
import webob.exc

from cinder.api import faults
from cinder.api import middleware
from cinder import exception

LOG = logging.getLogger(__name__)


class FaultWrapper(middleware.Filter):
    def __call__(self, environ, start_response):
        try:
            return self.application(environ, start_response)
        except (exception.CinderException, webob.exc.HTTPException) as error:
            fault = faults.from_exception(error)
        except Exception:
            LOG.exception('Caught error handling %s %s',
                          environ.get('REQUEST_METHOD'),
                          environ.get('SCRIPT_NAME', '')
                          + environ.get('PATH_INFO', ''))
            fault = faults.fault_response(500, faults.GENERIC_500)
        return fault(environ, start_response)
