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
"""cinder-volume: the volume service of enabled_backends, over RPC."""

from concurrent import futures
import sys

from cinder.cmd import service
from cinder import rpc


def _build(conf):
    from cinder.volume import manager as volume_manager
    # Sweeps hand resumed tasks to this pool; messages have oslo.messaging's.
    pool = futures.ThreadPoolExecutor(conf.volume_service_workers,
                                      thread_name_prefix='cinder-resume')
    manager = volume_manager.VolumeManager(conf, rpc.RPCDispatcher(conf),
                                           submit=pool.submit)
    manager.init_host()
    # One RPC server per backend, each on topic cinder-volume with the
    # backend's host@backend as server name, as in Cinder.
    endpoints = [volume_manager.RPCEndpoint(manager)]
    servers = [rpc.get_server(conf, rpc.VOLUME_TOPIC, host, endpoints)
               for host in manager.drivers]
    return servers, {'manager': manager}


def main():
    return service.run('cinder-volume', _build)


if __name__ == '__main__':
    sys.exit(main())
