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
"""Reading and changing log levels at run time (os-services get-log and
set-log, 3.32), for this process's loggers under a name prefix."""

import logging

LEVELS = ('CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG')


def _loggers(prefix):
    names = [name for name, logger in logging.root.manager.loggerDict.items()
             if isinstance(logger, logging.Logger)]
    return sorted(name for name in names if name.startswith(prefix or ''))


def get_levels(prefix=''):
    """{logger name: effective level name} under *prefix*."""
    return {name: logging.getLevelName(
        logging.getLogger(name).getEffectiveLevel())
        for name in _loggers(prefix)}


def set_levels(prefix, level):
    for name in _loggers(prefix) or [prefix]:
        logging.getLogger(name).setLevel(level)
