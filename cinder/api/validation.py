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
"""JSON-Schema validation of request bodies, with Cinder's error wording.

jsonschema is imported on the first body validated: a worker that only
serves reads never pays its ~3 MB.
"""

from cinder import exception

_validators = {}


def _validator(schema):
    import jsonschema

    key = id(schema)
    if key not in _validators:
        jsonschema.Draft4Validator.check_schema(schema)
        _validators[key] = (schema, jsonschema.Draft4Validator(
            schema, format_checker=jsonschema.FormatChecker()))
    return _validators[key][1]


def validate(body, schema):
    """Raise InvalidInput naming the field and value that broke *schema*."""
    import jsonschema.exceptions

    error = jsonschema.exceptions.best_match(
        _validator(schema).iter_errors(body))
    if error is None:
        return
    if error.path:
        field = '/'.join(str(part) for part in error.path)
        reason = 'Invalid input for field/attribute %s. Value: %s. %s' % (
            field, error.instance, error.message)
    else:
        reason = error.message
    raise exception.ValidationError(detail=reason)
