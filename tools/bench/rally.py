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
"""Rally itself against this API behind a real Keystone: ``tox -e rally``.

tools/bench/modes.py runs closed loops modelled on Rally's CinderVolumes
scenarios; this runs the real ones, through Rally's own harness and
clients, as an operator would to check a cloud:

* Keystone from PyPI under uWSGI (tests/functional/keystone.py, the
  functional tests' Keystone) and our API under uWSGI with
  ``auth_strategy = keystone`` and the embedded volume service, both on
  SQLite, registered in Keystone's catalog;
* rally and rally-openstack, pinned by tools/rally-constraints.txt, in a
  virtualenv of their own (``.tox/rally-openstack-<version>-pyX.Y``):
  never in this project's;
* a Rally environment for the bootstrap admin, and a task with the
  CinderVolumes scenarios: create_and_delete_volume,
  create_and_list_volume, create_and_get_volume, create_and_extend_volume,
  list_volumes and create_and_delete_snapshot. Rally's ``users`` context
  makes two projects with two users each and its ``quotas`` context lifts
  their volume quotas, through our quota API.

Rally waits 2 s before its first poll of a new volume and polls every
2 s, which would measure its own sleeping: the task runs with 0.1 s for
both (``[openstack] cinder_volume_*`` options). Everything else is
Rally's default.

Writes rally.md (a table per scenario: iterations, failures, and Rally's
duration statistics), rally.html (Rally's own report) and rally.json to
--out. Exits non-zero if any iteration failed.

Run: python tools/bench/rally.py [--times N] [--concurrency C] [--out DIR]
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from tests.functional import keystone  # noqa: E402
from tools.bench import modes  # noqa: E402

CONSTRAINTS = os.path.join(ROOT, 'tools', 'rally-constraints.txt')
SCENARIOS = (
    ('CinderVolumes.create_and_delete_volume', {'size': 1}, {}),
    ('CinderVolumes.create_and_list_volume',
     {'size': 1, 'detailed': True}, {}),
    ('CinderVolumes.create_and_get_volume', {'size': 1}, {}),
    ('CinderVolumes.create_and_extend_volume',
     {'size': 1, 'new_size': 2}, {}),
    ('CinderVolumes.list_volumes', {'detailed': True},
     {'volumes': {'size': 1, 'volumes_per_tenant': 5}}),
    ('CinderVolumes.create_and_delete_snapshot', {'force': False},
     {'volumes': {'size': 1}}),
)
POLL_SECONDS = 0.1


def ensure_rally():
    """The rally executable of the pinned venv, installing it if needed
    (as the functional tests install Keystone)."""
    version = keystone.pinned_version('rally-openstack', CONSTRAINTS)
    venv = os.path.join(ROOT, '.tox', 'rally-openstack-%s-py%d.%d' % (
        version, *sys.version_info[:2]))
    print('rally-openstack %s in %s' % (version, venv))
    venv = keystone.ensure_venv(venv, CONSTRAINTS, ('rally-openstack',))
    return os.path.join(venv, 'bin', 'rally')


def task(times, concurrency):
    """Rally's task format v2: one subtask per scenario."""
    users = {'tenants': 2, 'users_per_tenant': 2}
    unlimited = {'volumes': -1, 'gigabytes': -1, 'snapshots': -1}
    return {
        'version': 2,
        'title': 'CinderVolumes against cinder-wsgi',
        'subtasks': [{
            'title': name,
            'workloads': [{
                'scenario': {name: args},
                'runner': {'constant': {'times': times,
                                        'concurrency': concurrency}},
                'contexts': dict(contexts, users=users,
                                 quotas={'cinder': unlimited}),
                'sla': {'failure_rate': {'max': 0}},
            }],
        } for name, args, contexts in SCENARIOS],
    }


class Rally:
    """The rally CLI on its own config file and SQLite database."""

    def __init__(self, executable, work_dir):
        self.executable, self.work_dir = executable, work_dir
        self.config = os.path.join(work_dir, 'rally.conf')
        with open(self.config, 'w') as f:
            f.write('[DEFAULT]\nlog_file = %s\n'
                    '[database]\nconnection = sqlite:///%s\n'
                    '[openstack]\n'
                    'cinder_volume_create_prepoll_delay = %s\n'
                    'cinder_volume_create_poll_interval = %s\n'
                    'cinder_volume_delete_poll_interval = %s\n' % (
                        os.path.join(work_dir, 'rally.log'),
                        os.path.join(work_dir, 'rally.sqlite'),
                        POLL_SECONDS, POLL_SECONDS, POLL_SECONDS))

    def __call__(self, *args, check=True):
        result = subprocess.run(
            [self.executable, '--config-file', self.config] + list(args),
            env=keystone.clean_env(), cwd=self.work_dir,
            capture_output=True, text=True)
        if check and result.returncode != 0:
            raise SystemExit('rally %s failed (%d):\n%s\n%s' % (
                ' '.join(args), result.returncode, result.stdout[-4000:],
                result.stderr[-4000:]))
        return result


def environment_spec(identity):
    return {'openstack': {
        'auth_url': identity.auth_url,
        'region_name': keystone.REGION,
        'endpoint_type': 'public',
        'admin': {'username': keystone.BOOTSTRAP_USER,
                  'password': keystone.password(keystone.BOOTSTRAP_USER),
                  'project_name': 'admin',
                  'user_domain_name': 'Default',
                  'project_domain_name': 'Default'},
    }}


