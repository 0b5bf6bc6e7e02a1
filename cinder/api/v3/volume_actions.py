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
"""POST /volumes/{volume_id}/action: one handler per action key.

ACTIONS maps each action to its body schema, its handler and the
microversion that introduced it. A volume the caller cannot see is a 404
for every action; the policy of the action decides 403.
"""

from cinder.api import common
from cinder.api import microversions as mv
from cinder.api.schemas import volumes as schemas
from cinder.api.v3 import volumes as volumes_api
from cinder.api import wsgi
from cinder.db import api as db_api
from cinder import exception
from cinder.objects import volume as volumes
from cinder.objects import volume_type
from cinder.policies import volumes as policies
from cinder.volume import api as volume_api


def _extend(req, volume, body):
    new_size = volumes_api._size(body['new_size'], what='new size')
    in_use_ok = req.api_version.matches(mv.VOLUME_EXTEND_INUSE)
    if volume['status'] == 'in-use' and in_use_ok:
        req.context.can(policies.EXTEND_ATTACHED,
                        volumes_api._target(volume))
    else:
        req.context.can(policies.EXTEND, volumes_api._target(volume))
    volume_api.extend(req.context, volume['id'], new_size,
                      allow_in_use=in_use_ok)


def _check_enum(name, value, allowed):
    if value is not None and value not in allowed:
        raise exception.InvalidInput(
            reason="Invalid %s '%s': must be one of %s." % (
                name, value, ', '.join(allowed)))


def _reset_status(req, volume, body):
    req.context.can(policies.RESET_STATUS, volumes_api._target(volume))
    _check_enum('status', body.get('status'), volume_api.VOLUME_STATUSES)
    _check_enum('attach_status', body.get('attach_status'),
                volume_api.ATTACH_STATUSES)
    _check_enum('migration_status', body.get('migration_status'),
                volume_api.MIGRATION_STATUSES)
    volume_api.reset_status(req.context, volume['id'], **body)


def _force_delete(req, volume, body):
    req.context.can(policies.ADMIN_FORCE_DELETE, volumes_api._target(volume))
    volume_api.delete(req.context, volume, force=True)


def _set_bootable(req, volume, body):
    req.context.can(policies.UPDATE, volumes_api._target(volume))
    volume_api.set_state(req.context, volume['id'],
                         bootable=common.is_true(body['bootable']))
    return wsgi.empty_response(200)


@db_api.retry_on_db_error
def _update_readonly(req, volume, body):
    req.context.can(policies.UPDATE_READONLY, volumes_api._target(volume))
    if volume['status'] != 'available':
        raise exception.InvalidVolume(
            reason='Volume %s status must be available to update its '
                   'readonly flag, but current status is: %s.'
                   % (volume['id'], volume['status']))
    with db_api.writer() as conn:
        volumes.set_admin_metadata(conn, volume['id'], {
            'readonly': str(common.is_true(body['readonly']))})


def _reserve(req, volume, body):
    req.context.can(policies.RESERVE, volumes_api._target(volume))
    allowed = ('available', 'in-use') if volume['multiattach'] else (
        'available',)
    volume_api.set_state(
        req.context, volume['id'], expected={'status': allowed},
        reason='Volume status must be %s to reserve, but the status is %s.'
               % (' or '.join(allowed), volume['status']),
        status='attaching')


def _unreserve(req, volume, body):
    req.context.can(policies.UNRESERVE, volumes_api._target(volume))
    _release_reservation(req, volume)


def _release_reservation(req, volume):
    """attaching -> in-use if attached somewhere, else available; any other
    status is left alone (Cinder's unreserve)."""
    if volume['status'] == 'attaching':
        attached = [a for a in volume['attachments']
                    if a['attach_status'] == 'attached']
        volume_api.set_state(req.context, volume['id'],
                             expected={'status': 'attaching'},
                             status='in-use' if attached else 'available')


def _begin_detaching(req, volume, body):
    req.context.can(policies.BEGIN_DETACHING, volumes_api._target(volume))
    volume_api.set_state(
        req.context, volume['id'],
        expected={'status': 'in-use', 'attach_status': 'attached'},
        reason='Volume status must be in-use and attach_status must be '
               'attached to begin detaching.',
        status='detaching')


def _roll_detaching(req, volume, body):
    req.context.can(policies.ROLL_DETACHING, volumes_api._target(volume))
    if volume['status'] == 'detaching':
        volume_api.set_state(req.context, volume['id'],
                             expected={'status': 'detaching'},
                             status='in-use')


def _attach(req, volume, body):
    req.context.can(policies.ATTACH, volumes_api._target(volume))
    if not body.get('instance_uuid') and not body.get('host_name'):
        raise exception.InvalidInput(
            reason='Invalid request to attach volume to an invalid target: '
                   'instance_uuid or host_name is required.')
    volume_api.attach(req.context, volume['id'], body['mountpoint'],
                      instance_uuid=body.get('instance_uuid'),
                      host_name=body.get('host_name'),
                      mode=body.get('mode', 'rw'))


