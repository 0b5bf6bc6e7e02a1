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
"""os-services and os-availability-zone, from the services table."""

import datetime

import pytest
import sqlalchemy as sa

from cinder.db import api as db_api
from cinder.db import models
from cinder.objects import service


@pytest.fixture
def services(app):
    volume = service.create('node1@lvm', 'cinder-volume',
                            availability_zone='az1')
    service.report_alive(volume['id'])
    service.create('node2@nfs', 'cinder-volume', availability_zone='az2',
                   disabled=True, disabled_reason='maintenance')
    scheduler = service.create('node1', 'cinder-scheduler')
    service.report_alive(scheduler['id'])
    return volume


def _age(service_id, seconds):
    """Pretend the service last reported *seconds* ago."""
    past = models.utcnow() - datetime.timedelta(seconds=seconds)
    with db_api.writer() as conn:
        conn.execute(sa.update(models.services)
                     .where(models.services.c.id == service_id)
                     .values(last_seen_up=past, created_at=past))


def test_list_services(v3, services):
    response = v3('GET', '/os-services')
    assert response.status_int == 200
    by_host = {s['host']: s for s in response.json['services']}
    volume = by_host['node1@lvm']
    assert (volume['binary'], volume['zone'], volume['status'],
            volume['state']) == ('cinder-volume', 'az1', 'enabled', 'up')
    assert volume['updated_at'] is not None
    assert volume['replication_status'] == 'not-capable'
    assert volume['frozen'] is False
    disabled = by_host['node2@nfs']
    assert disabled['status'] == 'disabled'
    assert disabled['disabled_reason'] == 'maintenance'
    assert 'frozen' not in by_host['node1']


def test_state_follows_service_down_time(v3, conf, services):
    _age(services['id'], 120)
    states = {s['host']: s['state']
              for s in v3('GET', '/os-services').json['services']}
    assert states['node1@lvm'] == 'down'
    conf.set_override('service_down_time', 300)
    states = {s['host']: s['state']
              for s in v3('GET', '/os-services').json['services']}
    assert states['node1@lvm'] == 'up'


def test_filters(v3, services):
    hosts = [s['host'] for s in v3(
        'GET', '/os-services?binary=cinder-volume').json['services']]
    assert hosts == ['node1@lvm', 'node2@nfs']
    hosts = [s['host'] for s in v3(
        'GET', '/os-services?host=node1').json['services']]
    assert hosts == ['node1']


@pytest.mark.parametrize('persona', ['member', 'reader'])
def test_services_need_admin(v3, services, persona):
    assert v3('GET', '/os-services', persona=persona).status_int == 403
    response = v3('PUT', '/os-services/disable', persona=persona,
                  body={'host': 'node1@lvm', 'binary': 'cinder-volume'})
    assert response.status_int == 403


def test_disable_and_enable_really_change_the_service(v3, services):
    body = {'host': 'node1@lvm', 'binary': 'cinder-volume'}
    response = v3('PUT', '/os-services/disable', body=body)
    assert response.status_int == 200
    assert response.json == {'host': 'node1@lvm', 'service': 'cinder-volume',
                             'binary': 'cinder-volume', 'disabled': True,
                             'status': 'disabled'}
    assert service.get(services['id'])['disabled'] is True

    response = v3('PUT', '/os-services/disable-log-reason', body=dict(
        body, disabled_reason='disk swap'))
    assert response.json['disabled_reason'] == 'disk swap'
    assert service.get(services['id'])['disabled_reason'] == 'disk swap'

    response = v3('PUT', '/os-services/enable', body=body)
    assert response.json['status'] == 'enabled'
    row = service.get(services['id'])
    assert (row['disabled'], row['disabled_reason']) == (False, None)


@pytest.mark.parametrize('action,body,status', [
    ('disable', {'host': 'nowhere', 'binary': 'cinder-volume'}, 404),
    ('disable', {'binary': 'cinder-volume'}, 400),
    ('disable', {'host': 'node1@lvm'}, 400),
    ('disable', {'host': 'node1@lvm', 'binary': 'b', 'x': 1}, 400),
    ('disable-log-reason', {'host': 'node1@lvm', 'binary': 'cinder-volume'},
     400),
    ('disable-log-reason', {'host': 'node1@lvm', 'binary': 'cinder-volume',
                            'disabled_reason': '   '}, 400),
    ('disable-log-reason', {'host': 'node1@lvm', 'binary': 'cinder-volume',
                            'disabled_reason': 'x' * 256}, 400),
    ('freeze', {'host': 'node1@lvm'}, 404),
])
def test_bad_updates_change_nothing(v3, services, action, body, status):
    before = service.get_all()
    response = v3('PUT', '/os-services/' + action, body=body)
    assert response.status_int == status, response.text
    assert service.get_all() == before


def test_availability_zones(v3, services):
    response = v3('GET', '/os-availability-zone', persona='reader')
    assert response.status_int == 200
    assert response.json == {'availabilityZoneInfo': [
        {'zoneName': 'az1', 'zoneState': {'available': True}},
        {'zoneName': 'az2', 'zoneState': {'available': False}}]}


def test_no_volume_service_no_zone(v3):
    assert v3('GET', '/os-availability-zone').json == {
        'availabilityZoneInfo': []}


LOG_VERSION = {'OpenStack-API-Version': 'volume 3.32'}


def test_set_and_get_log_levels_from_3_32(v3, conf):
    """The API process answers for itself; the embedded volume services
    share its loggers."""
    import logging

    from cinder.volume import embedded
    embedded.runtime(conf)
    logging.getLogger('cinder.test_log_levels').setLevel('INFO')
    body = {'binary': 'cinder-api', 'prefix': 'cinder.test_log_levels'}
    response = v3('PUT', '/os-services/get-log', body=body,
                  headers=LOG_VERSION)
    assert response.status_int == 200
    assert response.json == {'log_levels': [{
        'binary': 'cinder-api', 'host': conf.host,
        'levels': {'cinder.test_log_levels': 'INFO'}}]}

    response = v3('PUT', '/os-services/set-log', headers=LOG_VERSION,
                  body={'binary': '*', 'prefix': 'cinder.test_log_levels',
                        'level': 'debug'})
    assert response.status_int == 202
    assert logging.getLogger('cinder.test_log_levels').level == (
        logging.DEBUG)
    response = v3('PUT', '/os-services/get-log', headers=LOG_VERSION,
                  body={'prefix': 'cinder.test_log_levels'})
    listed = {(item['binary'], item['host']): item['levels']
              for item in response.json['log_levels']}
    assert set(listed) == {('cinder-api', conf.host),
                           ('cinder-scheduler', conf.host),
                           ('cinder-volume', '%s@local' % conf.host)}
    assert all(levels == {'cinder.test_log_levels': 'DEBUG'}
               for levels in listed.values())


@pytest.mark.parametrize('body', [
    {'binary': 'cinder-api', 'level': 'LOUD'},
    {'binary': 'nova-api', 'level': 'DEBUG'},
    {'binary': 'cinder-api'},
])
def test_bad_set_log_is_400(v3, body):
    response = v3('PUT', '/os-services/set-log', body=body,
                  headers=LOG_VERSION)
    assert response.status_int == 400


def test_log_levels_are_not_there_before_3_32(v3):
    response = v3('PUT', '/os-services/get-log', body={},
                  headers={'OpenStack-API-Version': 'volume 3.31'})
    assert response.status_int == 404


def test_log_levels_need_admin(v3):
    response = v3('PUT', '/os-services/get-log', body={}, persona='member',
                  headers=LOG_VERSION)
    assert response.status_int == 403
