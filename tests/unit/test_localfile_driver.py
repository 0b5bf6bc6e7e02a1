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
"""The local file driver: sparse files of exact sizes, copies that keep
holes, and operations that survive being killed and run again."""

import errno
import importlib.util
import json
import os
import stat
import subprocess
import sys
import threading
import time
import uuid

import pytest

from cinder.conf import volume as volume_conf
from cinder import exception
from cinder.volume import driver as volume_driver
from cinder.volume.drivers import localfile
from tests.unit.conftest import ROOT

GiB = 1 << 30
MiB = 1 << 20
DRIVER_PATH = 'cinder.volume.drivers.localfile.LocalFileDriver'
# Inside the first block, past the first MiB, and in the last MiB.
OFFSETS = (0, 4096 + 17, 3 * MiB + 5, 700 * MiB + 1, GiB - 64)


@pytest.fixture
def backend_conf(conf, tmp_path):
    backend = volume_conf.BackendConf(conf, 'local')
    conf.set_override('local_volumes_dir', str(tmp_path / 'vols'),
                      group='local')
    return backend


@pytest.fixture
def drv(backend_conf):
    local = volume_driver.load_driver(DRIVER_PATH, backend_conf,
                                      'node@local')
    local.do_setup()
    return local


def new_volume(size=1):
    return {'id': str(uuid.uuid4()), 'size': size}


def new_snapshot(volume):
    return {'id': str(uuid.uuid4()), 'volume_id': volume['id'],
            'volume_size': volume['size']}


def write_pattern(path, tag, offsets=OFFSETS):
    fd = os.open(path, os.O_WRONLY)
    try:
        for offset in offsets:
            os.pwrite(fd, pattern(tag, offset), offset)
    finally:
        os.close(fd)


def pattern(tag, offset):
    return b'<%s@%d>' % (tag.encode(), offset)


def read_at(path, offset, length):
    with open(path, 'rb') as f:
        f.seek(offset)
        return f.read(length)


def assert_pattern(path, tag, offsets=OFFSETS):
    for offset in offsets:
        expected = pattern(tag, offset)
        assert read_at(path, offset, len(expected)) == expected, offset


def assert_sparse(path, size_gb):
    info = os.stat(path)
    assert info.st_size == size_gb * GiB
    assert info.st_blocks * 512 < info.st_size // 100


def files(drv):
    return sorted(os.listdir(drv.volumes_dir))


# Setup and loading


def test_load_driver_returns_configured_instance(drv, tmp_path):
    assert isinstance(drv, localfile.LocalFileDriver)
    assert drv.host == 'node@local'
    assert drv.volumes_dir == str(tmp_path / 'vols')


@pytest.mark.parametrize('path', [
    'cinder.volume.drivers.nosuch.Driver',
    'cinder.volume.drivers.localfile.NoSuchDriver',
    'LocalFileDriver',
    'os.path',  # exists, but not a driver class
    'cinder.volume.driver.load_driver',
])
def test_load_driver_bad_path(backend_conf, path):
    with pytest.raises(exception.VolumeDriverNotFound) as raised:
        volume_driver.load_driver(path, backend_conf, 'node@local')
    assert path in str(raised.value)


def test_do_setup_creates_private_directory(drv):
    info = os.stat(drv.volumes_dir)
    assert stat.S_ISDIR(info.st_mode)
    assert stat.S_IMODE(info.st_mode) == 0o750
    drv.do_setup()  # again: fine


def test_do_setup_unusable_directory(conf, backend_conf, tmp_path):
    (tmp_path / 'vols').write_text('not a directory')
    broken = localfile.LocalFileDriver(backend_conf, 'node@local')
    with pytest.raises(exception.VolumeBackendAPIException):
        broken.do_setup()


def test_base_driver_methods_are_abstract(backend_conf):
    base = volume_driver.VolumeDriver(backend_conf, 'node@local')
    with pytest.raises(NotImplementedError):
        base.create_volume(new_volume())


# Create, extend, delete


def test_create_makes_sparse_file_of_exact_size(drv):
    volume = new_volume(2)
    drv.create_volume(volume)
    path = drv.volume_path(volume)
    assert path == os.path.join(drv.volumes_dir, 'volume-' + volume['id'])
    assert_sparse(path, 2)
    assert drv.volume_exists(volume)
    assert files(drv) == ['volume-' + volume['id']]


