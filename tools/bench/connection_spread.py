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
"""How keep-alive connections spread over the workers of an eventlet server.

Compares cinder-api (one SO_REUSEPORT socket per worker) with the model of
Cinder 29's eventlet mode (oslo.service: one listening socket shared by the
forked workers, each running eventlet.wsgi.server on it). Opens N
keep-alive connections at once, sends one request on each, keeps them open,
and counts the connections each worker holds.

Run: python tools/bench/connection_spread.py [--connections 50] [--workers 2]
"""

import argparse
import concurrent.futures
import http.client
import os
import subprocess
import sys
import tempfile
import time

import psutil

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from tests.functional import servers  # noqa: E402

SHARED_SOCKET_SERVER = r'''
import os, sys
import eventlet
eventlet.monkey_patch()
import eventlet.wsgi

def app(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'OK']

sock = eventlet.listen(('127.0.0.1', int(sys.argv[1])))
for _ in range(int(sys.argv[2])):
    if os.fork() == 0:
        eventlet.hubs.use_hub()
        eventlet.wsgi.server(sock, app, log_output=False)
        os._exit(0)
os.wait()
'''


def _open(port):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    conn.request('GET', '/healthcheck')
    conn.getresponse().read()
    return conn


def spread(master_pid, port, count):
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        connections = list(pool.map(lambda _: _open(port), range(count)))
    try:
        time.sleep(0.2)
        counts = []
        for child in psutil.Process(master_pid).children():
            counts.append(sum(
                1 for c in child.net_connections('tcp')
                if c.status == psutil.CONN_ESTABLISHED
                and c.laddr.port == port))
        return sorted(counts, reverse=True)
    finally:
        for conn in connections:
            conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--connections', type=int, default=50)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--rounds', type=int, default=3)
    args = parser.parse_args()

    port = servers.free_port()
    shared = subprocess.Popen([sys.executable, '-c', SHARED_SOCKET_SERVER,
                               str(port), str(args.workers)],
                              start_new_session=True)
    time.sleep(1.5)
    try:
        shared_rows = [spread(shared.pid, port, args.connections)
                       for _ in range(args.rounds)]
    finally:
        os.killpg(shared.pid, 9)
        shared.wait()

    with tempfile.TemporaryDirectory() as tmp:
        config_dir = os.path.join(tmp, 'etc')
        servers.write_config(config_dir, 'osapi_volume_workers = %d'
                             % args.workers, delay_filter=False)
        port = servers.free_port()
        command, env = servers.mode_command('eventlet', port, config_dir)
        srv = servers.Server(command, env, port, os.path.join(tmp, 'log'),
                             cwd=tmp, ready_line='accepting on',
                             workers=args.workers).start()
        try:
            ours_rows = [spread(srv.process.pid, port, args.connections)
                         for _ in range(args.rounds)]
        finally:
            srv.stop()

    print('%d keep-alive connections, %d workers; connections held by each '
          'worker, per round:' % (args.connections, args.workers))
    print('| server | rounds |\n| --- | --- |')
    print('| one shared socket (Cinder 29 eventlet model) | %s |'
          % ' '.join(str(r) for r in shared_rows))
    print('| cinder-api (SO_REUSEPORT per worker) | %s |'
          % ' '.join(str(r) for r in ours_rows))


if __name__ == '__main__':
    main()
