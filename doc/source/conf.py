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
"""Sphinx configuration: plain Sphinx, no extensions, warnings are errors
(tox -e docs runs sphinx-build -W)."""

project = 'cinder'
copyright = 'The cinder-wsgi authors'
author = 'The cinder-wsgi authors'

extensions = []

root_doc = 'index'
source_suffix = {'.rst': 'restructuredtext'}
exclude_patterns = ['_build']
templates_path = []

language = 'en'
highlight_language = 'none'
pygments_style = 'sphinx'

html_theme = 'alabaster'
html_static_path = []
html_title = 'cinder: the Block Storage API as a WSGI application'
html_show_sourcelink = False
