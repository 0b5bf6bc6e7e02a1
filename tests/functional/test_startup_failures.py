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
"""A broken configuration stops every server from serving, with one clear
log line, instead of workers answering 500s."""

import os
import subprocess

import pytest

from tests.functional import servers

BROKEN = {
    'auth_strategy': 'auth_strategy = magic\n',
    'database': ('[database]\nconnection = '
                 'mysql+pymysql://cinder:pw@127.0.0.1:1/cinder\n'
                 'max_retries = 0\n'),
    'paste': 'api_paste_config = /nonexistent/api-paste.ini\n',
}


def _run_until_exit(mode, tmp_path, extra, uwsgi_lazy=True, timeout=60):
    config_dir = str(tmp_path / 'etc')
    servers.write_config(config_dir, delay_filter=False)
    config = os.path.join(config_dir, 'cinder.conf')
    text = open(config).read()
    if extra.startswith('['):
        text += extra
    else:
        # Last in [DEFAULT], so it wins over the working value above it.
        text = text.replace('\n[oslo_middleware]',
                            extra + '\n[oslo_middleware]')
    with open(config, 'w') as f:
        f.write(text)
    command, env = servers.mode_command(mode, servers.free_port(), config_dir)
    if not uwsgi_lazy and '--lazy-apps' in command:
        command.remove('--lazy-apps')
    return subprocess.run(command, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize('broken', sorted(BROKEN))
@pytest.mark.parametrize('mode', ['eventlet', 'gunicorn', 'uwsgi-module'])
def test_broken_config_refuses_to_start(mode, broken, tmp_path):
    result = _run_until_exit(mode, tmp_path, BROKEN[broken],
                             uwsgi_lazy=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    lines = [line for line in output.splitlines()
             if 'Cannot start the Block Storage API' in line]
    assert len(lines) >= 1, output
    assert {'auth_strategy': 'magic', 'database': '127.0.0.1:1',
            'paste': 'nonexistent'}[broken] in lines[0]
