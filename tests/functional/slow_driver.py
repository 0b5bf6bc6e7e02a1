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
"""A local file driver that takes its time, so tests can kill a volume
service in the middle of an operation. Copied beside the test config as
cinder_test_slow_driver.py; CINDER_TEST_DRIVER_DELAY (seconds) is split
before and after the real work, so a kill lands either before the storage
changed or after it changed but before the database knew."""

import os
import time

from cinder.volume.drivers import localfile


def _pause():
    time.sleep(float(os.environ.get('CINDER_TEST_DRIVER_DELAY', '0')) / 2)


def _slow(name):
    real = getattr(localfile.LocalFileDriver, name)

    def operation(self, *args, **kwargs):
        _pause()
        result = real(self, *args, **kwargs)
        _pause()
        return result
    operation.__name__ = name
    return operation


class SlowLocalFileDriver(localfile.LocalFileDriver):
    create_volume = _slow('create_volume')
    create_volume_from_snapshot = _slow('create_volume_from_snapshot')
    create_cloned_volume = _slow('create_cloned_volume')
    delete_volume = _slow('delete_volume')
    extend_volume = _slow('extend_volume')
    create_snapshot = _slow('create_snapshot')
    delete_snapshot = _slow('delete_snapshot')
    revert_to_snapshot = _slow('revert_to_snapshot')
