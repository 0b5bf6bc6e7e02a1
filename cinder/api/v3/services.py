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
"""Handlers for /os-services (admin) and /os-availability-zone (anyone)."""

from cinder.api import microversions
from cinder.api.schemas import services as schemas
from cinder.api import wsgi
import cinder.conf
from cinder import exception
from cinder import log_levels
from cinder.objects import service
from cinder.policies import services as policies
from cinder import rpc

VOLUME_BINARY = 'cinder-volume'


def _time(value):
    return value.isoformat() if value else None


def _view(svc, down_time, version):
    up = service.is_up(svc, down_time)
    view = {
        'binary': svc['binary'],
        'host': svc['host'],
        'zone': svc['availability_zone'],
        'status': 'disabled' if svc['disabled'] else 'enabled',
        'state': 'up' if up else 'down',
        'updated_at': _time(svc['updated_at']),
        'disabled_reason': svc['disabled_reason'],
    }
    if svc['binary'] == VOLUME_BINARY:
        view.update(replication_status=svc['replication_status'],
                    active_backend_id=svc['active_backend_id'],
                    frozen=svc['frozen'])
    if version.matches(microversions.CLUSTER_SUPPORT):
        view['cluster'] = svc['cluster_name']
    if (version.matches(microversions.BACKEND_STATE_REPORT)
            and svc['binary'] == VOLUME_BINARY):
        # The backend is up while its service reports its capacity; a
        # driver that failed to start reports none.
        view['backend_state'] = 'up' if up and svc['capabilities'] else (
            'down')
    return view


def list_services(req):
    """GET /os-services[?host=&binary=]: 200 and the services' state."""
    req.context.can(policies.GET_ALL)
    filters = {key: req.GET[key] for key in ('host', 'binary')
               if req.GET.get(key)}
    if 'service' in req.GET and 'binary' not in filters:
        filters['binary'] = req.GET['service']
    down_time = cinder.conf.CONF.service_down_time
    return wsgi.json_response({'services': [
        _view(svc, down_time, req.api_version)
        for svc in service.get_all(**filters)]})


def _set_disabled(req, schema, disabled):
    body = wsgi.read_json(req, schema)
    host = body['host']
    binary = body.get('binary') or body.get('service')
    if not binary:
        raise exception.InvalidInput(reason='Missing required element '
                                            "'binary' in request body.")
    matches = service.get_all(host=host, binary=binary)
    if not matches:
        raise exception.HostBinaryNotFound(host=host, binary=binary)
    reason = body.get('disabled_reason') if disabled else None
    service.update(matches[0]['id'], disabled=disabled,
                   disabled_reason=reason)
    result = {'host': host, 'service': binary, 'binary': binary,
              'disabled': disabled,
              'status': 'disabled' if disabled else 'enabled'}
    if reason:
        result['disabled_reason'] = reason
    return result


TOPICS = {'cinder-volume': 'cinder-volume',
          'cinder-scheduler': 'cinder-scheduler'}

UPDATES = {
    'enable': (schemas.ENABLE_DISABLE, False),
    'disable': (schemas.ENABLE_DISABLE, True),
    'disable-log-reason': (schemas.DISABLE_LOG_REASON, True),
}


def _log_targets(body):
    """(binary, host, topic or None) of the services a log request names;
    topic None is this API process."""
    conf = cinder.conf.CONF
    binary = body.get('binary') or '*'
    server = body.get('server')
    targets = []
    if binary in ('*', 'cinder-api') and server in (None, '', conf.host):
        targets.append(('cinder-api', conf.host, None))
    down_time = conf.service_down_time
    for svc in service.get_all():
        if binary not in ('*', svc['binary']) or (
                server and svc['host'] != server):
            continue
        if svc['binary'] not in TOPICS or not service.is_up(svc,
                                                            down_time):
            continue
        targets.append((svc['binary'], svc['host'], TOPICS[svc['binary']]))
    return targets


LOCAL_LOG_CALLS = {'get_log_levels': log_levels.get_levels,
                   'set_log_levels': log_levels.set_levels}


def _log_call(topic, host, method, **kwargs):
    """*method* on one service; topic None is this process."""
    if topic is None:
        return LOCAL_LOG_CALLS[method](**kwargs)
    return rpc.get_dispatcher().call_service(topic, host, method, **kwargs)


def get_log(req):
    """PUT /os-services/get-log (3.32): 200 and the log levels."""
    body = wsgi.read_json(req, schemas.GET_LOG)
    prefix = body.get('prefix', '')
    levels = []
    for binary, host, topic in _log_targets(body):
        levels.append({'binary': binary, 'host': host,
                       'levels': _log_call(topic, host, 'get_log_levels',
                                           prefix=prefix)})
    return wsgi.json_response({'log_levels': levels})


def set_log(req):
    """PUT /os-services/set-log (3.32): 202."""
    body = wsgi.read_json(req, schemas.SET_LOG)
    for _binary, host, topic in _log_targets(body):
        _log_call(topic, host, 'set_log_levels',
                  prefix=body.get('prefix', ''),
                  level=body['level'].upper())
    return wsgi.empty_response(202)


def update_service(req):
    """PUT /os-services/{action}: enable, disable, disable-log-reason;
    get-log and set-log from 3.32."""
    req.context.can(policies.UPDATE)
    action = req.urlvars['action']
    if action in LOG_ACTIONS and req.api_version.matches(
            microversions.LOG_LEVEL):
        return LOG_ACTIONS[action](req)
    if action not in UPDATES:
        raise exception.NotFound('Unknown action: %s' % action)
    schema, disabled = UPDATES[action]
    return wsgi.json_response(_set_disabled(req, schema, disabled))


LOG_ACTIONS = {'get-log': get_log, 'set-log': set_log}


def list_availability_zones(req):
    """GET /os-availability-zone: 200; a zone is available when one of its
    volume services is enabled. No policy, as in Cinder."""
    zones = {}
    for svc in service.get_all(binary=VOLUME_BINARY):
        zone = svc['availability_zone']
        zones[zone] = zones.get(zone, False) or not svc['disabled']
    return wsgi.json_response({'availabilityZoneInfo': [
        {'zoneName': name, 'zoneState': {'available': available}}
        for name, available in sorted(zones.items())]})
