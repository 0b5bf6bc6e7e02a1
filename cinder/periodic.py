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
"""The loop every volume-service host runs: heartbeats and sweeps.

Every report_interval it heartbeats (with each backend's capacity); every
periodic_interval, and once at start, it resumes tasks whose process died,
schedules tasks whose cast was lost, rolls back expired quota reservations
and drops expired user messages. cinder-volume, cinder-scheduler and the
embedded runtime all run it, each with the parts it has.
"""

import time

from oslo_log import log as logging

from cinder.objects import message
from cinder.objects import quota
from cinder.objects import service

LOG = logging.getLogger(__name__)


def _guarded(name, func):
    try:
        func()
    except Exception:
        LOG.exception('Periodic %s failed', name)


def sweep(manager=None, scheduler=None):
    if manager is not None:
        _guarded('task resume', manager.sweep)
    if scheduler is not None:
        _guarded('scheduling', scheduler.sweep)
    _guarded('reservation expiry',
             lambda: quota.rollback(quota.expired_reservations()))
    _guarded('message expiry', message.delete_expired)


def run(conf, stop, manager=None, scheduler=None, scheduler_service=None):
    """Loop until the threading.Event *stop* is set."""
    next_sweep = 0.0
    while not stop.is_set():
        if manager is not None:
            _guarded('heartbeat', manager.report)
        if scheduler_service is not None:
            _guarded('heartbeat',
                     lambda: service.report_alive(scheduler_service))
        if time.monotonic() >= next_sweep:
            sweep(manager, scheduler)
            next_sweep = time.monotonic() + conf.periodic_interval
        stop.wait(conf.report_interval)
