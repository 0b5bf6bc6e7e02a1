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
"""The last line of defence: any uncaught exception becomes a JSON fault."""

from oslo_log import log as logging
import webob.dec
import webob.exc

from cinder.api import faults
from cinder.api import middleware
from cinder import exception

LOG = logging.getLogger(__name__)


class FaultWrapper(middleware.Filter):
    @webob.dec.wsgify
    def __call__(self, req):
        try:
            return req.get_response(self.application)
        except (exception.CinderException, webob.exc.HTTPException) as error:
            return faults.from_exception(error)
        except Exception:
            LOG.exception('Caught error handling %s %s', req.method, req.path)
            return faults.fault_response(500, faults.GENERIC_500)
