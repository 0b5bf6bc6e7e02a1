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
"""The committed cinder.conf.sample is what tox -e genconfig produces."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def test_sample_config_is_current(tmp_path):
    output = tmp_path / 'cinder.conf.sample'
    generator = os.path.join(os.path.dirname(sys.executable),
                             'oslo-config-generator')
    config = os.path.join(ROOT, 'etc/cinder/cinder-config-generator.conf')
    subprocess.run([generator, '--config-file', config,
                    '--output-file', str(output)], check=True, cwd=ROOT)
    with open(os.path.join(ROOT, 'etc/cinder/cinder.conf.sample')) as sample:
        committed = sample.read()
    assert output.read_text() == committed, (
        'etc/cinder/cinder.conf.sample is stale: run tox -e genconfig')


def test_sample_policy_is_current(tmp_path):
    output = tmp_path / 'policy.yaml.sample'
    generator = os.path.join(os.path.dirname(sys.executable),
                             'oslopolicy-sample-generator')
    config = os.path.join(ROOT, 'etc/cinder/cinder-policy-generator.conf')
    subprocess.run([generator, '--config-file', config,
                    '--output-file', str(output)], check=True, cwd=ROOT)
    with open(os.path.join(ROOT, 'etc/cinder/policy.yaml.sample')) as sample:
        committed = sample.read()
    assert output.read_text() == committed, (
        'etc/cinder/policy.yaml.sample is stale: run tox -e genpolicy')
