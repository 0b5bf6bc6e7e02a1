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
"""OpenStack-API-Version negotiation (api-surface.md section 1.3)."""

import os
import re

import pytest

from cinder.api import microversions
from cinder import exception

APIVersion = microversions.APIVersion


@pytest.mark.parametrize('header,expected', [
    (None, '3.0'),
    ('volume 3.0', '3.0'),
    ('volume latest', microversions.MAX_VERSION),
    ('compute 2.1, volume 3.0', '3.0'),
])
def test_negotiated(header, expected):
    headers = {} if header is None else {microversions.HEADER: header}
    assert str(microversions.from_headers(headers)) == expected


@pytest.mark.parametrize('header', ['volume 3', 'volume 3.1.1', 'volume abc',
                                    'volume', 'compute 2.1'])
def test_bad_format_is_400(header):
    with pytest.raises(exception.Invalid) as info:
        microversions.from_headers({microversions.HEADER: header})
    assert info.value.code == 400


@pytest.mark.parametrize('version', ['2.0', '4.0', '3.72', '3.99'])
def test_out_of_range_is_406(version):
    with pytest.raises(exception.InvalidGlobalAPIVersion) as info:
        microversions.from_headers({microversions.HEADER: 'volume ' + version})
    assert info.value.code == 406
    assert info.value.msg == (
        'Version %s is not supported by the API. Minimum is 3.0 and maximum '
        'is %s.' % (version, microversions.MAX_VERSION))


def test_matches():
    version = APIVersion(3, 40)
    assert version.matches('3.40')
    assert version.matches('3.0', '3.40')
    assert not version.matches('3.41')
    assert not version.matches(None, '3.39')


def test_406_body_and_no_echo(request_app):
    response = request_app('/v3/extensions',
                           headers={'OpenStack-API-Version': 'volume 9.9'})
    assert response.status_int == 406
    assert response.json == {'computeFault': {
        'code': 406, 'message': 'Version 9.9 is not supported by the API. '
        'Minimum is 3.0 and maximum is %s.' % microversions.MAX_VERSION}}
    assert 'OpenStack-API-Version' not in response.headers


def test_every_response_echoes_the_version(request_app):
    for path in ('/v3/extensions', '/v3/nothing-here'):
        response = request_app(path)
        assert response.headers['OpenStack-API-Version'] == 'volume 3.0'
        assert response.headers['Vary'] == 'OpenStack-API-Version'


def test_history_documents_every_served_version():
    history = os.path.join(os.path.dirname(microversions.__file__),
                           'rest_api_version_history.rst')
    documented = re.findall(r'^(3\.\d+)\n-+$', open(history).read(), re.M)
    assert documented, 'no version sections found'
    assert documented[-1] == microversions.MAX_VERSION
    assert documented[0] == microversions.MIN_VERSION
