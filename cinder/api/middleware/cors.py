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
"""CORS from the [cors] section of the configuration already parsed.

oslo.middleware's paste factories want allowed_origin in the paste file or
oslo_config_project, which re-reads configuration from the default places
and misses OS_CINDER_CONFIG_DIR; this hands it our configuration instead.
Inactive until [cors] allowed_origin is set, except that, as in Cinder, a
preflight (OPTIONS) request is answered 200 whatever the route.

A request that is neither a preflight nor carries an Origin header is passed
straight on: oslo's filter would leave its answer unchanged, after building
webob objects around it and inspecting a signature, on every request.
"""

from oslo_middleware import cors

import cinder.conf

ALLOW_HEADERS = ['X-Auth-Token', 'X-Identity-Status', 'X-Roles',
                 'X-Service-Catalog', 'X-User-Id', 'X-Tenant-Id',
                 'X-OpenStack-Request-ID', 'OpenStack-API-Version']
EXPOSE_HEADERS = ['X-Auth-Token', 'X-Subject-Token', 'X-Service-Token',
                  'X-OpenStack-Request-ID', 'OpenStack-API-Version']
ALLOW_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH']


class CORS(cors.CORS):
    def __call__(self, environ, start_response):
        if (environ.get('REQUEST_METHOD') == 'OPTIONS'
                or 'HTTP_ORIGIN' in environ):
            return super().__call__(environ, start_response)
        return self.application(environ, start_response)


def filter_factory(global_config, **local_config):
    cors.set_defaults(allow_headers=ALLOW_HEADERS,
                      expose_headers=EXPOSE_HEADERS,
                      allow_methods=ALLOW_METHODS)
    return lambda app: CORS(app, cinder.conf.CONF)
