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
"""Local file driver: each volume and snapshot is a sparse raw image in
local_volumes_dir, attached through os-brick's LOCAL connector.

Layout of the directory::

    volume-<id>           a volume, exactly size GiB * 2**30 bytes
    snapshot-<id>         a snapshot: a full, independent sparse copy
    .volume-<id>.tmp      a volume being written (or left by a crash)
    .snapshot-<id>.tmp    a snapshot being written (or left by a crash)

Crash safety: whatever writes content builds it under the temporary name,
fsyncs it, renames it over the final name and fsyncs the directory. A final
name therefore always holds complete data, an interrupted run leaves at
most a temporary file that the next run truncates and reuses, and a revert
is all or nothing. Copies walk the data extents of the source (SEEK_DATA /
SEEK_HOLE) so holes stay holes and an empty 10 GiB volume copies at once.

Only the file descriptors of one call are touched by that call, so calls on
different volumes may run concurrently in threads.
"""

import errno
import functools
import os
import re
import stat

from oslo_log import log as logging

from cinder import exception
from cinder.volume import driver

LOG = logging.getLogger(__name__)

GiB = 1 << 30
CHUNK = 4 << 20  # read/write fallback of copies
DIR_MODE = 0o750
FILE_MODE = 0o640
VOLUME_PREFIX = 'volume-'
SNAPSHOT_PREFIX = 'snapshot-'
# Ids become file names: no separators, no leading dot, not empty.
SAFE_ID = re.compile(r'[A-Za-z0-9][A-Za-z0-9_-]*')
# copy_file_range cannot copy between these two files; copy in user space.
NO_KERNEL_COPY = {errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP}


def _backend_error(message):
    return exception.VolumeBackendAPIException(data=message)


def _os_errors_as_backend_errors(method):
    """The manager expects one exception type from a driver; a full disk or
    a permission problem is reported as it, with the operation's name."""
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except OSError as e:
            raise _backend_error('%s failed: %s' % (method.__name__, e))
    return wrapper


def _size_in_bytes(size_gb):
    try:
        size = int(size_gb)
    except (TypeError, ValueError):
        size = -1
    if size < 0:
        raise _backend_error('invalid size %r GiB' % (size_gb,))
    return size * GiB


def _open_source(path):
    try:
        return os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        raise _backend_error('source %s does not exist' % path)


def _remove(path):
    """Unlink path; True if it existed."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


def _fsync_dir(path):
    """Make renames and unlinks in the directory survive a power loss."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _data_extents(fd, length):
    """Yield (start, end) of each region of fd below length that may hold
    data; the gaps between them are holes that read as zeros."""
    offset = 0
    while offset < length:
        try:
            start = os.lseek(fd, offset, os.SEEK_DATA)
        except OSError as e:
            if e.errno == errno.ENXIO:  # nothing but a hole up to EOF
                return
            if e.errno == errno.EINVAL:  # SEEK_DATA unsupported here
                yield offset, length
                return
            raise
        if start >= length:
            return
        end = min(os.lseek(fd, start, os.SEEK_HOLE), length)
        yield start, end
        offset = end


def _kernel_copy(src_fd, dst_fd, offset, end):
    """Copy [offset, end) with copy_file_range, which avoids a trip through
    user space and reflinks where the filesystem can; return where it
    stopped: end, or earlier if the kernel cannot copy these files."""
    copy_file_range = getattr(os, 'copy_file_range', None)
    while copy_file_range is not None and offset < end:
        try:
            copied = copy_file_range(src_fd, dst_fd, end - offset,
                                     offset, offset)
        except OSError as e:
            if e.errno in NO_KERNEL_COPY:
                return offset
            raise
        if copied == 0:  # some filesystems silently copy nothing
            return offset
        offset += copied
    return offset


def _buffered_copy(src_fd, dst_fd, offset, end):
    """Copy [offset, end) in CHUNK reads; all-zero chunks are not written
    so they stay holes (a block device source has no holes to seek)."""
    while offset < end:
        chunk = os.pread(src_fd, min(CHUNK, end - offset), offset)
        if not chunk:
            raise _backend_error('source ended at byte %d of %d'
                                 % (offset, end))
        if chunk.count(0) != len(chunk):
            view = memoryview(chunk)
            position = offset
            while view:
                written = os.pwrite(dst_fd, view, position)
                view = view[written:]
                position += written
        offset += len(chunk)


