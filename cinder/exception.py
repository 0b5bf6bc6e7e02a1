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
"""Domain exceptions.

Each carries the HTTP status it maps to (``code``) and a message template
worded as Cinder words it, because clients and operators match on both; the
API turns them into fault bodies in one place (cinder.api.faults).
"""


class CinderException(Exception):
    message = 'An unknown exception occurred.'
    code = 500
    headers = {}
    safe = False  # True: the message may be shown to API users on a 500

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if message is None:
            try:
                message = self.message % kwargs
            except (KeyError, TypeError):
                message = self.message
        self.msg = str(message)
        super().__init__(self.msg)


class ConfigError(CinderException):
    message = 'Invalid configuration: %(reason)s'


class AddressInUse(CinderException):
    message = '%(address)s is already in use: %(reason)s'


class DBNotConfigured(CinderException):
    message = 'The database layer is used before it was configured.'


class DBConnectionError(CinderException):
    message = 'Cannot connect to the database %(url)s: %(reason)s'


class DBSchemaOutOfDate(CinderException):
    message = ("The database schema is at revision %(current)s but this "
               "release needs %(head)s: run 'cinder-manage db sync'.")


class Invalid(CinderException):
    message = 'Unacceptable parameters.'
    code = 400


class InvalidInput(Invalid):
    message = 'Invalid input received: %(reason)s'


class MalformedRequestUrl(Invalid):
    message = 'Malformed request url'


class InvalidAPIVersionString(Invalid):
    message = ('API Version String %(version)s is of invalid format. Must be '
               'of format MajorNum.MinorNum.')


class InvalidGlobalAPIVersion(CinderException):
    message = ('Version %(req_ver)s is not supported by the API. Minimum is '
               '%(min_ver)s and maximum is %(max_ver)s.')
    code = 406


class NotAuthorized(CinderException):
    message = 'Not authorized.'
    code = 403


class PolicyNotAuthorized(NotAuthorized):
    message = "Policy doesn't allow %(action)s to be performed."


class NotFound(CinderException):
    message = 'Resource could not be found.'
    code = 404
    safe = True


class ExtensionNotFound(NotFound):
    message = 'Extension %(alias)s could not be found.'


class ServiceNotFound(NotFound):
    message = 'Service %(service_id)s could not be found.'


class HostBinaryNotFound(NotFound):
    message = 'Could not find binary %(binary)s on host %(host)s.'


class ValidationError(Invalid):
    message = '%(detail)s'


class MalformedRequestBody(Invalid):
    message = 'Malformed message body: %(reason)s'


class InvalidContentType(Invalid):
    message = 'Invalid content type %(content_type)s.'
    code = 415


class Conflict(CinderException):
    message = 'Conflict.'
    code = 409
    safe = True


class VolumeTypeNotFound(NotFound):
    message = 'Volume type %(volume_type_id)s could not be found.'


class VolumeTypeNotFoundByName(VolumeTypeNotFound):
    message = 'Volume type with name %(volume_type_name)s could not be found.'


class DefaultVolumeTypeNotFound(NotFound):
    message = 'Default volume type can not be found.'


class VolumeTypeExists(Conflict):
    message = 'Volume Type %(id)s already exists.'


class VolumeTypeExtraSpecsNotFound(NotFound):
    message = ('Volume Type %(volume_type_id)s has no extra specs with key '
               '%(extra_specs_key)s.')


class VolumeTypeAccessNotFound(NotFound):
    message = ('Volume type access not found for %(volume_type_id)s / '
               '%(project_id)s combination.')


class VolumeTypeAccessExists(Conflict):
    message = ('Volume type access for %(volume_type_id)s / %(project_id)s '
               'combination already exists.')


class VolumeTypeDefault(Invalid):
    message = 'The default volume type can not be deleted.'


class VolumeTypeInUse(Invalid):
    message = 'Target volume type is still in use.'


class VolumeTypeSpecsInUse(Invalid):
    message = 'Volume Type is currently in use.'


class OverQuota(CinderException):
    message = 'Quota exceeded for resources: %(overs)s'
    code = 413
    safe = True
    headers = {'Retry-After': '0'}


class MessageNotFound(NotFound):
    message = 'Message %(id)s could not be found.'


class MarkerNotFound(NotFound):
    message = 'Marker %(marker)s could not be found.'


class DefaultVolumeTypeProjectNotFound(NotFound):
    message = ('Default type for project %(project_id)s not found.')


class VolumeTypeDefaultForProjects(Invalid):
    message = ('The volume type %(volume_type_id)s is the default type of '
               'projects %(projects)s and can not be deleted.')


class VolumeBackendAPIException(CinderException):
    message = ('Bad or unexpected response from the storage volume backend '
               'API: %(data)s')


class VolumeDriverNotFound(CinderException):
    message = 'Volume driver %(name)s could not be loaded: %(reason)s'


class VolumeNotFound(NotFound):
    message = 'Volume %(volume_id)s could not be found.'


class SnapshotNotFound(NotFound):
    message = 'Snapshot %(snapshot_id)s could not be found.'


class VolumeMetadataNotFound(NotFound):
    message = ('Volume %(volume_id)s has no metadata with key '
               '%(metadata_key)s.')


class SnapshotMetadataNotFound(NotFound):
    message = ('Snapshot %(snapshot_id)s has no metadata with key '
               '%(metadata_key)s.')


class VolumeAttachmentNotFound(NotFound):
    message = 'Volume attachment could not be found with filter: %(filter)s.'


class InvalidVolume(Invalid):
    message = 'Invalid volume: %(reason)s'


class InvalidSnapshot(Invalid):
    message = 'Invalid snapshot: %(reason)s'


class InvalidVolumeType(Invalid):
    message = 'Invalid volume type: %(reason)s'


class InvalidAvailabilityZone(Invalid):
    message = "Availability zone '%(az)s' is invalid."


class VolumeSizeExceedsLimit(OverQuota):
    message = ('Requested volume size %(size)dG is larger than maximum '
               'allowed limit %(limit)dG.')


class InvalidVolumeStatusConflict(Conflict):
    message = 'Invalid volume: %(reason)s'


class VolumeMetadataMismatch(CinderException):
    message = 'The volume metadata changed since it was read (If-Match).'
    code = 412
    safe = True


class ServiceUnavailable(CinderException):
    message = 'Service is unavailable at this time: %(reason)s'
    code = 503
    safe = True


class NoValidBackend(CinderException):
    message = 'No valid backend was found. %(reason)s'


class VolumeLimitExceeded(OverQuota):
    message = ("Maximum number of volumes allowed (%(allowed)d) exceeded "
               "for quota '%(name)s'.")


class SnapshotLimitExceeded(OverQuota):
    message = ("Maximum number of snapshots allowed (%(allowed)d) exceeded "
               "for quota '%(name)s'.")


class VolumeSizeExceedsAvailableQuota(OverQuota):
    message = ('Requested volume or snapshot exceeds allowed %(name)s '
               'quota. Requested %(requested)sG, quota is %(quota)sG and '
               '%(consumed)sG has been consumed.')