def summary(report):
    """Markdown: a row per workload (whole iterations) and one per atomic
    action under it, from Rally's JSON report; and the failures."""
    lines = ['| scenario / action | count | failed | min s | median s | '
             '90%ile s | max s |',
             '| --- | --- | --- | --- | --- | --- | --- |']
    failed_total = 0
    row = '| %s | %s | %s | %s | %s | %s | %s |'
    for subtask in report['tasks'][0]['subtasks']:
        for workload in subtask['workloads']:
            name = next(iter(workload['scenario']))
            durations = workload['statistics']['durations']
            total = durations['total']['data']
            failed = workload['failed_iteration_count']
            failed_total += failed
            lines.append(row % (
                '**%s**' % name, workload['total_iteration_count'], failed,
                total['min'], total['median'], total['90%ile'],
                total['max']))
            for atomic in durations['atomics']:
                data = atomic['data']
                lines.append(row % (
                    '&nbsp;&nbsp;%s' % atomic['name'],
                    data['iteration_count'] * atomic['count_per_iteration'],
                    '', data['min'], data['median'], data['90%ile'],
                    data['max']))
    return '\n'.join(lines) + '\n', failed_total


def _token(identity, user, project):
    import requests
    response = requests.post(identity.auth_url + '/auth/tokens', json={
        'auth': {'identity': {'methods': ['password'], 'password': {'user': {
            'name': user, 'domain': {'id': keystone.DOMAIN},
            'password': keystone.password(user)}}},
            'scope': {'project': {'name': project,
                                  'domain': {'id': keystone.DOMAIN}}}}},
        timeout=30)
    response.raise_for_status()
    return response.headers['X-Subject-Token']


def validation_seconds(identity, samples=5):
    """Median seconds Keystone takes to validate a new token, as
    keystonemiddleware asks it to once per token and API worker: Rally
    authenticates anew in every iteration, so each pays this."""
    import requests
    service = _token(identity, keystone.SERVICE_USER,
                     keystone.SERVICE_PROJECT)
    times = []
    for _ in range(samples):
        subject = _token(identity, 'member', keystone.PROJECT)
        started = time.monotonic()
        requests.get(identity.auth_url + '/auth/tokens', headers={
            'X-Auth-Token': service, 'X-Subject-Token': subject},
            timeout=30).raise_for_status()
        times.append(time.monotonic() - started)
    return sorted(times)[len(times) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--times', type=int, default=40,
                        help='iterations of each scenario (default 40)')
    parser.add_argument('--concurrency', type=int, default=4,
                        help='Rally runner concurrency (default 4)')
    parser.add_argument('--out', default=os.path.join(ROOT, 'bench-results'))
    args = parser.parse_args()
    rally = ensure_rally()
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix='cinder-rally-')
    servers = []
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(lambda: [keystone.stop(server)
                                  for server in reversed(servers)])
        keystone_database = cleanup.enter_context(
            modes.database_url('mysql', work))
        run(args, rally, work, keystone_database, servers)


def run(args, rally, work, keystone_database, servers):
    """Start Keystone and our API, then run and report the Rally task."""
    identity = keystone.start_keystone(os.path.join(work, 'keystone'),
                                       keystone_database)
    servers.append(identity.server)
    api = keystone.start_api(os.path.join(work, 'api'), identity)
    servers.append(api)
    cli = Rally(rally, work)
    cli('db', 'create')
    spec = os.path.join(work, 'env.json')
    with open(spec, 'w') as f:
        json.dump(environment_spec(identity), f)
    cli('env', 'create', '--name', 'cinder-wsgi', '--spec', spec)
    print(cli('env', 'check').stdout)
    task_file = os.path.join(work, 'task.json')
    with open(task_file, 'w') as f:
        json.dump(task(args.times, args.concurrency), f, indent=2)
    validation = validation_seconds(identity)
    print('Running %d scenarios, %d iterations each at concurrency %d'
          % (len(SCENARIOS), args.times, args.concurrency))
    started = cli('task', 'start', task_file, check=False)
    print(started.stdout[-3000:])
    html = os.path.join(args.out, 'rally.html')
    raw = os.path.join(args.out, 'rally.json')
    cli('task', 'report', '--html-static', '--out', html)
    cli('task', 'report', '--json', '--out', raw)
    with open(raw) as f:
        table, failed = summary(json.load(f))
    with open(os.path.join(args.out, 'rally.md'), 'w') as f:
        f.write('# Rally CinderVolumes against cinder-wsgi\n\n'
                'rally-openstack %s, constant runner: %d iterations at '
                'concurrency %d; our API under uWSGI (two workers, '
                'SQLite, embedded volume service) behind Keystone. '
                'Durations are whole iterations (bold) and their atomic '
                'actions, as Rally times them, polling every %s s. Rally '
                'authenticates anew in every iteration, and each API '
                'worker has keystonemiddleware validate each new token '
                'with Keystone: %.3f s per validation in this run '
                '(Keystone\'s own time, measured beside the task).\n\n%s'
                % (keystone.pinned_version('rally-openstack', CONSTRAINTS),
                   args.times, args.concurrency, POLL_SECONDS, validation,
                   table))
    print(table)
    print('Wrote %s, %s and %s' % (
        os.path.join(args.out, 'rally.md'), html, raw))
    if started.returncode != 0 or failed:
        raise SystemExit('Rally: %d failed iterations (task exit %d); '
                         'log %s' % (failed, started.returncode,
                                     os.path.join(work, 'rally.log')))


if __name__ == '__main__':
    main()
