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
"""cinder-api's SO_REUSEPORT groups: a group per address, never two."""

import contextlib
import socket
import threading
import time

import pytest

from cinder import exception
from cinder.wsgi import sockets


@pytest.fixture
def opened():
    """Closes every socket a test opened through it."""
    group = []
    yield group
    for sock in group:
        sock.close()


def _free_port():
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _answers(port):
    with socket.create_connection(('127.0.0.1', port), timeout=5):
        return True


def test_a_group_shares_one_port(opened):
    opened += sockets.listen_group('127.0.0.1', 0, 3)
    ports = {sock.getsockname()[1] for sock in opened}
    assert len(ports) == 1 and ports != {0}
    # A respawned worker joins the running group.
    opened.append(sockets.listen('127.0.0.1', ports.pop()))


def test_a_second_group_on_a_served_address_is_refused(opened):
    """Without the probe the second group binds (SO_REUSEPORT, same user)
    and takes part of the first one's connections."""
    port = _free_port()
    opened += sockets.listen_group('127.0.0.1', port, 2)
    with pytest.raises(exception.AddressInUse) as caught:
        sockets.listen_group('127.0.0.1', port, 2)
    assert caught.value.msg.startswith('127.0.0.1:%d is already in use' % port)
    assert _answers(port)


def test_the_wildcard_address_serves_loopback_too(opened):
    port = _free_port()
    opened += sockets.listen_group('0.0.0.0', port, 1)
    with pytest.raises(exception.AddressInUse):
        sockets.listen_group('127.0.0.1', port, 1)


def test_another_program_on_the_port_is_refused(opened):
    port = _free_port()
    other = socket.socket()
    opened.append(other)
    other.bind(('127.0.0.1', port))
    other.listen()
    with pytest.raises(exception.AddressInUse):
        sockets.listen_group('127.0.0.1', port, 1)


def test_connections_of_an_earlier_run_do_not_block_a_restart(opened):
    port = _free_port()
    group = sockets.listen_group('127.0.0.1', port, 1)
    client = socket.create_connection(('127.0.0.1', port))
    served, _ = group[0].accept()
    served.close()  # the server closes first: its side waits in TIME_WAIT
    client.close()
    group[0].close()
    opened += sockets.listen_group('127.0.0.1', port, 1)


def test_instances_starting_together_get_one_group(monkeypatch, opened):
    """Both probes would pass if the second ran before the first group was
    bound; the start lock orders them."""
    port = _free_port()
    probe = sockets._probe

    def slow_probe(*args):
        probe(*args)
        time.sleep(0.3)

    monkeypatch.setattr(sockets, '_probe', slow_probe)
    outcomes = []

    def start():
        try:
            outcomes.append(sockets.listen_group('127.0.0.1', port, 1))
        except exception.AddressInUse as error:
            outcomes.append(error)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    groups = [o for o in outcomes if isinstance(o, list)]
    for group in groups:
        opened += group
    assert len(groups) == 1, outcomes


def test_a_start_that_never_ends_holding_the_lock_times_out(monkeypatch):
    port = _free_port()
    monkeypatch.setattr(sockets, 'LOCK_TIMEOUT', 0.2)
    with sockets._StartLock(port, 'x'):
        with pytest.raises(exception.AddressInUse) as caught:
            sockets.listen_group('127.0.0.1', port, 1)
    assert 'starting on this port' in caught.value.msg
    # Released on exit: the next start goes through.
    for sock in sockets.listen_group('127.0.0.1', port, 1):
        sock.close()
