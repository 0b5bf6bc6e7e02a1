#!/bin/bash
# Build mod_wsgi from PyPI into the current Python environment when Apache's
# development files (apxs, from Debian's apache2-dev) are there, so that the
# functional tests can run the mod_wsgi modes. Without apxs it does nothing:
# those tests then skip, or fail when CINDER_TEST_REQUIRE_SERVERS is set
# (as in CI, whose .ci/run installs apache2-dev).
set -euo pipefail

python=${1:-python}
if "$python" -c 'import mod_wsgi.server' 2>/dev/null; then
    exit 0
fi
if ! command -v apxs >/dev/null 2>&1 && ! command -v apxs2 >/dev/null 2>&1; then
    echo "install-mod-wsgi: no apxs (apt-get install apache2-dev): the mod_wsgi tests will not run"
    exit 0
fi
"$python" -m pip install -q mod_wsgi