def test_create_twice_keeps_the_data(drv):
    volume = new_volume()
    drv.create_volume(volume)
    write_pattern(drv.volume_path(volume), 'a')
    drv.create_volume(volume)
    assert_pattern(drv.volume_path(volume), 'a')


def test_create_over_a_different_size_refuses(drv):
    volume = new_volume()
    drv.create_volume(volume)
    with pytest.raises(exception.VolumeBackendAPIException):
        drv.create_volume(dict(volume, size=2))
    assert os.path.getsize(drv.volume_path(volume)) == GiB


@pytest.mark.parametrize('bad_id', ['../escape', '', '.hidden', 'a/b', 7])
def test_ids_cannot_escape_the_directory(drv, bad_id):
    with pytest.raises(exception.VolumeBackendAPIException):
        drv.create_volume({'id': bad_id, 'size': 1})
    assert files(drv) == []


def test_extend_grows_keeps_data_never_shrinks(drv):
    volume = new_volume()
    drv.create_volume(volume)
    path = drv.volume_path(volume)
    write_pattern(path, 'a')
    drv.extend_volume(volume, 3)
    assert_sparse(path, 3)
    assert_pattern(path, 'a')
    drv.extend_volume(volume, 3)  # re-run
    drv.extend_volume(volume, 2)  # never shrinks
    assert os.path.getsize(path) == 3 * GiB
    assert_pattern(path, 'a')


def test_extend_missing_volume(drv):
    with pytest.raises(exception.VolumeBackendAPIException):
        drv.extend_volume(new_volume(), 2)


def test_delete_twice(drv):
    volume = new_volume()
    drv.create_volume(volume)
    drv.delete_volume(volume)
    assert not drv.volume_exists(volume)
    drv.delete_volume(volume)
    drv.delete_volume(new_volume())  # never existed
    assert files(drv) == []


def test_delete_removes_leftover_temp_files(drv):
    volume = new_volume()
    snapshot = new_snapshot(volume)
    open(os.path.join(drv.volumes_dir, '.volume-%s.tmp' % volume['id']),
         'wb').close()
    open(os.path.join(drv.volumes_dir, '.snapshot-%s.tmp' % snapshot['id']),
         'wb').close()
    drv.delete_volume(volume)
    drv.delete_snapshot(snapshot)
    assert files(drv) == []


# Snapshots, revert, clones, copies


def test_snapshot_overwrite_revert(drv):
    volume = new_volume()
    drv.create_volume(volume)
    path = drv.volume_path(volume)
    write_pattern(path, 'before')
    snapshot = new_snapshot(volume)
    drv.create_snapshot(snapshot)
    write_pattern(path, 'after')
    assert_pattern(path, 'after')
    drv.revert_to_snapshot(volume, snapshot)
    assert_pattern(path, 'before')
    assert_sparse(path, 1)
    drv.revert_to_snapshot(volume, snapshot)  # re-run
    assert_pattern(path, 'before')
    assert files(drv) == sorted(['volume-' + volume['id'],
                                 'snapshot-' + snapshot['id']])


def test_snapshot_is_independent_of_the_volume(drv):
    volume = new_volume()
    drv.create_volume(volume)
    write_pattern(drv.volume_path(volume), 'one')
    snapshot = new_snapshot(volume)
    drv.create_snapshot(snapshot)
    snapshot_path = os.path.join(drv.volumes_dir,
                                 'snapshot-' + snapshot['id'])
    assert_sparse(snapshot_path, 1)
    write_pattern(drv.volume_path(volume), 'two')
    assert_pattern(snapshot_path, 'one')
    drv.delete_volume(volume)
    assert_pattern(snapshot_path, 'one')
    drv.create_snapshot(snapshot)  # re-run once complete: unchanged
    assert_pattern(snapshot_path, 'one')
    drv.delete_snapshot(snapshot)
    drv.delete_snapshot(snapshot)
    assert files(drv) == []


def test_create_from_snapshot_into_bigger_volume(drv):
    source = new_volume()
    drv.create_volume(source)
    write_pattern(drv.volume_path(source), 'snap')
    snapshot = new_snapshot(source)
    drv.create_snapshot(snapshot)
    volume = new_volume(3)
    drv.create_volume_from_snapshot(volume, snapshot)
    path = drv.volume_path(volume)
    assert_sparse(path, 3)
    assert_pattern(path, 'snap')
    assert read_at(path, 2 * GiB, 16) == bytes(16)
    write_pattern(path, 'mine')
    drv.create_volume_from_snapshot(volume, snapshot)  # re-run: kept
    assert_pattern(path, 'mine')


