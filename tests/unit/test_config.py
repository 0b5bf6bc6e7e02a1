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
"""Configuration discovery: environment, argv ownership, embedded defaults,
and broken configurations failing at load time."""

import os
import sys
import types

import pytest

from cinder.api import app as api_app
import cinder.conf
from cinder import exception
from cinder.wsgi import wsgi


def test_no_environment_means_standard_search():
    assert wsgi.get_config_files({}) is None


def test_config_dir_alone_means_its_cinder_conf(tmp_path):
    (tmp_path / 'cinder.conf').write_text('[DEFAULT]\n')
    files = wsgi.get_config_files({'OS_CINDER_CONFIG_DIR': str(tmp_path)})
    assert files == [str(tmp_path / 'cinder.conf')]


def test_config_files_are_relative_to_the_dir(tmp_path):
    for name in ('cinder.conf', 'api.conf'):
        (tmp_path / name).write_text('[DEFAULT]\n')
    files = wsgi.get_config_files({'OS_CINDER_CONFIG_DIR': str(tmp_path),
                                   'OS_CINDER_CONFIG_FILES':
                                       'cinder.conf; api.conf'})
    assert files == [str(tmp_path / 'cinder.conf'), str(tmp_path / 'api.conf')]


def test_config_files_alone_are_paths(tmp_path):
    path = tmp_path / 'my.conf'
    path.write_text('[DEFAULT]\n')
    assert wsgi.get_config_files(
        {'OS_CINDER_CONFIG_FILES': str(path)}) == [str(path)]


def test_missing_config_file_is_a_clear_error(tmp_path):
    with pytest.raises(exception.ConfigError, match='missing files'):
        wsgi.get_config_files({'OS_CINDER_CONFIG_DIR': str(tmp_path)})


@pytest.mark.parametrize('server_argv', [
    ['uwsgi'],
    ['/usr/bin/gunicorn', '-w', '4', '-b', '0.0.0.0:8776',
     'cinder.wsgi.api:application'],
    ['mod_wsgi'],
])
def test_server_argv_is_never_ours(monkeypatch, server_argv):
    monkeypatch.setattr(sys, 'argv', server_argv)
    monkeypatch.setitem(sys.modules, '__main__', types.ModuleType('__main__'))
    assert wsgi.own_argv() == []


def test_cinder_wsgi_dev_server_argv_is_ours(monkeypatch):
    main = types.ModuleType('__main__')
    main.__file__ = '/venv/bin/cinder-wsgi'
    monkeypatch.setitem(sys.modules, '__main__', main)
    # pbr's script leaves only what followed '--' in sys.argv.
    monkeypatch.setattr(sys, 'argv', ['/venv/bin/cinder-wsgi',
                                      '--config-file', '/etc/x.conf'])
    assert wsgi.own_argv() == ['--config-file', '/etc/x.conf']


def test_embedded_defaults_without_any_file(conf):
    assert cinder.conf.uses_embedded_defaults(conf)
    assert conf.auth_strategy == 'noauth'
    assert conf.osapi_volume_listen == '127.0.0.1'
    assert conf.database.connection == (
        'sqlite:///%s/cinder.sqlite' % conf.state_path)


def test_a_config_file_keeps_cinder_defaults(tmp_path):
    path = tmp_path / 'cinder.conf'
    path.write_text('[DEFAULT]\ndebug = false\n')
    conf = cinder.conf.CONF
    conf.reset()
    try:
        cinder.conf.parse(conf, [], default_config_files=[str(path)])
        assert not cinder.conf.uses_embedded_defaults(conf)
        assert conf.auth_strategy == 'keystone'
        assert conf.osapi_volume_listen == '0.0.0.0'
    finally:
        conf.reset()


def test_environment_overrides_options(monkeypatch, tmp_path):
    monkeypatch.setenv('OS_DEFAULT__OSAPI_MAX_LIMIT', '77')
    monkeypatch.setenv('OS_DATABASE__MAX_POOL_SIZE', '3')
    conf = cinder.conf.CONF
    conf.reset()
    try:
        cinder.conf.parse(conf, [], default_config_files=[])
        assert conf.osapi_max_limit == 77
        assert conf.database.max_pool_size == 3
    finally:
        conf.reset()


def test_state_path_default_is_per_user():
    path = cinder.conf.api.default_state_path({'XDG_STATE_HOME': '/x/state'})
    assert path == '/x/state/cinder'
    home = cinder.conf.api.default_state_path({})
    assert home == os.path.expanduser('~/.local/state/cinder')


def test_unknown_auth_strategy_fails_at_load(conf, tmp_path):
    path = tmp_path / 'cinder.conf'
    path.write_text('[DEFAULT]\nauth_strategy = magic\n')
    conf.reset()
    cinder.conf.parse(conf, [], default_config_files=[str(path)])
    conf.set_override('state_path', str(tmp_path))
    with pytest.raises(exception.ConfigError, match='auth_strategy'):
        api_app.load_app(conf)


def test_missing_paste_file_fails_at_load(conf, tmp_path):
    conf.set_override('api_paste_config', str(tmp_path / 'nope.ini'))
    with pytest.raises(exception.ConfigError, match='nope.ini'):
        api_app.load_app(conf)


def test_unreachable_database_fails_at_load(conf):
    # Nothing listens on port 1; max_retries is 0 in these tests.
    conf.set_override('connection',
                      'mysql+pymysql://cinder:secret@127.0.0.1:1/cinder',
                      group='database')
    with pytest.raises(exception.DBConnectionError) as info:
        api_app.load_app(conf)
    assert '127.0.0.1:1' in info.value.msg
    assert 'secret' not in info.value.msg


def test_initialize_application_logs_one_line_and_exits(monkeypatch, tmp_path,
                                                         capfd):
    (tmp_path / 'cinder.conf').write_text(
        '[DEFAULT]\nauth_strategy = magic\nstate_path = %s\n' % tmp_path)
    monkeypatch.setenv('OS_CINDER_CONFIG_DIR', str(tmp_path))
    monkeypatch.setitem(sys.modules, '__main__', types.ModuleType('__main__'))
    try:
        with pytest.raises(wsgi.StartupFailed):
            wsgi.initialize_application()
    finally:
        cinder.conf.CONF.reset()
    out, err = capfd.readouterr()
    critical = [line for line in (out + err).splitlines()
                if 'CRITICAL' in line]
    assert len(critical) == 1
    assert 'Cannot start the Block Storage API' in critical[0]
    assert "found 'magic'" in critical[0]


def test_paste_file_found_next_to_the_config_file(conf, tmp_path):
    config_dir = tmp_path / 'etc'
    config_dir.mkdir()
    (config_dir / 'cinder.conf').write_text('[DEFAULT]\n')
    source = api_app.find_paste_config(conf)
    (config_dir / 'api-paste.ini').write_text(open(source).read())
    conf.reset()
    cinder.conf.parse(conf, [], default_config_files=[
        str(config_dir / 'cinder.conf')])
    assert api_app.find_paste_config(conf) == str(config_dir / 'api-paste.ini')
