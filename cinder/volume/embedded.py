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
"""The embedded default: the volume service inside each API process.

Without a transport_url each API worker process runs the scheduler and the
volume manager itself, on a small thread pool, started lazily after the
server forked its workers. Whichever worker accepted a request runs its
task; if that worker dies, a sibling's sweep (or the next start) resumes
the task, because the task row, not the process, holds the work.
"""

from concurrent import futures
import os
import threading

from oslo_log import log as logging

from cinder import periodic
from cinder import rpc
from cinder import scheduler as scheduler_module
from cinder.volume import manager as volume_manager

LOG = logging.getLogger(__name__)


class Runtime:

    def __init__(self, conf):
        self.conf = conf
        self.pid = os.getpid()
        dispatcher = rpc.EmbeddedDispatcher(self)
        self.manager = volume_manager.VolumeManager(conf, dispatcher,
                                                    submit=self.submit)
        self.scheduler = scheduler_module.Scheduler(conf, dispatcher,
                                                    runs_tasks=True)
        self._executor = futures.ThreadPoolExecutor(
            conf.volume_service_workers, thread_name_prefix='cinder-volume')
        self._idle = threading.Condition()
        self._pending = 0
        self._stop = threading.Event()
        self.manager.init_host()
        scheduler_row = scheduler_module.register(conf)
        self._loop = threading.Thread(
            target=periodic.run, name='cinder-periodic', daemon=True,
            args=(conf, self._stop),
            kwargs={'manager': self.manager, 'scheduler': self.scheduler,
                    'scheduler_service': scheduler_row['id']})
        self._loop.start()
        LOG.info('Embedded volume service started in process %d', self.pid)

    def submit(self, func, *args, **kwargs):
        with self._idle:
            self._pending += 1
        self._executor.submit(self._run, func, args, kwargs)

    def _run(self, func, args, kwargs):
        try:
            func(*args, **kwargs)
        except Exception:
            LOG.exception('Volume service work failed')
        finally:
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout=30):
        """Wait until submitted work is done (tests, graceful stops)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def stop(self):
        self._stop.set()
        self._executor.shutdown(wait=True)
        # The loop may be in a heartbeat or a sweep: let it finish.
        self._loop.join(timeout=60)


_runtime = {}
_lock = threading.Lock()


def runtime(conf):
    """This process's runtime, started on first use (after any fork)."""
    pid = os.getpid()
    current = _runtime.get('runtime')
    if current is not None and current.pid == pid:
        return current
    with _lock:
        current = _runtime.get('runtime')
        if current is None or current.pid != pid:
            current = _runtime['runtime'] = Runtime(conf)
        return current


def runtime_or_none(conf):
    """runtime(), but a failure to start is logged, not raised: the request
    that triggered it goes on, and the next one tries again."""
    try:
        return runtime(conf)
    except Exception:
        LOG.exception('The embedded volume service cannot start')
        return None


def stop():
    """Stop this process's runtime, if it started one (tests, reloads)."""
    with _lock:
        current = _runtime.pop('runtime', None)
    if current is not None and current.pid == os.getpid():
        current.stop()