def test_create_from_snapshot_into_smaller_volume_refuses(drv):
    source = new_volume(2)
    drv.create_volume(source)
    snapshot = new_snapshot(source)
    drv.create_snapshot(snapshot)
    volume = new_volume(1)
    with pytest.raises(exception.VolumeBackendAPIException):
        drv.create_volume_from_snapshot(volume, snapshot)
    assert not drv.volume_exists(volume)
    assert len(files(drv)) == 2  # no temporary file left


def test_clone(drv):
    source = new_volume()
    drv.create_volume(source)
    write_pattern(drv.volume_path(source), 'src')
    clone = new_volume(2)
    drv.create_cloned_volume(clone, source)
    path = drv.volume_path(clone)
    assert_sparse(path, 2)
    assert_pattern(path, 'src')
    write_pattern(drv.volume_path(source), 'later')
    assert_pattern(path, 'src')


def test_copy_volume_data(drv, tmp_path):
    source = tmp_path / 'elsewhere.img'
    with open(source, 'wb') as f:
        f.truncate(5 * MiB + 3)
    offsets = (0, MiB + 1, 5 * MiB + 3 - 16)
    write_pattern(source, 'in', offsets)
    volume = new_volume()
    drv.copy_volume_data(str(source), volume)  # creates
    path = drv.volume_path(volume)
    assert_sparse(path, 1)
    assert_pattern(path, 'in', offsets)
    write_pattern(path, 'junk')
    drv.copy_volume_data(str(source), volume)  # replaces
    assert_pattern(path, 'in', offsets)
    assert read_at(path, 700 * MiB + 1, 8) == bytes(8)


def test_copy_volume_data_from_another_volume_file(drv):
    source = new_volume(2)
    drv.create_volume(source)
    write_pattern(drv.volume_path(source), 'other')
    volume = new_volume(2)
    drv.copy_volume_data(drv.volume_path(source), volume)
    assert_pattern(drv.volume_path(volume), 'other')
    assert_sparse(drv.volume_path(volume), 2)


def test_copy_without_copy_file_range_keeps_data_and_holes(
        drv, tmp_path, monkeypatch):
    """The read/write fallback (another filesystem, a block device) writes
    data and skips all-zero chunks, even ones allocated in the source."""
    def unsupported(*args):
        raise OSError(errno.EXDEV, 'cross-device')
    monkeypatch.setattr(os, 'copy_file_range', unsupported)
    source = tmp_path / 'dense.img'
    with open(source, 'wb') as f:
        f.write(bytes(16 * MiB))  # allocated zeros
        f.truncate(64 * MiB)
    offsets = (1, 9 * MiB, 40 * MiB + 7)
    write_pattern(source, 'dense', offsets)
    volume = new_volume()
    drv.copy_volume_data(str(source), volume)
    path = drv.volume_path(volume)
    assert_pattern(path, 'dense', offsets)
    assert os.stat(path).st_blocks * 512 <= 3 * 4 * MiB


def test_copy_source_bigger_than_volume_refuses(drv, tmp_path):
    source = tmp_path / 'big.img'
    with open(source, 'wb') as f:
        f.truncate(GiB + 1)
    volume = new_volume()
    with pytest.raises(exception.VolumeBackendAPIException):
        drv.copy_volume_data(str(source), volume)
    assert files(drv) == []


def test_missing_sources(drv, tmp_path):
    volume = new_volume()
    snapshot = new_snapshot(volume)
    calls = [
        lambda: drv.create_snapshot(snapshot),
        lambda: drv.create_volume_from_snapshot(new_volume(), snapshot),
        lambda: drv.create_cloned_volume(new_volume(), volume),
        lambda: drv.revert_to_snapshot(volume, snapshot),
        lambda: drv.copy_volume_data(str(tmp_path / 'absent'), volume),
    ]
    for call in calls:
        with pytest.raises(exception.VolumeBackendAPIException) as raised:
            call()
        assert 'does not exist' in str(raised.value)
    assert files(drv) == []


