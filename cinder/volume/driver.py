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
"""The interface between the volume manager and a storage backend.

The manager owns the database and the state machine; a driver only moves
bytes on its backend. The manager may be killed at any point and, when it
starts again, re-runs an interrupted operation from the beginning. So every
driver method must be idempotent: running it again after a partial or a
complete earlier run must succeed and leave the same result, and no reader
may ever see a half-written volume or snapshot.

Volumes and snapshots are plain dicts. A volume has at least ``id`` (a UUID
string) and ``size`` (GiB); a snapshot has ``id``, ``volume_id`` and
``volume_size`` (GiB). Errors are raised as
``cinder.exception.VolumeBackendAPIException``.
"""

import importlib

from cinder import exception


class VolumeDriver:
    """Base class of backend drivers: every method here must be overridden,
    except the ones that have a body."""

    def __init__(self, configuration, host):
        """configuration: the backend's cinder.conf.volume.BackendConf;
        host: the service name, 'node@backend'. Keep this cheap and free of
        I/O: checks belong in do_setup()."""
        self.configuration = configuration
        self.host = host

    @property
    def backend_name(self):
        """The volume_backend_name option, else the section name."""
        return (self.configuration.get('volume_backend_name')
                or self.configuration.backend_name)

    def do_setup(self):
        """Prepare the backend once at service start (create directories,
        connect, check credentials); raise VolumeBackendAPIException if
        it cannot be used."""
        raise NotImplementedError()

    def get_capabilities(self):
        """Return the capacity and features reported to the scheduler:
        volume_backend_name, vendor_name, driver_version, storage_protocol
        and 'pools', a list of dicts with pool_name, total_capacity_gb,
        free_capacity_gb, allocated_capacity_gb, reserved_percentage,
        max_over_subscription_ratio, thin_provisioning_support,
        thick_provisioning_support and multiattach. Called every few
        seconds, so it must be cheap."""
        raise NotImplementedError()

    def create_volume(self, volume):
        """Create an empty volume of volume['size'] GiB. If it already
        exists with that size (an earlier run finished), do nothing."""
        raise NotImplementedError()

    def create_volume_from_snapshot(self, volume, snapshot):
        """Create a volume holding the snapshot's data; volume['size'] may
        exceed the snapshot's volume_size, the volume then has the larger
        size. The volume appears complete or not at all."""
        raise NotImplementedError()

    def create_cloned_volume(self, volume, src_volume):
        """Create a volume holding a copy of src_volume's data, of
        volume['size'] GiB (at least src_volume['size']). The volume
        appears complete or not at all."""
        raise NotImplementedError()

    def delete_volume(self, volume):
        """Delete the volume; a volume that does not exist is success."""
        raise NotImplementedError()

    def extend_volume(self, volume, new_size):
        """Grow the volume to new_size GiB, keeping its data. A volume
        already that big is left alone; never shrink."""
        raise NotImplementedError()

    def create_snapshot(self, snapshot):
        """Take a point-in-time copy of volume snapshot['volume_id'] that
        later writes to, or deletion of, the volume do not change. The
        snapshot appears complete or not at all."""
        raise NotImplementedError()

    def delete_snapshot(self, snapshot):
        """Delete the snapshot; one that does not exist is success."""
        raise NotImplementedError()

    def revert_to_snapshot(self, volume, snapshot):
        """Make the volume's content the snapshot's, all or nothing: after
        a crash the volume holds either its old or the snapshot's data."""
        raise NotImplementedError()

    def initialize_connection(self, volume, connector):
        """Return the os-brick connection info the connector (a dict of the
        consumer's host properties) attaches with:
        {'driver_volume_type': <protocol>, 'data': {...}}. Export or map
        the volume first if the backend needs it; repeating is harmless."""
        raise NotImplementedError()

    def terminate_connection(self, volume, connector):
        """Undo initialize_connection for this connector; a connection that
        does not exist is success."""
        raise NotImplementedError()

    def volume_path(self, volume):
        """Return a local path the volume's data can be read from (a file
        or block device), used to migrate between backends on one host."""
        raise NotImplementedError()

    def copy_volume_data(self, src_path, volume):
        """Write the bytes of the local file or device src_path into the
        volume, creating or replacing it atomically, with a final size of
        volume['size'] GiB."""
        raise NotImplementedError()

    def volume_exists(self, volume):
        """Return whether the volume exists on the backend."""
        raise NotImplementedError()


def load_driver(class_path, configuration, host):
    """Import the driver class named by its dotted path (the volume_driver
    option) and return an instance; raise VolumeDriverNotFound when the
    path names no VolumeDriver subclass."""
    module_name, _dot, class_name = class_path.rpartition('.')
    try:
        if not module_name:
            raise ImportError('not a dotted path to a class')
        module = importlib.import_module(module_name)
        driver_class = getattr(module, class_name)
    except (ImportError, AttributeError, ValueError) as e:
        raise exception.VolumeDriverNotFound(name=class_path, reason=str(e))
    if not (isinstance(driver_class, type)
            and issubclass(driver_class, VolumeDriver)):
        raise exception.VolumeDriverNotFound(
            name=class_path, reason='not a subclass of VolumeDriver')
    return driver_class(configuration, host)
