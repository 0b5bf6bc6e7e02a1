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
"""Start-up cost of the API: import-to-ready time and worker memory.

Measures, for the installed package of this Python:
  * the time from ``import cinder.wsgi.api`` to the app being ready
    (median of N fresh interpreters, schema already in place);
  * the resident memory (RSS, and USS: what the worker alone owns) of one
    worker after its first request, under uWSGI, gunicorn and cinder-api,
    with auth_strategy noauth and keystone.

Run: python tools/bench/startup.py [--runs N]. Prints a Markdown table;
absolute numbers are machine-dependent, compare ratios from one run.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import psutil

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from tests.functional import servers  # noqa: E402

IMPORT_PROBE = (
    'import time; t = time.perf_counter(); import cinder.wsgi.api; '
    'print(time.perf_counter() - t)')


def write_config(directory, auth):
    servers.write_config(directory, delay_filter=False)
    path = os.path.join(directory, 'cinder.conf')
    text = open(path).read().replace('auth_strategy = noauth',
                                     'auth_strategy = %s' % auth)
    if auth == 'keystone':
        text += ('[keystone_authtoken]\n'
                 'www_authenticate_uri = http://127.0.0.1:5000/\n'
                 'auth_url = http://127.0.0.1:5000/\n')
    with open(path, 'w') as f:
        f.write(text)


def import_time(config_dir, runs):
    env = dict(os.environ, OS_CINDER_CONFIG_DIR=config_dir)
    samples = []
    for _ in range(runs + 1):  # the first run creates the schema
        out = subprocess.run([sys.executable, '-c', IMPORT_PROBE], env=env,
                             capture_output=True, text=True, check=True)
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(samples[1:])


def worker_memory(mode, tmp, auth):
    config_dir = os.path.join(tmp, 'etc')
    write_config(config_dir, auth)
    # Steady state, as in production: the schema exists before the server
    # starts, so no worker carries alembic (about 10 MB) from a migration.
    subprocess.run([os.path.join(os.path.dirname(sys.executable),
                                 'cinder-manage'), '--config-file',
                    os.path.join(config_dir, 'cinder.conf'), 'db', 'sync'],
                   check=True, capture_output=True)
    port = servers.free_port()
    command, env = servers.mode_command(mode, port, config_dir)
    ready_line, workers = servers.READY_LINES[mode]
    srv = servers.Server(command, env, port, os.path.join(tmp, 'log'),
                         cwd=tmp, ready_line=ready_line,
                         workers=workers).start()
    try:
        for _ in range(4):
            srv.request('GET', '/v3/')
            srv.request('GET', '/healthcheck')
        children = psutil.Process(srv.process.pid).children()
        info = [child.memory_full_info() for child in children]
        return (max(i.rss for i in info) / 2**20,
                max(i.uss for i in info) / 2**20)
    finally:
        srv.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=5)
    args = parser.parse_args()
    rows = []
    for auth in ('noauth', 'keystone'):
        with tempfile.TemporaryDirectory() as tmp:
            write_config(os.path.join(tmp, 'etc'), auth)
            seconds = import_time(os.path.join(tmp, 'etc'), args.runs)
        rows.append(('import to ready', auth, '%.3f s' % seconds))
        for mode in ('uwsgi-module', 'gunicorn', 'eventlet'):
            with tempfile.TemporaryDirectory() as tmp:
                rss, uss = worker_memory(mode, tmp, auth)
            rows.append(('worker RSS / USS, %s' % mode, auth,
                         '%.1f MB / %.1f MB' % (rss, uss)))
    print('| measure | auth | value |\n| --- | --- | --- |')
    for row in rows:
        print('| %s | %s | %s |' % row)
    print(json.dumps({'python': sys.version.split()[0],
                      'when': time.strftime('%Y-%m-%d %H:%M')}))


if __name__ == '__main__':
    main()