def test_ten_gib_snapshot_is_fast_and_sparse(drv):
    volume = new_volume(10)
    drv.create_volume(volume)
    write_pattern(drv.volume_path(volume), 'big', (0, 9 * GiB))
    snapshot = new_snapshot(volume)
    started = time.monotonic()
    drv.create_snapshot(snapshot)
    clone = new_volume(10)
    drv.create_volume_from_snapshot(clone, snapshot)
    assert time.monotonic() - started < 1.0
    assert_sparse(drv.volume_path(clone), 10)
    assert_pattern(drv.volume_path(clone), 'big', (0, 9 * GiB))


def test_concurrent_operations_on_different_volumes(drv):
    volumes = [new_volume() for _ in range(6)]
    errors = []

    def work(volume):
        try:
            drv.create_volume(volume)
            write_pattern(drv.volume_path(volume), volume['id'])
            snapshot = new_snapshot(volume)
            drv.create_snapshot(snapshot)
            drv.extend_volume(volume, 2)
            clone = dict(volume, id=str(uuid.uuid4()))
            drv.create_volume_from_snapshot(clone, snapshot)
            assert_pattern(drv.volume_path(clone), volume['id'])
            drv.delete_snapshot(snapshot)
        except Exception as e:  # reported below, from the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(v,)) for v in volumes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(files(drv)) == 2 * len(volumes)


# Crash safety


def test_leftover_temp_files_do_not_break_a_rerun(drv):
    """A run killed mid-copy leaves a hidden temporary file with garbage;
    running the operation again overwrites it and renames it away."""
    source = new_volume()
    drv.create_volume(source)
    write_pattern(drv.volume_path(source), 'good')
    snapshot = new_snapshot(source)
    volume = new_volume()
    for name in ('.snapshot-%s.tmp' % snapshot['id'],
                 '.volume-%s.tmp' % volume['id']):
        with open(os.path.join(drv.volumes_dir, name), 'wb') as f:
            f.write(b'\xff' * (3 * MiB))
            f.truncate(5 * GiB)
    drv.create_snapshot(snapshot)
    drv.create_volume_from_snapshot(volume, snapshot)
    path = drv.volume_path(volume)
    assert_pattern(path, 'good')
    assert read_at(path, MiB, 16) == bytes(16)  # no garbage left
    assert_sparse(path, 1)
    assert files(drv) == sorted(['volume-' + source['id'],
                                 'volume-' + volume['id'],
                                 'snapshot-' + snapshot['id']])


KILLED_REVERT = '''
import sys
from cinder.volume.drivers import localfile

class Configuration:
    backend_name = 'local'

    def get(self, option):
        return {'local_volumes_dir': sys.argv[1]}.get(option)

drv = localfile.LocalFileDriver(Configuration(), 'node@local')
print('ready', flush=True)
drv.revert_to_snapshot({'id': sys.argv[2], 'size': 1}, {'id': sys.argv[3]})
'''


def fill(path, ranges):
    fd = os.open(path, os.O_WRONLY)
    try:
        for offset, length, byte in ranges:
            os.pwrite(fd, byte * length, offset)
    finally:
        os.close(fd)


def test_revert_killed_at_any_point_is_all_or_nothing(drv):
    """SIGKILL a process reverting a volume at various moments: the volume
    holds either its old data or the snapshot's, never a mix, and running
    the revert again completes it."""
    old = [(0, 32 * MiB, b'A')]
    new = [(0, 16 * MiB, b'B'), (512 * MiB, 16 * MiB, b'B')]

    def content(path):
        return (read_at(path, 0, 32 * MiB), read_at(path, 512 * MiB, 16 * MiB))

    volume = new_volume()
    drv.create_volume(volume)
    path = drv.volume_path(volume)
    fill(path, old)
    old_content = content(path)
    snapshot = new_snapshot(volume)
    drv.create_snapshot(snapshot)
    fill(os.path.join(drv.volumes_dir, 'snapshot-' + snapshot['id']),
         [(0, 32 * MiB, b'\0')] + new)
    drv.revert_to_snapshot(volume, snapshot)
    new_content = content(path)
    assert new_content != old_content

    env = dict(os.environ, PYTHONPATH=ROOT)
    seen = []
    for delay in (0, 0.001, 0.005, 0.01, 0.03, 0.1):
        fill(path, [(0, 32 * MiB, b'A'), (512 * MiB, 16 * MiB, b'\0')])
        assert content(path) == old_content
        child = subprocess.Popen(
            [sys.executable, '-c', KILLED_REVERT, drv.volumes_dir,
             volume['id'], snapshot['id']],
            cwd=ROOT, env=env, stdout=subprocess.PIPE)
        assert child.stdout.readline() == b'ready\n'
        time.sleep(delay)
        child.kill()
        child.wait()
        child.stdout.close()
        seen.append(content(path))
        assert seen[-1] in (old_content, new_content), delay
        assert os.path.getsize(path) == GiB
        drv.revert_to_snapshot(volume, snapshot)
        assert content(path) == new_content
        assert files(drv) == sorted(['volume-' + volume['id'],
                                     'snapshot-' + snapshot['id']])
    # Copying and syncing 48 MiB takes far longer than an immediate kill:
    # at least one run really was interrupted.
    assert old_content in seen


