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
"""The committed samples are what tox -e genconfig and genpolicy produce."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


@pytest.mark.parametrize('generator,config,sample,tox_env', [
    ('oslo-config-generator', 'cinder-config-generator.conf',
     'cinder.conf.sample', 'genconfig'),
    ('oslopolicy-sample-generator', 'cinder-policy-generator.conf',
     'policy.yaml.sample', 'genpolicy'),
])
def test_sample_is_current(tmp_path, generator, config, sample, tox_env):
    output = tmp_path / sample
    etc = os.path.join(ROOT, 'etc', 'cinder')
    subprocess.run([os.path.join(os.path.dirname(sys.executable), generator),
                    '--config-file', os.path.join(etc, config),
                    '--output-file', str(output)], check=True, cwd=ROOT)
    with open(os.path.join(etc, sample)) as committed:
        assert output.read_text() == committed.read(), (
            'etc/cinder/%s is stale: run tox -e %s' % (sample, tox_env))
