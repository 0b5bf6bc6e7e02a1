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
"""The deployment files that are not servers themselves: systemd units,
logrotate, the devstack plugin, the Puppet manifests and the Ansible role,
each checked by its own tool (systemd-analyze, logrotate, bash -n and
shellcheck, puppet parser validate, ansible-playbook --syntax-check).

devstack cannot run here, so its lib/cinder is sourced with devstack's
helper functions stubbed: the stubs record their calls, and the test reads
the files lib/cinder writes and the commands it would run, per mode.
"""

import glob
import os
import subprocess
import sys

import pytest

from tests.functional import servers

ROOT = servers.ROOT
UNITS = sorted(glob.glob(os.path.join(ROOT, 'etc', 'systemd', '*.service')))
# Commands of services this release does not have yet.
SHELL_SCRIPTS = ['devstack/lib/cinder', 'devstack/plugin.sh',
                 'devstack/settings', '.ci/run',
                 'tools/install-mod-wsgi.sh']


def _run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True,
                          timeout=120, **kwargs)


def test_the_expected_units_ship():
    assert {os.path.basename(unit) for unit in UNITS} == {
        'cinder-api.service', 'cinder-api-uwsgi.service',
        'cinder-api-gunicorn.service', 'cinder-volume.service',
        'cinder-scheduler.service'}


@pytest.mark.parametrize('unit', [os.path.basename(u) for u in UNITS])
def test_systemd_unit_verifies(unit, tmp_path):
    """systemd-analyze verify, with /opt/cinder replaced by this
    environment, where the commands exist."""
    analyze = servers.find_executable('systemd-analyze')
    text = open(os.path.join(ROOT, 'etc', 'systemd', unit)).read()
    assert '/opt/cinder/bin/' in text
    path = tmp_path / unit
    path.write_text(text.replace('/opt/cinder', sys.prefix))
    result = _run([analyze, 'verify', '--man=no', str(path)])
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if line.strip()]
    assert problems == [], result.stdout + result.stderr
    for sample in ('cinder-api-uwsgi.ini', 'gunicorn.conf.py'):
        if sample.split('.')[0].split('-')[-1] in unit:
            assert '/etc/cinder/' + sample in text


def test_logrotate_config(tmp_path):
    logrotate = servers.find_executable('logrotate')
    log_dir = tmp_path / 'log'
    log_dir.mkdir()
    (log_dir / 'cinder-api.log').write_text('x' * 100)
    text = open(os.path.join(ROOT, 'etc', 'logrotate.d', 'cinder')).read()
    assert '/var/log/cinder/*.log' in text
    config = tmp_path / 'cinder'
    # "su cinder cinder" needs the user; the debug run checks the syntax.
    config.write_text(text.replace('/var/log/cinder', str(log_dir))
                      .replace('su cinder cinder', ''))
    result = _run([logrotate, '--debug', '--force', '--state',
                   str(tmp_path / 'state'), str(config)])
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert 'error' not in output.lower(), output
    assert 'cinder-api.log' in output


@pytest.mark.parametrize('script', SHELL_SCRIPTS)
def test_shell_script_parses_and_is_shellcheck_clean(script):
    path = os.path.join(ROOT, script)
    result = _run(['bash', '-n', path])
    assert result.returncode == 0, result.stderr
    shellcheck = servers.find_executable('shellcheck')
    result = _run([shellcheck, '-x', '-s', 'bash', path], cwd=ROOT)
    assert result.returncode == 0, result.stdout


def test_puppet_manifests_validate():
    puppet = servers.find_executable('puppet')
    manifests = sorted(glob.glob(os.path.join(
        ROOT, 'deploy', 'puppet', '*', 'manifests', '*.pp')))
    assert len(manifests) >= 3
    result = _run([puppet, 'parser', 'validate'] + manifests,
                  env=dict(os.environ, HOME=os.environ.get('HOME', '/')))
    assert result.returncode == 0, result.stdout + result.stderr
    text = ''.join(open(m).read() for m in manifests)
    for sample in ('etc/cinder/cinder-api-uwsgi.ini',
                   'etc/cinder/apache-cinder-api.conf',
                   'etc/cinder/apache-mpm-event.conf',
                   'etc/systemd/cinder-api-uwsgi.service'):
        assert sample in text