# Reporting and attaching


def test_capabilities_match_the_filesystem(drv, conf):
    big = new_volume(3)
    small = new_volume(1)
    drv.create_volume(big)
    drv.create_volume(small)
    drv.create_snapshot(new_snapshot(big))  # snapshots are not allocated
    caps = drv.get_capabilities()
    fs = os.statvfs(drv.volumes_dir)
    pool = caps['pools'][0]
    assert caps['volume_backend_name'] == 'local'
    assert caps['vendor_name'] == 'Open Source'
    assert caps['driver_version'] == '1.0.0'
    assert caps['storage_protocol'] == 'local'
    assert pool['pool_name'] == 'local'
    assert pool['total_capacity_gb'] == round(
        fs.f_blocks * fs.f_frsize / GiB, 2)
    assert abs(pool['free_capacity_gb']
               - fs.f_bavail * fs.f_frsize / GiB) < 0.5
    assert pool['allocated_capacity_gb'] == 4.0
    assert pool['reserved_percentage'] == 0
    assert pool['max_over_subscription_ratio'] == 20.0
    assert pool['thin_provisioning_support'] is True
    assert pool['thick_provisioning_support'] is False
    assert pool['multiattach'] is True
    assert all(isinstance(pool[key], float) for key in (
        'total_capacity_gb', 'free_capacity_gb', 'allocated_capacity_gb'))


def test_capabilities_use_configured_names(drv, conf):
    conf.set_override('volume_backend_name', 'fast', group='local')
    conf.set_override('reserved_percentage', 15, group='backend_defaults')
    caps = drv.get_capabilities()
    assert caps['volume_backend_name'] == 'fast'
    assert caps['pools'][0]['pool_name'] == 'fast'
    assert caps['pools'][0]['reserved_percentage'] == 15
    assert caps['pools'][0]['allocated_capacity_gb'] == 0.0


def test_initialize_connection_returns_the_path(drv):
    volume = new_volume()
    drv.create_volume(volume)
    info = drv.initialize_connection(volume, {'host': 'node'})
    assert info == {'driver_volume_type': 'local',
                    'data': {'device_path': drv.volume_path(volume)}}
    assert os.path.isabs(info['data']['device_path'])
    drv.terminate_connection(volume, {'host': 'node'})
    drv.terminate_connection(volume, {'host': 'node'})


def test_initialize_connection_missing_volume(drv):
    with pytest.raises(exception.VolumeBackendAPIException):
        drv.initialize_connection(new_volume(), {})


BRICK_ATTACH = '''
import json, sys
from os_brick.initiator import connector
info = json.loads(sys.argv[1])
local = connector.InitiatorConnector.factory(info['driver_volume_type'],
                                             root_helper=None)
device = local.connect_volume(info['data'])
local.disconnect_volume(info['data'], device)
print(json.dumps(device))
'''


def test_os_brick_local_connector_attaches_the_path(drv):
    """What a consumer does with initialize_connection's answer. In a child
    process: os-brick imports eventlet, which this process must not."""
    if importlib.util.find_spec('os_brick') is None:
        pytest.skip('os_brick is not installed')
    volume = new_volume()
    drv.create_volume(volume)
    info = drv.initialize_connection(volume, {})
    result = subprocess.run(
        [sys.executable, '-c', BRICK_ATTACH, json.dumps(info)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    device = json.loads(result.stdout.strip().splitlines()[-1])
    assert device == {'type': 'local', 'path': drv.volume_path(volume)}
