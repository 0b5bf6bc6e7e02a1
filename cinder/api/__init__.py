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
"""The root of the API: maps URL prefixes to the apps of api-paste.ini."""


class URLMap:
    """Dispatch on the longest matching URL prefix (like paste's urlmap).

    Discovery needs no token, so GET and HEAD of the bare /v3 and /v3/ are
    handed to the version app (at '/') instead of the authenticated v3
    pipeline.
    """

    DISCOVERY_PREFIXES = ('/v3',)

    def __init__(self, apps):
        # Longest prefix first; '/' is the fallback.
        self.apps = sorted(((prefix.rstrip('/'), app)
                            for prefix, app in apps.items()),
                           key=lambda item: len(item[0]), reverse=True)
        self.root_app = dict(self.apps).get('')

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '') or '/'
        for prefix, app in self.apps:
            if prefix and (path == prefix or path.startswith(prefix + '/')):
                rest = path[len(prefix):]
                if (prefix in self.DISCOVERY_PREFIXES and rest in ('', '/')
                        and environ['REQUEST_METHOD'] in ('GET', 'HEAD')):
                    app = self.root_app
                script_name = environ.get('SCRIPT_NAME', '')
                environ['SCRIPT_NAME'] = script_name + prefix
                environ['PATH_INFO'] = rest
                return app(environ, start_response)
        return self.root_app(environ, start_response)


def root_app_factory(loader, global_conf, **local_conf):
    """paste composite factory, named as Cinder's (composite:osapi_volume)."""
    apps = {prefix: loader.get_app(name, global_conf=global_conf)
            for prefix, name in local_conf.items()}
    if '/' not in apps:
        raise ValueError("api-paste.ini: composite:osapi_volume needs a '/' "
                         "entry for version discovery")
    return URLMap(apps)
