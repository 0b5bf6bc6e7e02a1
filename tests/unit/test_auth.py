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
"""noauth and the Keystone pipeline (keystonemiddleware's fixture)."""

from keystonemiddleware import fixture as ksm_fixture
import pytest
import webob

from cinder.api import app as api_app

PROJECT = 'fedcba9876543210fedcba9876543210'


def test_noauth_token_names_user_and_project(request_app):
    response = request_app('/v3/%s/extensions' % PROJECT,
                           headers={'X-Auth-Token': 'alice:%s' % PROJECT})
    assert response.status_int == 200


def test_noauth_without_token_is_admin(request_app):
    assert request_app('/v3/extensions').status_int == 200


def test_embedded_noauth_refuses_remote_clients(request_app):
    response = request_app('/v3/extensions', remote_addr='192.0.2.10')
    assert response.status_int == 403
    assert 'loopback' in response.json['forbidden']['message']


def test_explicit_noauth_serves_remote_clients(conf, tmp_path):
    path = tmp_path / 'cinder.conf'
    path.write_text('[DEFAULT]\nauth_strategy = noauth\nstate_path = %s\n'
                    % tmp_path)
    conf.reset()
    import cinder.conf
    cinder.conf.parse(conf, [], default_config_files=[str(path)])
    app = api_app.load_app(conf)
    response = webob.Request.blank('/v3/extensions',
                                   remote_addr='192.0.2.10').get_response(app)
    assert response.status_int == 200


@pytest.fixture
def keystone_app(conf):
    import keystonemiddleware.auth_token  # noqa: F401 (registers options)
    conf.set_override('auth_strategy', 'keystone')
    conf.set_override('www_authenticate_uri', 'http://127.0.0.1:5000/',
                      group='keystone_authtoken')
    fixture = ksm_fixture.AuthTokenFixture()
    fixture.setUp()
    token = 'a-valid-token'
    fixture.add_token_data(token_id=token, user_id='u1', project_id=PROJECT,
                           role_list=['member', 'reader'])
    yield api_app.load_app(conf), token
    fixture.cleanUp()


def test_keystone_valid_token(keystone_app):
    app, token = keystone_app
    response = webob.Request.blank(
        '/v3/%s/extensions' % PROJECT,
        headers={'X-Auth-Token': token}).get_response(app)
    assert response.status_int == 200


def test_keystone_missing_token_is_401(keystone_app):
    app, _token = keystone_app
    response = webob.Request.blank('/v3/extensions').get_response(app)
    assert response.status_int == 401


def test_keystone_other_project_in_url_is_400(keystone_app):
    app, token = keystone_app
    response = webob.Request.blank(
        '/v3/0123456789abcdef/extensions',
        headers={'X-Auth-Token': token}).get_response(app)
    assert response.status_int == 400


def test_policy_file_overrides_a_default(conf, tmp_path):
    """Operators tighten or loosen rules in policy.yaml, named as Cinder's."""
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text('"volume_extension:type_get_all": "!"\n')
    conf.set_override('policy_file', str(policy_file), group='oslo_policy')
    response = webob.Request.blank(
        '/v3/types', remote_addr='127.0.0.1').get_response(
        api_app.load_app(conf))
    assert response.status_int == 403
    assert response.json['forbidden']['message'] == (
        "Policy doesn't allow volume_extension:type_get_all to be "
        "performed.")


def test_every_rule_is_documented():
    from cinder import policies
    names = [rule.name for rule in policies.list_rules()]
    assert len(names) == len(set(names))
    assert 'volume_extension:types_extra_specs:read_sensitive' in names


def test_token_without_project_is_403(conf):
    """A system-scoped token is valid but can not act on volumes."""
    from cinder.api.middleware import auth
    import cinder.policy
    cinder.policy.init(conf)
    app = auth.CinderKeystoneContext(lambda environ, start: None)
    response = webob.Request.blank('/v3/extensions', headers={
        'X-Identity-Status': 'Confirmed', 'X-User-Id': 'admin',
        'X-Roles': 'admin', 'OpenStack-System-Scope': 'all'}).get_response(
        app)
    assert response.status_int == 403
    assert 'project-scoped token' in response.json['forbidden']['message']


def test_explicit_noauth_is_a_warning_at_start(conf, tmp_path, capfd):
    path = tmp_path / 'cinder.conf'
    path.write_text('[DEFAULT]\nauth_strategy = noauth\nstate_path = %s\n'
                    % tmp_path)
    conf.reset()
    import cinder.conf
    cinder.conf.parse(conf, [], default_config_files=[str(path)])
    cinder.conf.setup_logging(conf)
    api_app.load_app(conf)
    out, err = capfd.readouterr()
    warnings = [line for line in (out + err).splitlines()
                if 'WARNING' in line and 'auth_strategy = noauth' in line]
    assert len(warnings) == 1


def test_policy_values_follow_a_change_of_is_admin(app):
    """A context's policy values are computed once, but the keystone filter
    sets is_admin after a first check: a later check sees the change."""
    from cinder import context
    ctx = context.RequestContext(user_id='u', project_id='p',
                                 roles=['member', 'reader'], overwrite=False)
    assert not ctx.allowed('admin_api')
    ctx.is_admin = True
    assert ctx.allowed('admin_api')
    ctx.is_admin = False
    assert not ctx.allowed('admin_api')
