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
"""Authentication filters and the pipeline chosen by auth_strategy.

The filters are plain WSGI: they run on every request, and building webob
request and response objects cost more than what they do.
"""

import ipaddress

from oslo_log import log as logging

from cinder.api import faults
from cinder.api import middleware
from cinder.api import wsgi
import cinder.conf
from cinder import context
from cinder import policy

LOG = logging.getLogger(__name__)


def pipeline_factory(loader, global_conf, **local_conf):
    """paste composite factory: the pipeline named by auth_strategy."""
    strategy = cinder.conf.CONF.auth_strategy
    if strategy not in local_conf:
        raise ValueError('api-paste.ini has no pipeline for auth_strategy '
                         '%r' % strategy)
    names = local_conf[strategy].split()
    filters = [loader.get_filter(name) for name in names[:-1]]
    app = loader.get_app(names[-1])
    for filter_ in reversed(filters):
        app = filter_(app)
    return app


def _is_loopback(address):
    try:
        return ipaddress.ip_address(address or '').is_loopback
    except ValueError:
        # A unix socket (nginx, Apache) has no IP address: local by nature.
        return not address


class NoAuthMiddleware:
    """Development auth: trust X-Auth-Token as ``user:project``.

    As in Cinder, every caller is an admin. A request without a token acts
    as admin:admin, so plain curl works. Under the embedded defaults (no
    configuration file) only loopback clients are served, whatever address
    the server was told to bind.
    """

    def __init__(self, application, conf):
        self.application = application
        self.loopback_only = cinder.conf.uses_embedded_defaults(conf)

    @classmethod
    def factory(cls, global_config, **local_config):
        return lambda app: cls(app, cinder.conf.CONF)

    def __call__(self, environ, start_response):
        if self.loopback_only and not _is_loopback(environ.get('REMOTE_ADDR')):
            return faults.fault_response(
                403, 'noauth without a configuration file serves loopback '
                     'clients only; configure auth_strategy to serve others.',
            )(environ, start_response)
        token = environ.get('HTTP_X_AUTH_TOKEN') or 'admin:admin'
        user_id, _sep, project_id = token.partition(':')
        project_id = project_id or user_id
        environ[wsgi.CONTEXT_KEY] = context.RequestContext(
            auth_token=token,
            user_id=user_id,
            project_id=project_id,
            is_admin=True,
            roles=['admin', 'member', 'reader'],
            request_id=environ.get('openstack.request_id'),
            global_request_id=environ.get('openstack.global_request_id'),
            overwrite=False)
        return self.application(environ, start_response)


class CinderKeystoneContext(middleware.Filter):
    """Build the context from the headers keystonemiddleware set."""

    def __call__(self, environ, start_response):
        if environ.get('HTTP_X_IDENTITY_STATUS', 'Confirmed') != 'Confirmed':
            return faults.fault_response(401, 'Authentication required')(
                environ, start_response)
        ctx = context.RequestContext.from_environ(environ, overwrite=False)
        if not ctx.user_id or not ctx.project_id:
            # A valid token (system or domain scoped) that can not act on
            # projects: 403, since authenticating again would not help.
            return faults.fault_response(
                403, 'The Block Storage API needs a project-scoped token.',
            )(environ, start_response)
        ctx.is_admin = policy.check_is_admin(ctx)
        environ[wsgi.CONTEXT_KEY] = ctx
        return self.application(environ, start_response)
