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
"""What user messages say: the actions and details Cinder's messages name.

A message's event_id is VOLUME_<resource>_<action id>_<detail id> and its
user_message "<action>: <detail>", as Cinder composes them, so scripts that
match on either keep working.
"""

# (id, text) pairs, as in Cinder.
SCHEDULE_ALLOCATE_VOLUME = ('001', 'schedule allocate volume')
ATTACH_VOLUME = ('002', 'attach volume')
COPY_VOLUME_TO_IMAGE = ('003', 'copy volume to image')
UPDATE_ATTACHMENT = ('004', 'update attachment')
COPY_IMAGE_TO_VOLUME = ('005', 'copy image to volume')
UNMANAGE_VOLUME = ('006', 'unmanage volume')
EXTEND_VOLUME = ('007', 'extend volume')
CREATE_VOLUME_FROM_BACKEND = ('008', 'create volume from backend storage')
SNAPSHOT_CREATE = ('009', 'create snapshot')
SNAPSHOT_DELETE = ('010', 'delete snapshot')
REVERT_VOLUME = ('016', 'revert volume')
# Not in Cinder 29, which reports failed retypes in its logs only.
RETYPE_VOLUME = ('030', 'retype volume')

UNKNOWN_ERROR = ('001', 'An unknown error occurred.')
DRIVER_NOT_INITIALIZED = ('002', 'Driver is not initialized at present.')
NO_BACKEND_AVAILABLE = ('003', 'Could not find any available weighted '
                               'backend.')
FAILED_TO_UPLOAD_VOLUME = ('004', 'Failed to upload volume to image at '
                                  'backend.')
VOLUME_ATTACH_MODE_INVALID = ('005', "Volume's attach mode is invalid.")
QUOTA_EXCEED = ('006', 'Not enough quota resource for operation.')
NOT_ENOUGH_SPACE_FOR_IMAGE = ('007', 'Image used for creating volume '
                                     'exceeds available space.')
DRIVER_FAILED_EXTEND = ('010', 'Volume driver failed to extend the volume.')
DRIVER_FAILED_CREATE = ('012', 'Driver failed to create the volume.')
SNAPSHOT_IS_BUSY = ('022', 'Snapshot is busy.')
# Not in Cinder 29 (see RETYPE_VOLUME).
MIGRATION_NOT_ALLOWED = ('030', 'The new type needs another backend and '
                                'the migration policy is "never".')
MIGRATION_IMPOSSIBLE = ('031', 'A volume with snapshots or attachments '
                               'cannot move to another backend.')

RESOURCE_CODES = {'VOLUME': 'VOLUME', 'VOLUME_SNAPSHOT': 'SNAPSHOT',
                  'VOLUME_BACKUP': 'BACKUP', 'VOLUME_ATTACHMENT':
                  'ATTACHMENT', 'IMAGE_CACHE': 'IMAGE_CACHE'}


def event_id(resource_type, action, detail):
    return 'VOLUME_%s_%s_%s' % (RESOURCE_CODES.get(resource_type, 'VOLUME'),
                                action[0], detail[0])


def user_message(action, detail):
    return '%s: %s' % (action[1], detail[1])