def test_ansible_playbook_syntax(tmp_path):
    playbook = servers.find_executable('ansible-playbook')
    result = _run([playbook, '--syntax-check', '-i', 'localhost,',
                   os.path.join(ROOT, 'deploy', 'ansible', 'playbook.yml')],
                  env=dict(os.environ, ANSIBLE_LOCAL_TEMP=str(tmp_path),
                           ANSIBLE_HOME=str(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr
    tasks = ''.join(open(path).read() for path in glob.glob(os.path.join(
        ROOT, 'deploy', 'ansible', 'roles', '*', 'tasks', '*.yml')))
    for sample in ('etc/cinder/cinder-api-uwsgi.ini',
                   'etc/cinder/apache-cinder-api.conf',
                   'etc/cinder/apache-mpm-event.conf',
                   'etc/systemd/cinder-api-uwsgi.service'):
        assert sample in tasks


# devstack's helpers, as stubs that record how they were called.
DEVSTACK_STUBS = r'''
set -euo pipefail
CALLS=$TEST_DIR/calls
function _record { printf '%s\n' "$*" >> "$CALLS"; }
function sudo { "$@"; }
function die { echo "die: $*" >&2; exit 1; }
function echo_summary { :; }
function is_service_enabled { return 0; }
function get_python_exec_prefix { echo "$TEST_DIR/venv/bin"; }
function ipv6_unquote { echo "$1"; }
function iniset { _record iniset "$@"; }
function setup_develop { _record setup_develop "$@"; }
function pip_install { _record pip_install "$@"; }
function install_apache_wsgi { _record install_apache_wsgi; }
function enable_apache_mod { _record enable_apache_mod "$@"; }
function apache_site_config_for { echo "$TEST_DIR/apache/sites/$1.conf"; }
function enable_apache_site { _record enable_apache_site "$@"; }
function disable_apache_site { _record disable_apache_site "$@"; }
function restart_apache_server { _record restart_apache_server; }
function run_process { _record run_process "$@"; }
function stop_process { _record stop_process "$@"; }
function database_connection_url { echo "mysql+pymysql://db/$1"; }
function recreate_database { _record recreate_database "$@"; }
function configure_keystone_authtoken_middleware { _record authtoken "$@"; }
function setup_logging { _record setup_logging "$@"; }
function create_service_user { _record create_service_user "$@"; }
function get_or_create_service { echo service-id; }
function get_or_create_endpoint { _record endpoint "$@"; }
function wait_for_service { _record wait_for_service "$@"; }
function define_plugin { _record define_plugin "$@"; }
function enable_service { _record enable_service "$@"; }
DEST=$TEST_DIR/dest
DATA_DIR=$TEST_DIR/data
STACK_USER=$(id -un)
SERVICE_HOST=192.0.2.10
SERVICE_PROTOCOL=http
SERVICE_LISTEN_ADDRESS=0.0.0.0
SERVICE_TIMEOUT=60
API_WORKERS=3
APACHE_NAME=apache2
REGION_NAME=RegionOne
CINDER_CONF_DIR=$TEST_DIR/etc/cinder
CINDER_RUN_DIR=$TEST_DIR/rundir
CINDER_WSGI_SCRIPT_DIR=$TEST_DIR/cgi-bin/cinder
CINDER_APACHE_LOG_DIR=$TEST_DIR/log/apache2
'''


def _devstack(mode, tmp_path):
    (tmp_path / 'dest').mkdir()
    os.symlink(ROOT, tmp_path / 'dest' / 'cinder')
    (tmp_path / 'apache' / 'sites').mkdir(parents=True)
    (tmp_path / 'venv' / 'bin').mkdir(parents=True)
    manage = tmp_path / 'venv' / 'bin' / 'cinder-manage'
    manage.write_text('#!/bin/sh\n'
                      'echo cinder-manage "$@" >> "$TEST_DIR/calls"\n')
    manage.chmod(0o755)
    script = DEVSTACK_STUBS + (
        'source $DEST/cinder/devstack/settings\n'
        'for phase in install post-config extra; do\n'
        '  source $DEST/cinder/devstack/plugin.sh stack $phase\n'
        'done\n'
        'source $DEST/cinder/devstack/plugin.sh unstack\n')
    env = dict(os.environ, TEST_DIR=str(tmp_path), CINDER_DEPLOY_MODE=mode)
    result = _run(['bash', '-c', script], env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    calls = (tmp_path / 'calls').read_text().splitlines()
    return calls


def _check_no_placeholders(path, *placeholders):
    text = path.read_text()
    for placeholder in placeholders:
        assert placeholder not in text, (path, placeholder)
    return text


def test_devstack_default_mode_is_uwsgi(tmp_path):
    settings = open(os.path.join(ROOT, 'devstack', 'settings')).read()
    assert 'CINDER_DEPLOY_MODE=${CINDER_DEPLOY_MODE:-uwsgi}' in settings


def test_devstack_uwsgi(tmp_path):
    calls = _devstack('uwsgi', tmp_path)
    etc = tmp_path / 'etc' / 'cinder'
    ini = _check_no_placeholders(etc / 'cinder-api-uwsgi.ini',
                                 '/run/cinder/', '=/etc/cinder')
    assert 'socket = %s/rundir/cinder-api.sock' % tmp_path in ini
    assert 'env = OS_CINDER_CONFIG_DIR=%s' % etc in ini
    assert 'processes = 3\n' in ini
    assert 'module = cinder.wsgi.api:application' in ini
    site = (tmp_path / 'apache' / 'sites' / 'cinder-api.conf').read_text()
    assert ('ProxyPass "/volume" "unix:%s/rundir/cinder-api.sock|uwsgi:'
            % tmp_path) in site
    assert 'pip_install uwsgi' in calls
    assert 'enable_apache_mod proxy_uwsgi' in calls
    assert 'run_process c-api %s/venv/bin/uwsgi --ini %s' % (
        tmp_path, etc / 'cinder-api-uwsgi.ini') in calls
    assert 'endpoint service-id RegionOne http://192.0.2.10/volume/v3' in calls
    assert ('wait_for_service 60 http://192.0.2.10/volume/healthcheck'
            in calls)
    assert ('iniset %s/cinder.conf oslo_middleware '
            'enable_proxy_headers_parsing True' % etc) in calls
    assert (etc / 'api-paste.ini').read_text() == open(servers.PASTE).read()
    assert 'stop_process c-api' in calls
    assert 'recreate_database cinder' in calls
    assert 'cinder-manage --config-file %s/cinder.conf db sync' % etc in calls


def test_devstack_mod_wsgi(tmp_path):
    calls = _devstack('mod_wsgi', tmp_path)
    vhost = _check_no_placeholders(
        tmp_path / 'apache' / 'sites' / 'cinder-api.conf',
        '/opt/cinder', '/var/www/cgi-bin', 'user=cinder', '/var/log/apache2')
    assert 'python-home=%s/venv ' % tmp_path in vhost
    assert 'processes=3 ' in vhost
    assert 'WSGIScriptAlias / %s/cgi-bin/cinder/cinder-api' % tmp_path in vhost
    script = tmp_path / 'cgi-bin' / 'cinder' / 'cinder-api'
    assert script.read_text() == open(os.path.join(
        ROOT, 'cinder', 'wsgi', 'api.py')).read()
    assert 'install_apache_wsgi' in calls
    assert 'enable_apache_site cinder-api' in calls
    assert not [c for c in calls if c.startswith('run_process')]
    assert 'endpoint service-id RegionOne http://192.0.2.10:8776/v3' in calls
    assert 'disable_apache_site cinder-api' in calls


def test_devstack_gunicorn(tmp_path):
    calls = _devstack('gunicorn', tmp_path)
    etc = tmp_path / 'etc' / 'cinder'
    conf = _check_no_placeholders(etc / 'gunicorn.conf.py', "=/etc/cinder'")
    assert "bind = ['0.0.0.0:8776']" in conf
    assert 'workers = 3\n' in conf
    assert "raw_env = ['OS_CINDER_CONFIG_DIR=%s']" % etc in conf
    compile(conf, 'gunicorn.conf.py', 'exec')
    assert 'pip_install gunicorn' in calls
    assert 'run_process c-api %s/venv/bin/gunicorn --config %s' % (
        tmp_path, etc / 'gunicorn.conf.py') in calls
    assert 'endpoint service-id RegionOne http://192.0.2.10:8776/v3' in calls


def test_devstack_eventlet(tmp_path):
    calls = _devstack('eventlet', tmp_path)
    etc = tmp_path / 'etc' / 'cinder'
    assert 'run_process c-api %s/venv/bin/cinder-api --config-file %s' % (
        tmp_path, etc / 'cinder.conf') in calls
    assert ('iniset %s/cinder.conf DEFAULT osapi_volume_workers 3' % etc
            in calls)
    assert not (etc / 'cinder-api-uwsgi.ini').exists()


def test_devstack_refuses_an_unknown_mode(tmp_path):
    with pytest.raises(AssertionError, match='die: .*CINDER_DEPLOY_MODE'):
        _devstack('fastcgi', tmp_path)
