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
"""One server per deployment mode, shared by the scenario tests of a mode."""

import pytest

from tests.functional import servers

# Every deployment mode the guides describe (doc/source/install/). The
# uWSGI, gunicorn, nginx and Apache modes run the sample files of etc/.
MODES = ('eventlet', 'cinder-wsgi', 'uwsgi-wsgi-file', 'uwsgi-module',
         'nginx-uwsgi', 'nginx-uwsgi-prefix', 'mod_wsgi', 'mod_wsgi-prefix',
         'gunicorn', 'gunicorn-threads', 'nginx-gunicorn',
         'nginx-gunicorn-prefix')


@pytest.fixture(scope='module', params=MODES)
def server(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(request.param)
    srv = servers.start_mode(request.param, str(tmp))
    srv.mode = request.param
    yield srv
    code = srv.stop()
    assert code == 0 or (request.param == 'cinder-wsgi' and code == -15), (
        '%s exited with %s on SIGTERM:\n%s' % (request.param, code,
                                               srv.output()))
