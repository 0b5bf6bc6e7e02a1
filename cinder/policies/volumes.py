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
"""Policies of volumes, their metadata and actions, named as Cinder's."""

from oslo_policy import policy

from cinder.policies import base

CREATE = 'volume:create'
CREATE_FROM_IMAGE = 'volume:create_from_image'
GET = 'volume:get'
GET_ALL = 'volume:get_all'
UPDATE = 'volume:update'
DELETE = 'volume:delete'
FORCE_DELETE = 'volume:force_delete'
EXTEND = 'volume:extend'
EXTEND_ATTACHED = 'volume:extend_attached_volume'
RETYPE = 'volume:retype'
REVERT = 'volume:revert_to_snapshot'
UPDATE_READONLY = 'volume:update_readonly_flag'
REIMAGE = 'volume:reimage'
GET_METADATA = 'volume:get_volume_metadata'
CREATE_METADATA = 'volume:create_volume_metadata'
UPDATE_METADATA = 'volume:update_volume_metadata'
DELETE_METADATA = 'volume:delete_volume_metadata'
TENANT_ATTRIBUTE = 'volume_extension:volume_tenant_attribute'
HOST_ATTRIBUTE = 'volume_extension:volume_host_attribute'
MIG_STATUS_ATTRIBUTE = 'volume_extension:volume_mig_status_attribute'
RESET_STATUS = 'volume_extension:volume_admin_actions:reset_status'
ADMIN_FORCE_DELETE = 'volume_extension:volume_admin_actions:force_delete'
FORCE_DETACH = 'volume_extension:volume_admin_actions:force_detach'
EXTEND_COMPLETION = ('volume_extension:volume_admin_actions:'
                     'extend_volume_completion')
ATTACH = 'volume_extension:volume_actions:attach'
DETACH = 'volume_extension:volume_actions:detach'
RESERVE = 'volume_extension:volume_actions:reserve'
UNRESERVE = 'volume_extension:volume_actions:unreserve'
BEGIN_DETACHING = 'volume_extension:volume_actions:begin_detaching'
ROLL_DETACHING = 'volume_extension:volume_actions:roll_detaching'
INITIALIZE = 'volume_extension:volume_actions:initialize_connection'
TERMINATE = 'volume_extension:volume_actions:terminate_connection'

VOLUMES = '/volumes'
VOLUME = '/volumes/{volume_id}'
ACTION = '/volumes/{volume_id}/action'
METADATA = '/volumes/{volume_id}/metadata'


def _rule(name, check_str, description, operations):
    return policy.DocumentedRuleDefault(
        name=name, check_str=check_str, description=description,
        operations=[{'method': method, 'path': path}
                    for method, path in operations])


def _action(name, check_str, action, description):
    return _rule(name, check_str, description,
                 [('POST', '%s (%s)' % (ACTION, action))])


rules = [
    _rule(CREATE, base.MEMBER, 'Create a volume.', [('POST', VOLUMES)]),
    _rule(CREATE_FROM_IMAGE, base.MEMBER, 'Create a volume from an image.',
          [('POST', VOLUMES)]),
    _rule(GET, base.READER, 'Show a volume.', [('GET', VOLUME)]),
    _rule(GET_ALL, base.READER, 'List volumes or their summary.',
          [('GET', VOLUMES), ('GET', VOLUMES + '/detail'),
           ('GET', VOLUMES + '/summary')]),
    _rule(UPDATE, base.MEMBER, 'Update a volume; set it bootable.',
          [('PUT', VOLUME), ('POST', ACTION + ' (os-set_bootable)')]),
    _rule(DELETE, base.MEMBER, 'Delete a volume.', [('DELETE', VOLUME)]),
    _rule(FORCE_DELETE, base.RULE_ADMIN_API,
          'Delete a volume whatever its status (force=true, 3.23).',
          [('DELETE', VOLUME)]),
    _action(EXTEND, base.MEMBER, 'os-extend', 'Extend a volume.'),
    _action(EXTEND_ATTACHED, base.MEMBER, 'os-extend',
            'Extend an attached volume (3.42).'),
    _action(RETYPE, base.MEMBER, 'os-retype',
            'Change the type of a volume.'),
    _action(REVERT, base.MEMBER, 'revert',
            'Revert a volume to its latest snapshot (3.40).'),
    _action(REIMAGE, base.MEMBER, 'os-reimage',
            'Re-image a volume (3.68).'),
    _action(UPDATE_READONLY, base.MEMBER, 'os-update_readonly_flag',
            'Set or clear the read-only flag of a volume.'),
    _rule(GET_METADATA, base.READER, 'Show volume metadata.',
          [('GET', METADATA), ('GET', METADATA + '/{key}')]),
    _rule(CREATE_METADATA, base.MEMBER, 'Add volume metadata.',
          [('POST', METADATA)]),
    _rule(UPDATE_METADATA, base.MEMBER, 'Replace volume metadata.',
          [('PUT', METADATA), ('PUT', METADATA + '/{key}')]),
    _rule(DELETE_METADATA, base.MEMBER, 'Delete a volume metadata key.',
          [('DELETE', METADATA + '/{key}')]),
    _rule(TENANT_ATTRIBUTE, base.READER,
          'Show os-vol-tenant-attr:tenant_id in volume views.',
          [('GET', VOLUME)]),
    _rule(HOST_ATTRIBUTE, base.RULE_ADMIN_API,
          'Show os-vol-host-attr:host in volume views.', [('GET', VOLUME)]),
    _rule(MIG_STATUS_ATTRIBUTE, base.RULE_ADMIN_API,
          'Show migration status attributes in volume views.',
          [('GET', VOLUME)]),
    _action(RESET_STATUS, base.RULE_ADMIN_API, 'os-reset_status',
            'Reset the status of a volume in the database.'),
    _action(ADMIN_FORCE_DELETE, base.RULE_ADMIN_API, 'os-force_delete',
            'Delete a volume whatever its status.'),
    _action(FORCE_DETACH, base.RULE_ADMIN_API, 'os-force_detach',
            'Detach a volume whatever its state.'),
    _action(EXTEND_COMPLETION, base.RULE_ADMIN_API,
            'os-extend_volume_completion',
            'Complete an extend of an attached volume (3.71).'),
    _action(ATTACH, base.MEMBER, 'os-attach', 'Attach a volume.'),
    _action(DETACH, base.MEMBER, 'os-detach', 'Detach a volume.'),
    _action(RESERVE, base.MEMBER, 'os-reserve',
            'Mark a volume as being attached.'),
    _action(UNRESERVE, base.MEMBER, 'os-unreserve',
            'Undo os-reserve.'),
    _action(BEGIN_DETACHING, base.MEMBER, 'os-begin_detaching',
            'Mark a volume as being detached.'),
    _action(ROLL_DETACHING, base.MEMBER, 'os-roll_detaching',
            'Undo os-begin_detaching.'),
    _action(INITIALIZE, base.MEMBER, 'os-initialize_connection',
            'Get the connection info of a volume.'),
    _action(TERMINATE, base.MEMBER, 'os-terminate_connection',
            'Drop a connection to a volume.'),
]


def list_rules():
    return rules
