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
"""Handlers for /v3/extensions: which Cinder extensions this API provides.

Clients such as Horizon switch features on by alias, so an extension is
listed only when every path it needs is served by the route table.
"""

from cinder.api import wsgi
from cinder import exception

# Cinder's extension aliases, with the paths (relative to /v3) each needs.
CATALOGUE = (
    {'alias': 'os-availability-zone', 'name': 'AvailabilityZones',
     'description': 'Describe Availability Zones.',
     'updated': '2013-06-27T00:00:00+00:00',
     'paths': ('/os-availability-zone',)},
    {'alias': 'os-types-manage', 'name': 'TypesManage',
     'description': 'Types manage support.',
     'updated': '2011-08-24T00:00:00+00:00',
     'paths': ('/types', '/types/{type_id}')},
    {'alias': 'os-types-extra-specs', 'name': 'TypesExtraSpecs',
     'description': 'Type extra specs support.',
     'updated': '2011-08-24T00:00:00+00:00',
     'paths': ('/types/{type_id}/extra_specs',
               '/types/{type_id}/extra_specs/{key}')},
    {'alias': 'os-volume-type-access', 'name': 'VolumeTypeAccess',
     'description': 'Volume type access support.',
     'updated': '2014-06-26T00:00:00Z',
     'paths': ('/types/{type_id}/os-volume-type-access',)},
    {'alias': 'os-quota-sets', 'name': 'Quotas',
     'description': 'Quota management support.',
     'updated': '2011-08-08T00:00:00+00:00',
     'paths': ('/os-quota-sets/{quota_project_id}',)},
    {'alias': 'os-quota-class-sets', 'name': 'QuotaClasses',
     'description': 'Quota classes management support.',
     'updated': '2012-03-12T00:00:00+00:00',
     'paths': ('/os-quota-class-sets/{class_name}',)},
    {'alias': 'os-used-limits', 'name': 'UsedLimits',
     'description': 'Provide data on limited resources that are being used.',
     'updated': '2013-10-03T00:00:00+00:00',
     'paths': ('/limits',)},
    {'alias': 'os-services', 'name': 'Services',
     'description': 'Services support.',
     'updated': '2012-10-28T00:00:00-00:00',
     'paths': ('/os-services',)},
    {'alias': 'os-extended-services', 'name': 'ExtendedServices',
     'description': 'Extended services support.',
     'updated': '2014-01-10T00:00:00-00:00',
     'paths': ('/os-services/{action}',)},
    {'alias': 'os-volume-actions', 'name': 'VolumeActions',
     'description': 'Enable volume actions.',
     'updated': '2012-05-31T00:00:00+00:00',
     'paths': ('/volumes/{volume_id}/action',)},
    {'alias': 'os-admin-actions', 'name': 'AdminActions',
     'description': 'Enable admin actions.',
     'updated': '2012-08-25T00:00:00+00:00',
     'paths': ('/volumes/{volume_id}/action',
               '/snapshots/{snapshot_id}/action')},
    {'alias': 'os-snapshot-actions', 'name': 'SnapshotActions',
     'description': 'Enable snapshot manager actions.',
     'updated': '2013-07-16T00:00:00+00:00',
     'paths': ('/snapshots/{snapshot_id}/action',)},
    {'alias': 'os-extended-snapshot-attributes',
     'name': 'ExtendedSnapshotAttributes',
     'description': 'Extended SnapshotAttributes support.',
     'updated': '2012-06-19T00:00:00+00:00',
     'paths': ('/snapshots/detail',)},
    {'alias': 'os-vol-tenant-attr', 'name': 'VolumeTenantAttribute',
     'description': 'Expose the internal project_id as an attribute of a '
                    'volume.',
     'updated': '2011-11-03T00:00:00+00:00',
     'paths': ('/volumes/detail',)},
    {'alias': 'os-vol-host-attr', 'name': 'VolumeHostAttribute',
     'description': 'Expose host as an attribute of a volume.',
     'updated': '2011-11-03T00:00:00+00:00',
     'paths': ('/volumes/detail',)},
    {'alias': 'os-vol-mig-status-attr', 'name': 'VolumeMigStatusAttribute',
     'description': 'Expose migration_status as an attribute of a volume.',
     'updated': '2013-08-08T00:00:00+00:00',
     'paths': ('/volumes/detail',)},
    {'alias': 'OS-SCH-HNT', 'name': 'SchedulerHints',
     'description': 'Pass arbitrary key/value pairs to the scheduler.',
     'updated': '2013-04-18T00:00:00+00:00',
     'paths': ('/volumes',)},
)


def _view(extension):
    return {key: extension[key]
            for key in ('alias', 'name', 'description', 'updated')} | {
        'links': []}


def provided(route_paths):
    """The catalogue entries whose paths are all in *route_paths*."""
    return [ext for ext in CATALOGUE
            if all(path in route_paths for path in ext['paths'])]


def list_extensions(req):
    """GET /extensions: 200 and every extension this API provides."""
    extensions = provided(req.environ['cinder.route_paths'])
    return wsgi.json_response({'extensions': [_view(e) for e in extensions]})


def show_extension(req):
    """GET /extensions/{alias}: 200 and the extension, or 404."""
    alias = req.urlvars['alias']
    for extension in provided(req.environ['cinder.route_paths']):
        if extension['alias'] == alias:
            return wsgi.json_response({'extension': _view(extension)})
    raise exception.ExtensionNotFound(alias=alias)
