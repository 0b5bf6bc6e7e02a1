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
"""Loading the app the way uWSGI, gunicorn and mod_wsgi do: the server's
argv is ignored and nothing is monkey-patched (eventlet is not imported)."""

import json
import os
import subprocess
import sys

PROBE = r'''
import importlib.util, json, os, socket, sys, threading, time, _thread
sys.argv = json.loads(sys.argv[1])
if os.environ.get('LOAD_BY_PATH'):
    # mod_wsgi's WSGIScriptAlias: the file is executed under a made-up
    # module name, not imported as cinder.wsgi.api.
    spec = importlib.util.spec_from_file_location(
        '_mod_wsgi_0123abcd', os.environ['LOAD_BY_PATH'])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = module.application
else:
    import cinder.wsgi.api
    app = cinder.wsgi.api.application
print(json.dumps({
    'eventlet_imported': 'eventlet' in sys.modules,
    'socket': socket.socket.__module__,
    'thread_lock_is_native': threading.Lock is _thread.allocate_lock,
    'sleep_is_builtin': type(time.sleep) is type(len),
    'app': type(app).__name__,
}))
'''


def _load_like(server_argv, tmp_path, **env_vars):
    (tmp_path / 'cinder.conf').write_text(
        '[DEFAULT]\nauth_strategy = noauth\nstate_path = %s\n' % tmp_path)
    env = dict(os.environ, OS_CINDER_CONFIG_DIR=str(tmp_path), **env_vars)
    result = subprocess.run([sys.executable, '-c', PROBE,
                             json.dumps(server_argv)],
                            env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_gunicorn_style_load(tmp_path):
    state = _load_like(['/usr/bin/gunicorn', '-w', '4', '--bind',
                        '127.0.0.1:8776', 'cinder.wsgi.api:application'],
                       tmp_path)
    assert state == {'eventlet_imported': False, 'socket': 'socket',
                     'thread_lock_is_native': True, 'sleep_is_builtin': True,
                     'app': 'URLMap'}


def test_uwsgi_style_load(tmp_path):
    state = _load_like(['uwsgi'], tmp_path)
    assert state['eventlet_imported'] is False
    assert state['socket'] == 'socket'
    assert state['thread_lock_is_native'] and state['sleep_is_builtin']


def test_mod_wsgi_style_load_by_file_path(tmp_path):
    import importlib.util
    # The path, without executing the module (that would build the app).
    path = importlib.util.find_spec('cinder.wsgi.api').origin
    state = _load_like(['mod_wsgi'], tmp_path, LOAD_BY_PATH=path)
    assert state['app'] == 'URLMap'
    assert state['eventlet_imported'] is False


RPC_PROBE = r'''
import json, sys
if sys.argv[1] == 'patched':
    import eventlet
    eventlet.monkey_patch()
import cinder.conf
from cinder import rpc
conf = cinder.conf.CONF
cinder.conf.parse(conf, [], default_config_files=[])
conf.set_override('transport_url', 'rabbit://guest:guest@127.0.0.1:5672/')
import threading
# A worker's threads make their first casts together: each must get a
# whole oslo.messaging (clients: nothing is sent or connected yet).
start, failures = threading.Barrier(4), []
def first_cast():
    start.wait()
    try:
        rpc.RPCDispatcher(conf)
    except Exception as error:
        failures.append(repr(error))
threads = [threading.Thread(target=first_cast) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
assert not failures, failures
rpc.get_server(conf, 'probe', 'probe-host', [])  # not started
from oslo_service import backend
print(json.dumps({'eventlet_imported': 'eventlet' in sys.modules,
                  'backend': backend.get_backend_type().value}))
'''


def _rpc_load(kind):
    result = subprocess.run([sys.executable, '-c', RPC_PROBE, kind],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_rpc_in_a_threaded_process_loads_no_eventlet():
    """The scheduler, the volume service and API workers under a WSGI
    server: oslo.messaging on oslo.service's threading backend. Its default
    backend, eventlet, cost such a process 9 to 10 MB."""
    assert _rpc_load('threaded') == {'eventlet_imported': False,
                                     'backend': 'threading'}


def test_rpc_in_cinder_api_keeps_eventlet():
    """cinder-api's workers are monkey-patched: eventlet's backend."""
    assert _rpc_load('patched') == {'eventlet_imported': True,
                                    'backend': 'eventlet'}