def _detach(req, volume, body):
    req.context.can(policies.DETACH, volumes_api._target(volume))
    volume_api.detach(req.context, volume['id'],
                      attachment_id=(body or {}).get('attachment_id'))


def _force_detach(req, volume, body):
    req.context.can(policies.FORCE_DETACH, volumes_api._target(volume))
    volume_api.detach(req.context, volume['id'],
                      attachment_id=(body or {}).get('attachment_id'),
                      force=True)


def _initialize_connection(req, volume, body):
    req.context.can(policies.INITIALIZE, volumes_api._target(volume))
    connector = body['connector']
    info = volume_api.call_backend(req.context, volume['id'],
                                   'initialize_connection',
                                   connector=connector)
    info = dict(info)
    info['enforce_multipath'] = bool(
        isinstance(connector, dict) and common.is_true(
            connector.get('enforce_multipath', False)))
    return wsgi.json_response({'connection_info': info})


def _terminate_connection(req, volume, body):
    req.context.can(policies.TERMINATE, volumes_api._target(volume))
    volume_api.call_backend(req.context, volume['id'],
                            'terminate_connection',
                            connector=body['connector'])
    # As in Cinder, terminating the connection also unreserves.
    _release_reservation(req, volume)


def _retype(req, volume, body):
    req.context.can(policies.RETYPE, volumes_api._target(volume))
    new_type = volume_type.get_by_name_or_id(req.context, body['new_type'])
    volume_api.retype(req.context, volume['id'], new_type,
                      body.get('migration_policy'))


def _revert(req, volume, body):
    req.context.can(policies.REVERT, volumes_api._target(volume))
    volume_api.revert(req.context, volume['id'], body['snapshot_id'])


def _reimage(req, volume, body):
    req.context.can(policies.REIMAGE, volumes_api._target(volume))
    raise exception.InvalidInput(
        reason='Re-imaging a volume needs an image service, which this '
               'deployment does not have.')


def _extend_completion(req, volume, body):
    req.context.can(policies.EXTEND_COMPLETION, volumes_api._target(volume))
    raise exception.InvalidVolume(
        reason='Volume %s is not waiting for an extend to complete: this '
               'service finishes extends of attached volumes itself.'
               % volume['id'])


# action -> (schema, handler, microversion that introduced it)
ACTIONS = {
    'os-extend': (schemas.EXTEND, _extend, mv.BASE_VERSION),
    'os-reset_status': (schemas.RESET_STATUS, _reset_status,
                        mv.BASE_VERSION),
    'os-force_delete': (schemas.no_body('os-force_delete'), _force_delete,
                        mv.BASE_VERSION),
    'os-set_bootable': (schemas.SET_BOOTABLE, _set_bootable,
                        mv.BASE_VERSION),
    'os-update_readonly_flag': (schemas.UPDATE_READONLY, _update_readonly,
                                mv.BASE_VERSION),
    'os-reserve': (schemas.no_body('os-reserve'), _reserve,
                   mv.BASE_VERSION),
    'os-unreserve': (schemas.no_body('os-unreserve'), _unreserve,
                     mv.BASE_VERSION),
    'os-begin_detaching': (schemas.no_body('os-begin_detaching'),
                           _begin_detaching, mv.BASE_VERSION),
    'os-roll_detaching': (schemas.no_body('os-roll_detaching'),
                          _roll_detaching, mv.BASE_VERSION),
    'os-attach': (schemas.ATTACH, _attach, mv.BASE_VERSION),
    'os-detach': (schemas.DETACH, _detach, mv.BASE_VERSION),
    'os-force_detach': (schemas.FORCE_DETACH, _force_detach,
                        mv.BASE_VERSION),
    'os-initialize_connection': (schemas.INITIALIZE,
                                 _initialize_connection, mv.BASE_VERSION),
    'os-terminate_connection': (schemas.TERMINATE, _terminate_connection,
                                mv.BASE_VERSION),
    'os-retype': (schemas.RETYPE, _retype, mv.BASE_VERSION),
    'revert': (schemas.REVERT, _revert, mv.VOLUME_REVERT),
    'os-reimage': (schemas.REIMAGE, _reimage, mv.SUPPORT_REIMAGE_VOLUME),
    'os-extend_volume_completion': (schemas.EXTEND_COMPLETION,
                                    _extend_completion,
                                    mv.EXTEND_VOLUME_COMPLETION),
}


def volume_action(req):
    """POST /volumes/{volume_id}/action: 202 unless the action says
    otherwise (os-set_bootable 200, os-initialize_connection 200)."""
    available = {name: entry for name, entry in ACTIONS.items()
                 if req.api_version.matches(entry[2])}
    schema, handler, _ = wsgi.action_for(req, available)
    body = wsgi.read_json(req, schema)
    (name,) = body
    volume = volumes.get(req.context, req.urlvars['volume_id'])
    response = handler(req, volume, body[name] or {})
    return response if response is not None else wsgi.empty_response(202)
