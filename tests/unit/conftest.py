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
"""Unit fixtures: a fresh configuration, SQLite in a temporary directory,
and the app built by the same load_app every launcher uses."""

import os

import pytest
import webob

from cinder.api import app as api_app
import cinder.conf
from cinder.db import api as db_api
from cinder.volume import embedded
from tests.unit import db_fixtures


@pytest.fixture(autouse=True)
def _no_volume_service_on_first_request(monkeypatch):
    """The embedded volume service starts with the first volume operation
    only, so tests of other resources see no volume services."""
    from cinder.api.v3 import router
    monkeypatch.setattr(router.APIRouter, 'start_embedded_service', False)


@pytest.fixture
def conf(tmp_path, monkeypatch):
    """cinder.conf.CONF parsed from nothing (the embedded defaults), with
    state_path under tmp_path; overrides are undone after the test."""
    monkeypatch.setenv('XDG_STATE_HOME', str(tmp_path / 'state'))
    for name in list(os.environ):
        if name.startswith('OS_'):
            monkeypatch.delenv(name)
    conf = cinder.conf.CONF
    conf.reset()
    cinder.conf.parse(conf, [], default_config_files=[])
    conf.set_override('state_path', str(tmp_path))
    conf.set_override('max_retries', 0, group='database')
    # The repository's paste file, not a copy installed in the prefix.
    conf.set_override('api_paste_config', os.path.join(
        ROOT, 'etc', 'cinder', 'api-paste.ini'))
    yield conf
    embedded.stop()
    db_api.dispose()
    conf.reset()  # also drops every override and set_default


@pytest.fixture
def app(conf):
    return api_app.load_app(conf)


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
PROJECT = '0123456789abcdef0123456789abcdef'
OTHER_PROJECT = 'fedcba9876543210fedcba9876543210'

# Keystone personas (with its implied roles admin > member > reader).
PERSONAS = {
    'admin': (['admin', 'member', 'reader'], PROJECT),
    'member': (['member', 'reader'], PROJECT),
    'reader': (['reader'], PROJECT),
    'other_member': (['member', 'reader'], OTHER_PROJECT),
}


@pytest.fixture
def v3(app, conf):
    """Call the v3 router as a Keystone persona (no auth middleware), the
    way CinderKeystoneContext hands requests to it."""
    from cinder.api.v3 import router
    from cinder import context
    from cinder import policy

    api = router.APIRouter(conf)

    def send(method, path, persona='admin', body=None, headers=None):
        roles, project = PERSONAS[persona]
        ctx = context.RequestContext(user_id=persona, project_id=project,
                                     roles=roles, overwrite=False)
        ctx.is_admin = policy.check_is_admin(ctx)
        req = webob.Request.blank(path, method=method,
                                  headers=headers or {})
        if body is not None:
            req.json_body = body
        req.environ['cinder.context'] = ctx
        return req.get_response(api)
    return send


@pytest.fixture
def request_app(app):
    """Send a request to the app; loopback by default, like a local client."""
    def send(path, method='GET', headers=None, body=None, base_url=None,
             remote_addr='127.0.0.1'):
        req = webob.Request.blank(path, method=method, headers=headers or {},
                                  base_url=base_url, remote_addr=remote_addr)
        if body is not None:
            req.body = body if isinstance(body, bytes) else body.encode()
        return req.get_response(app)
    return send


@pytest.fixture(params=db_fixtures.BACKENDS)
def database(request, conf, tmp_path):
    """Configure the DB layer on an empty database of each backend."""
    gen = db_fixtures.temporary_database(request.param, tmp_path)
    url = next(gen)
    conf.set_override('connection', url, group='database')
    db_api.configure(conf)
    yield request.param
    db_api.dispose()
    next(gen, None)


def version(text):
    return {'OpenStack-API-Version': 'volume ' + text}
