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
"""Microversions: the named constants and the negotiation rules.

The human history of every version is rest_api_version_history.rst beside
this file. To raise MAX_VERSION: implement every change of the versions
up to it for every resource that exists, name the new versions here, add
them to the history, and bump MAX_VERSION (test_microversions checks the
history and the constants agree).
"""

import functools
import re

from cinder import exception

HEADER = 'OpenStack-API-Version'
SERVICE_TYPE = 'volume'

# Named versions, as Cinder names them. Handlers branch on these with
# APIVersion.matches(); only versions up to MAX_VERSION are served.
BASE_VERSION = '3.0'
VOLUME_LIST_BOOTABLE = '3.2'
MESSAGES = '3.3'
MESSAGES_PAGINATION = '3.5'
CLUSTER_SUPPORT = '3.7'
VOLUME_LIST_GROUP = '3.10'
VOLUME_SUMMARY = '3.12'
GROUP_VOLUME = '3.13'
GROUP_SNAPSHOTS = '3.14'
ETAGS = '3.15'
VOLUME_DETAIL_PROVIDER_ID = '3.21'
SNAPSHOT_LIST_METADATA_FILTER = '3.22'
VOLUME_DELETE_FORCE = '3.23'
SNAPSHOT_SORT_NAME = '3.30'
RESOURCE_FILTER = '3.31'
LOG_LEVEL = '3.32'
RESOURCE_FILTERS = '3.33'
LIKE_FILTER = '3.34'
VOLUME_SUMMARY_METADATA = '3.36'
LIMITS_ADMIN_FILTER = '3.39'
VOLUME_REVERT = '3.40'
SNAPSHOT_LIST_USER_ID = '3.41'
VOLUME_EXTEND_INUSE = '3.42'
SUPPORT_COUNT_INFO = '3.45'
VOLUME_SHARED_TARGETS_AND_SERVICE_FIELDS = '3.48'
BACKEND_STATE_REPORT = '3.49'
SUPPORT_VOLUME_TYPE_FILTER = '3.52'
SUPPORT_VOLUME_SCHEMA_CHANGES = '3.53'
VOLUME_TIME_COMPARISON_FILTER = '3.60'
VOLUME_CLUSTER_NAME = '3.61'
DEFAULT_TYPES = '3.62'
VOLUME_TYPE_ID_IN_VOLUME_DETAIL = '3.63'
ENCRYPTION_KEY_ID_IN_DETAILS = '3.64'
USE_QUOTA = '3.65'
SNAPSHOT_IN_USE = '3.66'
SUPPORT_REIMAGE_VOLUME = '3.68'
SHARED_TARGETS_TRISTATE = '3.69'
EXTEND_VOLUME_COMPLETION = '3.71'

MIN_VERSION = BASE_VERSION
# The highest version whose changes are implemented for every resource this
# service has (rest_api_version_history.rst lists what each one changed).
MAX_VERSION = '3.71'

_VERSION_RE = re.compile(r'^([1-9]\d*)\.([1-9]\d*|0)$')


class APIVersion(tuple):
    """A (major, minor) microversion; compares as a tuple."""

    def __new__(cls, major, minor):
        return super().__new__(cls, (int(major), int(minor)))

    @classmethod
    def parse(cls, text):
        match = _VERSION_RE.match(text.strip())
        if not match:
            raise exception.InvalidAPIVersionString(version=text)
        return cls(*match.groups())

    def matches(self, min_version=None, max_version=None):
        """True if min_version <= self <= max_version (str or APIVersion)."""
        if min_version is not None and self < _as_version(min_version):
            return False
        return max_version is None or self <= _as_version(max_version)

    def __str__(self):
        return '%d.%d' % self


@functools.cache
def _parse_cached(text):
    return APIVersion.parse(text)


def _as_version(value):
    return value if isinstance(value, APIVersion) else _parse_cached(value)


MIN = APIVersion.parse(MIN_VERSION)
MAX = APIVersion.parse(MAX_VERSION)


def from_headers(headers):
    """Negotiate the version a request asks for, as Cinder does.

    No header means the minimum; ``volume latest`` means the maximum. A
    header without a ``volume`` item or with a malformed version is a 400,
    a well-formed version out of range a 406.
    """
    value = headers.get(HEADER)
    if value is None:
        return MIN
    requested = None
    for item in value.split(','):
        if SERVICE_TYPE in item:
            requested = item.strip()
            break
    if requested is None:
        raise exception.InvalidInput(
            reason='%s header must name the volume service, e.g. '
                   '"volume 3.0".' % HEADER)
    text = requested.split(None, 1)[1] if ' ' in requested else ''
    if text.strip().lower() == 'latest':
        return MAX
    version = APIVersion.parse(text)
    if not MIN <= version <= MAX:
        raise exception.InvalidGlobalAPIVersion(
            req_ver=str(version), min_ver=MIN_VERSION, max_ver=MAX_VERSION)
    return version


def response_headers(version):
    return {HEADER: '%s %s' % (SERVICE_TYPE, version), 'Vary': HEADER}
