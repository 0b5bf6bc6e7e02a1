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
"""What the volume and snapshot handlers share: query filters as Cinder
parses them, pagination links and timestamps."""

import ast
import urllib.parse

from oslo_utils import strutils
from oslo_utils import timeutils

from cinder.api import microversions
import cinder.conf
from cinder import exception
from cinder.objects import pagination

# Query parameters that steer a listing rather than filter it.
LIST_PARAMS = ('limit', 'marker', 'offset', 'sort', 'sort_key', 'sort_dir',
               'with_count', 'all_tenants', 'project_id')
TIME_OPERATORS = {'gt': '__gt__', 'gte': '__ge__', 'eq': '__eq__',
                  'neq': '__ne__', 'lt': '__lt__', 'lte': '__le__'}


def time(value):
    return value.isoformat() if value else None


def is_true(value, strict=False):
    return strutils.bool_from_string(value, strict=strict)


def metadata_filter(text):
    """Cinder's metadata filter: a Python-literal dict string."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        value = None
    if not isinstance(value, dict):
        raise exception.InvalidInput(
            reason='Invalid metadata filter %s: it must be a dict such as '
                   "{'key': 'value'}." % text)
    return value


def time_filter(name, text):
    """[(operator method, datetime)] from e.g. 'gt:2020-01-01T00:00:00'."""
    comparisons = []
    for item in text.split(','):
        operator, _, moment = item.partition(':')
        if operator not in TIME_OPERATORS or not moment:
            raise exception.InvalidInput(
                reason='Invalid %s filter %s: use operator:time with '
                       'operator one of %s.' % (
                           name, text, ', '.join(TIME_OPERATORS)))
        try:
            parsed = timeutils.normalize_time(timeutils.parse_isotime(moment))
        except ValueError:
            raise exception.InvalidInput(
                reason='Invalid time %s in filter %s.' % (moment, name))
        comparisons.append((TIME_OPERATORS[operator], parsed))
    return comparisons


def user_filters(version, table):
    """The filter names non-admins may use at *version*, in table order,
    from a table of (microversion, names) rows."""
    names = []
    for since, keys in table:
        if version.matches(since):
            names.extend(keys)
    return names


def list_filters(req, allowed, converters):
    """The filters of a listing request.

    Non-admins may use the keys *allowed* for their microversion; others
    are dropped before 3.31 and a 400 from it, as in Cinder. Admins may
    filter on anything. *converters* turn a value text into what the
    object layer compares.
    """
    context = req.context
    filters, invalid = {}, []
    for key, value in req.GET.items():
        if key in LIST_PARAMS:
            continue
        if not context.is_admin and key not in allowed:
            invalid.append(key)
            continue
        converter = converters.get(key.rstrip('~'))
        filters[key] = converter(value) if converter else value
    if invalid and req.api_version.matches(microversions.RESOURCE_FILTER):
        raise exception.InvalidInput(
            reason='Invalid filters %s are found in query options.'
                   % ','.join(sorted(invalid)))
    return filters


def scope_project(req, filters):
    """Admins list their own project unless all_tenants is set (then
    project_id narrows it); others are scoped by the object layer."""
    context = req.context
    if not context.is_admin:
        return
    if is_true(req.GET.get('all_tenants', 'false')):
        if req.GET.get('project_id'):
            filters['project_id'] = req.GET['project_id']
    else:
        filters['project_id'] = context.project_id


def with_count(req):
    if not req.api_version.matches(microversions.SUPPORT_COUNT_INFO):
        return False
    try:
        return is_true(req.GET.get('with_count', 'false'), strict=True)
    except ValueError:
        raise exception.InvalidInput(
            reason='with_count must be a boolean.')


def next_link(req, collection, items, limit, count=None):
    """Cinder's ``<collection>_links``: a next link when the page is full."""
    total = count if count is not None else len(items)
    if not items or limit > total or limit > len(items):
        return None
    params = [item for item in req.GET.items() if item[0] != 'marker']
    params.append(('marker', items[-1]['id']))
    query = urllib.parse.urlencode(params)
    path = req.path_info.rsplit('/', 1)[-1]
    suffix = '/detail' if path == 'detail' else ''
    return [{'rel': 'next', 'href': '%s/%s%s?%s' % (
        req.link_prefix(cinder.conf.CONF), collection, suffix, query)}]


def listing(req, collection, get_all, filters, sort_keys, view):
    """One page of a collection as Cinder answers lists: the items, a next
    link when the page is full, and ``count`` with with_count (3.45)."""
    limit = pagination.limit_from(req.GET, cinder.conf.CONF.osapi_max_limit)
    count_wanted = with_count(req)
    rows, count = get_all(
        req.context, filters=filters,
        sort=pagination.parse_sort(req.GET, sort_keys), limit=limit,
        marker=req.GET.get('marker'),
        offset=pagination.offset_from(req.GET), with_count=count_wanted)
    body = {collection: [view(row) for row in rows]}
    link = next_link(req, collection, rows, limit, count)
    if link:
        body[collection + '_links'] = link
    if count_wanted:
        body['count'] = count
    return body


def linker(req, collection):
    """A function giving an item's self and bookmark links; the prefixes
    are built once per request."""
    conf = cinder.conf.CONF
    prefix = '%s/%s/' % (req.link_prefix(conf), collection)
    bookmark = '%s/%s/' % (req.link_prefix(conf, versioned=False),
                           collection)
    return lambda item_id: [{'rel': 'self', 'href': prefix + item_id},
                            {'rel': 'bookmark', 'href': bookmark + item_id}]
