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
"""cinder-scheduler: places new volumes on backends, over RPC."""

import sys

from cinder.cmd import service
from cinder import rpc
from cinder import scheduler


def _build(conf):
    endpoint = scheduler.Scheduler(conf, rpc.RPCDispatcher(conf))
    row = scheduler.register(conf)
    servers = [rpc.get_server(conf, rpc.SCHEDULER_TOPIC, conf.host,
                              [scheduler.RPCEndpoint(endpoint)])]
    return servers, {'scheduler': endpoint, 'scheduler_service': row['id']}


def main():
    return service.run('cinder-scheduler', _build)


if __name__ == '__main__':
    sys.exit(main())
