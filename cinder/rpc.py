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
import sys
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
_import_lock = threading.Lock()


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
    """Choose oslo.service's threading backend for oslo.messaging; False
    if it cannot be (oslo.service without its [threading] extra)."""
    from oslo_service import backend
    if backend.get_backend_type() is None:
        try:
            backend.init_backend(backend.BackendType.THREADING)
        except ValueError:
            LOG.warning('oslo.service has no threading backend (install '
                        'oslo.service[threading]): oslo.messaging loads '
                        'eventlet in this process.')
            return False
    return backend.get_backend_type() == backend.BackendType.THREADING


def _eventlet_patched():
    if sys.modules.get('eventlet') is None:  # not imported, or hidden
        return False
    from eventlet import patcher
    return patcher.is_monkey_patched('thread')


def _messaging():
    """oslo_messaging, imported without eventlet in a threaded process (the
    scheduler, the volume service, an API worker under a WSGI server).
    Imported as it is, it picks oslo.service's default backend, eventlet,
    and futurist and oslo.utils import eventlet whenever it is installed
    (it is, for cinder-api): 9 to 10 MB of RSS a process, for a hub
    that never runs. So the threading backend is chosen first, and
    ``import eventlet`` fails while oslo.messaging is imported (a None
    entry in sys.modules), which those libraries take as eventlet being
    absent. cinder-api's workers, monkey-patched, keep eventlet."""
    # Under the lock: a worker's threads make their first casts together,
    # and none may see eventlet hidden or oslo.messaging half imported.
    with _import_lock:
        if 'oslo_messaging' not in sys.modules and not _eventlet_patched():
            hidden = 'eventlet' not in sys.modules
            if hidden:
                sys.modules['eventlet'] = None
            try:
                if _use_threads():
                    import oslo_messaging  # noqa: F401
            finally:
                if hidden:
                    del sys.modules['eventlet']
    import oslo_messaging
    return oslo_messaging


def get_transport(conf):
    """The oslo.messaging transport for conf.transport_url (one per
    process)."""
    with _lock:
        if 'transport' not in _state:
            oslo_messaging = _messaging()
            oslo_messaging.set_transport_defaults(EXCHANGE)
            messaging_conf = _messaging_conf(conf)
            _state['messaging_conf'] = messaging_conf
            _state['transport'] = oslo_messaging.get_rpc_transport(
                messaging_conf, url=conf.transport_url)
        return _state['transport']


def get_server(conf, topic, server, endpoints):
    oslo_messaging = _messaging()
    target = oslo_messaging.Target(topic=topic, server=server)
    return oslo_messaging.get_rpc_server(get_transport(conf), target,
                                         endpoints, executor='threading')


class RPCDispatcher:
    """Casts and calls through the message bus."""

    def __init__(self, conf):
        oslo_messaging = _messaging()
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
