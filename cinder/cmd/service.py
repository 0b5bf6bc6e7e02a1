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
"""What cinder-volume and cinder-scheduler share: start-up and the loop.

Both parse the command line and config files like every console script,
check the database schema, serve their RPC endpoints on the transport_url
and run the periodic loop until SIGTERM or SIGINT, after which the RPC
servers stop taking messages and finish the ones they are running.
"""

import signal
import sys
import threading

from oslo_config import cfg
from oslo_log import log as logging

import cinder.conf
from cinder.db import api as db_api
from cinder.db import migration
from cinder import exception

LOG = logging.getLogger(__name__)


def run(prog, build):
    """Parse the config, call *build(conf)* -> (rpc servers, loop kwargs)
    and serve until told to stop. Returns the exit status."""
    conf = cinder.conf.CONF
    try:
        cinder.conf.parse(conf, sys.argv[1:], prog=prog)
    except cfg.Error as error:
        print('Cannot start %s: %s' % (prog, error), file=sys.stderr)
        return 1
    cinder.conf.setup_logging(conf)
    if not conf.transport_url:
        LOG.critical('Cannot start %s: transport_url is not set. Without '
                     'it the API runs the volume service in-process and '
                     'no %s is needed.', prog, prog)
        return 1
    try:
        db_api.configure(conf)
        db_api.wait_for_connection()
        migration.ensure_schema()
        servers, loop_kwargs = build(conf)
    except exception.CinderException as error:
        LOG.critical('Cannot start %s: %s', prog, error.msg)
        return 1
    stop = threading.Event()

    def _stop(signum, frame):
        LOG.info('%s: signal %d, stopping', prog, signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    for server in servers:
        server.start()
    LOG.info('%s ready (%d RPC servers)', prog, len(servers))
    from cinder import periodic
    periodic.run(conf, stop, **loop_kwargs)
    for server in servers:
        server.stop()
    for server in servers:
        server.wait()
    LOG.info('%s stopped', prog)
    return 0
