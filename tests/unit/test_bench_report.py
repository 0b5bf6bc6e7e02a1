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
"""The benchmark report's ratios against the reference, and the ceiling
the write scenarios' polls put on any service."""

from tools.bench import load
from tools.bench import report


def _row(target, scenario, connections, rate, unit='iteration'):
    return {'target': target, 'database': 'mysql', 'scenario': scenario,
            'connections': connections, 'rate': rate, 'p50': 1.0,
            'p99': 2.0, 'errors': 0, 'cpu_ms': 1.0, 'hot': 50.0,
            'unit': unit}


def _targets():
    return [{'target': target, 'database': 'mysql', 'start_s': 0.5,
             'warm_rss_mb': 80.0, 'rss_mb': 85.0}
            for target in ('uwsgi-module+rabbitmq',
                           'cinder-29 uwsgi+rabbitmq')]


def test_poll_ceiling_is_the_clients_sleeps_alone():
    # One client sleeps 10 ms per wait; ten share 200 polls a second.
    assert load.poll_interval(1) == 0.01
    assert load.poll_interval(10) == 0.05
    assert load.poll_ceiling('create_and_delete_volume', 1) == 50
    assert load.poll_ceiling('create_and_delete_volume', 10) == 100
    assert load.poll_ceiling('create_and_list_volume', 10) == 200
    assert round(load.poll_ceiling('create_volume_and_extend', 1), 1) == 33.3
    assert set(load.WAITS) == {name for name, _, _ in load.WRITE_SCENARIOS}


def test_write_ratios_show_what_the_polls_allow():
    rows = [_row('uwsgi-module+rabbitmq', 'get_volume', 1, 2600.0,
                 'request'),
            _row('cinder-29 uwsgi+rabbitmq', 'get_volume', 1, 250.0,
                 'request'),
            _row('uwsgi-module+rabbitmq', 'create_and_delete_volume', 1,
                 31.3),
            _row('cinder-29 uwsgi+rabbitmq', 'create_and_delete_volume', 1,
                 5.8)]
    text = '\n'.join(report.targets_section(rows, _targets(), 0.4))
    # A read: the ratio alone. A write: and the ratio at the ceiling,
    # 50 iterations a second over the reference's 5.8.
    assert '| get_volume | 10.4x |' in text
    assert '| create_and_delete_volume | 5.4x (8.6x) |' in text
    assert '| create_and_delete_volume | 2 | 50 |' in text


def test_no_ceiling_table_without_write_scenarios():
    rows = [_row('uwsgi-module+rabbitmq', 'get_volume', 10, 2600.0,
                 'request')]
    text = '\n'.join(report.targets_section(rows, _targets()[:1], 0.4))
    assert "polls' ceiling" not in text
