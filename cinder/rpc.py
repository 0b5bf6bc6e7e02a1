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
"""How the API, the scheduler and the volume service reach each other.

Two dispatchers with one interface: with a ``transport_url`` the messages
go through oslo.messaging (RabbitMQ in production) to cinder-scheduler and
to the cinder-volume serving a backend; without one (the embedded default)
the same manager code runs on a thread pool inside the API process. Casts
carry only a task id: the task row is the work (cinder.objects.task).

oslo.messaging is imported only when a transport_url is set, and it gets
its own ConfigOpts read from the same files, so its options
([oslo_messaging_rabbit] ...) live in cinder.conf as usual while an API
worker of the embedded default never loads it.
"""

import importlib
import threading

from oslo_log import log as logging

import cinder.conf

LOG = logging.getLogger(__name__)

SCHEDULER_TOPIC = 'cinder-scheduler'
VOLUME_TOPIC = 'cinder-volume'
EXCHANGE = 'cinder'


def backend_of(host):
    """host@backend of a volume's host@backend#pool."""
    return host.split('#', 1)[0]


_state = {}
_lock = threading.Lock()


def _messaging_conf(conf):
    from oslo_config import cfg
    own = cfg.ConfigOpts()
    own([], project=cinder.conf.PROJECT, validate_default_values=True,
        default_config_files=list(conf.config_file or []),
        default_config_dirs=list(conf.config_dir and [conf.config_dir]
                                 or []))
    # oslo.messaging 18 registers its tracing and metrics options on the
    # global CONF only, then reads them from the transport's conf.
    for module, name in (('oslo_messaging._tracing.client',
                          'oslo_messaging_tracing'),
                         ('oslo_messaging._metrics.client',
                          'oslo_messaging_metrics')):
        try:
            opts = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
        own.register_opts(opts, group=name)
    return own


def _use_threads():
    """oslo.messaging's helpers come from oslo.service, whose default
    backend is eventlet; these processes are threaded and never import
    eventlet."""
    try:
        from oslo_service import backend
    except ImportError:
        return
    if backend.get_backend_type() is None:
        backend.init_backend(backend.BackendType.THREADING)


def get_transport(conf):
    """The oslo.messaging transport for conf.transport_url (one per
    process)."""
    with _lock:
        if 'transport' not in _state:
            _use_threads()
            import oslo_messaging
            oslo_messaging.set_transport_defaults(EXCHANGE)
            messaging_conf = _messaging_conf(conf)
            _state['messaging_conf'] = messaging_conf
            _state['transport'] = oslo_messaging.get_rpc_transport(
                messaging_conf, url=conf.transport_url)
        return _state['transport']


def get_server(conf, topic, server, endpoints):
    import oslo_messaging
    target = oslo_messaging.Target(topic=topic, server=server)
    return oslo_messaging.get_rpc_server(get_transport(conf), target,
                                         endpoints, executor='threading')


class RPCDispatcher:
    """Casts and calls through the message bus."""

    def __init__(self, conf):
        import oslo_messaging
        transport = get_transport(conf)
        self._scheduler = oslo_messaging.get_rpc_client(
            transport, oslo_messaging.Target(topic=SCHEDULER_TOPIC))
        self._volume = oslo_messaging.get_rpc_client(
            transport, oslo_messaging.Target(topic=VOLUME_TOPIC))

    def schedule(self, task_id):
        self._scheduler.cast({}, 'schedule_task', task_id=task_id)

    def run(self, host, task_id):
        self._volume.prepare(server=backend_of(host)).cast(
            {}, 'run_task', task_id=task_id)

    def call(self, host, method, timeout=None, **kwargs):
        return self._volume.prepare(server=backend_of(host),
                                    timeout=timeout).call(
            {}, method, **kwargs)


    def call_service(self, topic, server, method, **kwargs):
        """A call to one service of *topic* (log levels)."""
        client = (self._volume if topic == VOLUME_TOPIC
                  else self._scheduler)
        return client.prepare(server=server, timeout=10).call(
            {}, method, **kwargs)


class EmbeddedDispatcher:
    """The same entry points, run by this process's embedded runtime."""

    def __init__(self, runtime):
        self._runtime = runtime

    def schedule(self, task_id):
        self._runtime.submit(self._runtime.scheduler.schedule_task, None,
                             task_id=task_id)

    def run(self, host, task_id):
        self._runtime.submit(self._runtime.manager.run_task, None,
                             task_id=task_id)

    def call(self, host, method, timeout=None, **kwargs):
        return getattr(self._runtime.manager, method)(None, **kwargs)

    def call_service(self, topic, server, method, **kwargs):
        # Every embedded service lives in this process: same loggers.
        from cinder import log_levels
        if method == 'get_log_levels':
            return log_levels.get_levels(kwargs['prefix'])
        return log_levels.set_levels(kwargs['prefix'], kwargs['level'])


def get_dispatcher(conf=None):
    conf = conf or cinder.conf.CONF
    if not conf.transport_url:
        from cinder.volume import embedded
        return EmbeddedDispatcher(embedded.runtime(conf))
    with _lock:
        dispatcher = _state.get('dispatcher')
    if dispatcher is None:
        dispatcher = RPCDispatcher(conf)
        with _lock:
            _state['dispatcher'] = dispatcher
    return dispatcher


def reset():
    """Forget the transport (tests, and children after a fork)."""
    with _lock:
        transport = _state.pop('transport', None)
        _state.clear()
    if transport is not None:
        transport.cleanup()
