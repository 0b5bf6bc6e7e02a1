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
"""cinder-api's listening sockets: one SO_REUSEPORT socket per worker.

Linux lets any process of the same user join a SO_REUSEPORT group, so a
second cinder-api started on an address already served would bind without
error and the kernel would split the connections between two services,
each with its own state. listen_group() refuses that the way a plain bind
would, with "address in use": a probe socket without SO_REUSEPORT first
binds the address (it fails while anything listens there, on that address
or on the wildcard), and an abstract Unix socket named after the port
serializes the probe and the binds of instances starting at the same time.

Plain socket calls: cinder-api has monkey-patched them before this import,
and the unit tests use them as they are.
"""

import errno
import socket
import time

from cinder import exception

BACKLOG = 128
# How long a start waits for another instance's probe and binds (a few
# milliseconds) before it gives up.
LOCK_TIMEOUT = 10


def listen(host, port):
    """A listening socket in the SO_REUSEPORT group of (host, port)."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except BaseException:
        sock.close()
        raise
    return sock


def listen_group(host, port, count):
    """*count* sockets of a new group on (host, port); AddressInUse if the
    address is served already. Port 0 takes a free port for the group."""
    if port == 0:
        return _bind_group(host, port, count)
    address = _address(host, port)
    with _StartLock(port, address):
        _probe(host, port, address)
        return _bind_group(host, port, count)


def _bind_group(host, port, count):
    sockets = []
    try:
        for _ in range(count):
            sockets.append(listen(host, port))
            # Port 0: the later sockets join the port the first one got.
            port = sockets[0].getsockname()[1]
    except OSError as error:
        for sock in sockets:
            sock.close()
        if error.errno == errno.EADDRINUSE:
            raise exception.AddressInUse(address=_address(host, port),
                                         reason=error.strerror) from error
        raise
    return sockets


def _probe(host, port, address):
    # SO_REUSEADDR: connections of an earlier run in TIME_WAIT do not make
    # the address look taken; a listening socket still does.
    probe = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise exception.AddressInUse(
                address=address,
                reason='another process listens there (a cinder-api '
                       'already running?)') from error
        raise
    finally:
        probe.close()


class _StartLock:
    """Held while an instance probes and binds a port.

    An abstract Unix socket rather than a lock file: it needs no writable
    directory that every instance shares, and the kernel frees it when
    its process dies, however it dies.
    """

    def __init__(self, port, address):
        self.name = b'\0cinder-api-start:%d' % port
        self.address = address
        self.sock = None

    def __enter__(self):
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.bind(self.name)
            except OSError as error:
                sock.close()
                if error.errno != errno.EADDRINUSE:
                    raise
                if time.monotonic() > deadline:
                    raise exception.AddressInUse(
                        address=self.address,
                        reason='another cinder-api has been starting on '
                               'this port for %d s' % LOCK_TIMEOUT
                    ) from error
                time.sleep(0.05)
                continue
            self.sock = sock
            return self

    def __exit__(self, *exc_info):
        self.sock.close()


def _family(host):
    return socket.AF_INET6 if ':' in host else socket.AF_INET


def _address(host, port):
    return ('[%s]:%d' if ':' in host else '%s:%d') % (host, port)
