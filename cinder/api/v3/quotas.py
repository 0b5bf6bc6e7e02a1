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
"""Handlers for /os-quota-sets, /os-quota-class-sets and /limits."""

from oslo_utils import strutils

from cinder.api import microversions
from cinder.api.schemas import quotas as schemas
from cinder.api import wsgi
from cinder import exception
from cinder.objects import quota
from cinder.policies import quotas as policies

# Keys Cinder accepts in a quota set body and ignores.
IGNORED_KEYS = ('id', 'tenant_id')


def _target(req):
    project_id = req.urlvars['quota_project_id']
    return project_id, {'project_id': project_id}


def show_quota_set(req):
    """GET /os-quota-sets/{project}[?usage=True]: 200 and the limits."""
    project_id, target = _target(req)
    req.context.can(policies.SHOW, target)
    try:
        usage = strutils.bool_from_string(req.GET.get('usage', 'False'),
                                          strict=True)
    except ValueError:
        raise exception.InvalidInput(reason='Invalid value for usage: %s'
                                            % req.GET['usage'])
    quota_set = quota.get_project_quotas(project_id, usages=usage)
    quota_set['id'] = project_id
    return wsgi.json_response({'quota_set': quota_set})


def show_quota_defaults(req):
    """GET /os-quota-sets/{project}/defaults: 200 and the default limits."""
    project_id, target = _target(req)
    req.context.can(policies.SHOW, target)
    quota_set = quota.get_defaults()
    quota_set['id'] = project_id
    return wsgi.json_response({'quota_set': quota_set})


def _limits(body, envelope):
    return {key: value for key, value in body[envelope].items()
            if key not in IGNORED_KEYS}


def update_quota_set(req):
    """PUT /os-quota-sets/{project}: 200 and the limits (no id)."""
    project_id, target = _target(req)
    req.context.can(policies.UPDATE, target)
    body = wsgi.read_json(req, schemas.UPDATE_QUOTA_SET)
    limits = quota.update_project_quotas(project_id,
                                         _limits(body, 'quota_set'))
    return wsgi.json_response({'quota_set': limits})


def delete_quota_set(req):
    """DELETE /os-quota-sets/{project}: 200; the defaults apply again."""
    project_id, target = _target(req)
    req.context.can(policies.DELETE, target)
    quota.delete_project_quotas(project_id)
    return wsgi.empty_response(200)


def show_quota_class_set(req):
    """GET /os-quota-class-sets/{class_name}: 200 and the class limits."""
    req.context.can(policies.CLASS_GET)
    class_name = req.urlvars['class_name']
    limits = quota.get_class(class_name)
    limits['id'] = class_name
    return wsgi.json_response({'quota_class_set': limits})


def update_quota_class_set(req):
    """PUT /os-quota-class-sets/{class_name}: 200 and the limits."""
    req.context.can(policies.CLASS_UPDATE)
    body = wsgi.read_json(req, schemas.UPDATE_QUOTA_CLASS_SET)
    limits = quota.update_class(req.urlvars['class_name'],
                                _limits(body, 'quota_class_set'))
    return wsgi.json_response({'quota_class_set': limits})


ABSOLUTE_LIMITS = (('volumes', 'maxTotalVolumes', 'totalVolumesUsed'),
                   ('snapshots', 'maxTotalSnapshots', 'totalSnapshotsUsed'),
                   ('gigabytes', 'maxTotalVolumeGigabytes',
                    'totalGigabytesUsed'),
                   ('backups', 'maxTotalBackups', 'totalBackupsUsed'),
                   ('backup_gigabytes', 'maxTotalBackupGigabytes',
                    'totalBackupGigabytesUsed'))


def show_limits(req):
    """GET /limits: 200, absolute limits (and usage for readers); rate
    limits are not enforced, so ``rate`` is always empty."""
    context = req.context
    project_id = context.project_id
    # From 3.39 an admin may ask for another project's limits.
    if (req.api_version.matches(microversions.LIMITS_ADMIN_FILTER)
            and context.is_admin):
        project_id = (req.GET.get('project_id') or req.GET.get('tenant_id')
                      or project_id)
    quotas = quota.get_project_quotas(project_id, usages=True)
    absolute = {}
    show_used = context.allowed(policies.USED_LIMITS,
                                {'project_id': project_id})
    for resource, limit_name, used_name in ABSOLUTE_LIMITS:
        absolute[limit_name] = quotas[resource]['limit']
        if show_used:
            absolute[used_name] = quotas[resource]['in_use']
    return wsgi.json_response({'limits': {'rate': [], 'absolute': absolute}})