def _copy_data(src_fd, dst_fd, length):
    """Copy the first length bytes of src_fd to the same offsets of the
    empty dst_fd, touching only the data extents."""
    for start, end in _data_extents(src_fd, length):
        offset = _kernel_copy(src_fd, dst_fd, start, end)
        _buffered_copy(src_fd, dst_fd, offset, end)


class LocalFileDriver(driver.VolumeDriver):
    """Volumes as sparse files in one local directory (a development and
    single-node backend; also the model for file based drivers)."""

    VERSION = '1.0.0'

    def __init__(self, configuration, host):
        super().__init__(configuration, host)
        self.volumes_dir = os.path.abspath(
            configuration.get('local_volumes_dir'))

    # Paths

    def _path(self, prefix, object_id):
        if not isinstance(object_id, str) or not SAFE_ID.fullmatch(
                object_id):
            raise _backend_error('invalid id %r' % (object_id,))
        return os.path.join(self.volumes_dir, prefix + object_id)

    def _volume_file(self, volume_id):
        return self._path(VOLUME_PREFIX, volume_id)

    def _snapshot_file(self, snapshot_id):
        return self._path(SNAPSHOT_PREFIX, snapshot_id)

    def _temp_file(self, final_path):
        return os.path.join(self.volumes_dir,
                            '.%s.tmp' % os.path.basename(final_path))

    # Building files

    def _write_atomically(self, final_path, size=None, source_path=None):
        """Create final_path, size bytes long (default: the source's
        length), holding the data of source_path if given, in a temporary
        file renamed over final_path once complete and on disk."""
        temp_path = self._temp_file(final_path)
        source_fd = temp_fd = None
        try:
            length = 0
            if source_path is not None:
                source_fd = _open_source(source_path)
                length = os.lseek(source_fd, 0, os.SEEK_END)
            size = length if size is None else size
            if length > size:
                raise _backend_error(
                    '%s (%d bytes) does not fit in %s (%d bytes)'
                    % (source_path, length, final_path, size))
            # O_TRUNC: a temporary file left by a crashed run is reused.
            temp_fd = os.open(
                temp_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC
                | os.O_NOFOLLOW, FILE_MODE)
            if source_fd is not None:
                _copy_data(source_fd, temp_fd, length)
            os.ftruncate(temp_fd, size)
            os.fsync(temp_fd)
        except BaseException:
            if temp_fd is not None:
                _remove(temp_path)
            raise
        finally:
            for fd in (source_fd, temp_fd):
                if fd is not None:
                    os.close(fd)
        os.replace(temp_path, final_path)
        _fsync_dir(self.volumes_dir)

    def _created_before(self, path, size):
        """True if an earlier run already created path with this size.
        Final names only ever hold complete files, so that run finished;
        another size is not something a crash leaves behind: refuse."""
        try:
            existing = os.stat(path).st_size
        except FileNotFoundError:
            return False
        if existing != size:
            raise _backend_error('%s already exists with %d bytes, not %d'
                                 % (path, existing, size))
        return True

    def _delete(self, final_path):
        removed = _remove(final_path)
        removed = _remove(self._temp_file(final_path)) or removed
        if removed:
            _fsync_dir(self.volumes_dir)

    def _allocated_bytes(self):
        """Sum of the apparent sizes of the volume files."""
        total = 0
        with os.scandir(self.volumes_dir) as entries:
            for entry in entries:
                if not entry.name.startswith(VOLUME_PREFIX):
                    continue
                try:
                    info = entry.stat(follow_symlinks=False)
                except FileNotFoundError:  # deleted meanwhile
                    continue
                if stat.S_ISREG(info.st_mode):
                    total += info.st_size
        return total

    # The driver interface

    @_os_errors_as_backend_errors
    def do_setup(self):
        if not os.path.isdir(self.volumes_dir):
            os.makedirs(self.volumes_dir, mode=DIR_MODE, exist_ok=True)
            os.chmod(self.volumes_dir, DIR_MODE)  # despite the umask
        if not os.access(self.volumes_dir, os.R_OK | os.W_OK | os.X_OK):
            raise _backend_error('%s is not writable' % self.volumes_dir)

    @_os_errors_as_backend_errors
    def get_capabilities(self):
        fs = os.statvfs(self.volumes_dir)
        name = self.backend_name
        return {
            'volume_backend_name': name,
            'vendor_name': 'Open Source',
            'driver_version': self.VERSION,
            'storage_protocol': 'local',
            'pools': [{
                'pool_name': name,
                'total_capacity_gb': round(
                    fs.f_blocks * fs.f_frsize / GiB, 2),
                'free_capacity_gb': round(fs.f_bavail * fs.f_frsize / GiB, 2),
                'allocated_capacity_gb': round(
                    self._allocated_bytes() / GiB, 2),
                'reserved_percentage': int(
                    self.configuration.get('reserved_percentage')),
                'max_over_subscription_ratio': float(
                    self.configuration.get('max_over_subscription_ratio')),
                'thin_provisioning_support': True,
                'thick_provisioning_support': False,
                'multiattach': True,
            }],
        }

    @_os_errors_as_backend_errors
    def create_volume(self, volume):
        path = self._volume_file(volume['id'])
        size = _size_in_bytes(volume['size'])
        if not self._created_before(path, size):
            self._write_atomically(path, size)

    @_os_errors_as_backend_errors
    def create_volume_from_snapshot(self, volume, snapshot):
        path = self._volume_file(volume['id'])
        size = _size_in_bytes(volume['size'])
        if not self._created_before(path, size):
            self._write_atomically(path, size,
                                   self._snapshot_file(snapshot['id']))

    @_os_errors_as_backend_errors
    def create_cloned_volume(self, volume, src_volume):
        path = self._volume_file(volume['id'])
        size = _size_in_bytes(volume['size'])
        if not self._created_before(path, size):
            self._write_atomically(path, size,
                                   self._volume_file(src_volume['id']))

    @_os_errors_as_backend_errors
    def delete_volume(self, volume):
        self._delete(self._volume_file(volume['id']))

    @_os_errors_as_backend_errors
    def extend_volume(self, volume, new_size):
        path = self._volume_file(volume['id'])
        size = _size_in_bytes(new_size)
        try:
            fd = os.open(path, os.O_WRONLY)
        except FileNotFoundError:
            raise _backend_error('volume %s does not exist' % path)
        try:
            current = os.fstat(fd).st_size
            if current < size:
                os.ftruncate(fd, size)  # one metadata change: atomic
                os.fsync(fd)
            elif current > size:
                LOG.warning('Not shrinking %(path)s from %(current)d to '
                            '%(size)d bytes',
                            {'path': path, 'current': current, 'size': size})
        finally:
            os.close(fd)

    @_os_errors_as_backend_errors
    def create_snapshot(self, snapshot):
        path = self._snapshot_file(snapshot['id'])
        if os.path.exists(path):  # complete, as every final name
            return
        self._write_atomically(
            path, source_path=self._volume_file(snapshot['volume_id']))

    @_os_errors_as_backend_errors
    def delete_snapshot(self, snapshot):
        self._delete(self._snapshot_file(snapshot['id']))

    @_os_errors_as_backend_errors
    def revert_to_snapshot(self, volume, snapshot):
        # A new file renamed over the volume: a crash leaves the old data
        # or the snapshot's, and a process that still has the volume open
        # keeps reading the old file (Cinder reverts detached volumes).
        self._write_atomically(self._volume_file(volume['id']),
                               _size_in_bytes(volume['size']),
                               self._snapshot_file(snapshot['id']))

    @_os_errors_as_backend_errors
    def initialize_connection(self, volume, connector):
        path = self._volume_file(volume['id'])
        if not os.path.isfile(path):
            raise _backend_error('volume %s does not exist' % path)
        return {'driver_volume_type': 'local',
                'data': {'device_path': path}}

    def terminate_connection(self, volume, connector):
        """Nothing is exported, so there is nothing to undo."""

    def volume_path(self, volume):
        return self._volume_file(volume['id'])

    @_os_errors_as_backend_errors
    def copy_volume_data(self, src_path, volume):
        self._write_atomically(self._volume_file(volume['id']),
                               _size_in_bytes(volume['size']), src_path)

    def volume_exists(self, volume):
        return os.path.isfile(self._volume_file(volume['id']))
