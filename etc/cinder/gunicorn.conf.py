# gunicorn configuration for the Block Storage API.
#
#   gunicorn --config /etc/cinder/gunicorn.conf.py
#
# or through etc/systemd/cinder-api-gunicorn.service. Guide:
# doc/source/install/gunicorn.rst. Command-line options override these
# settings, e.g. "--threads 4" for threaded workers.
#
# The functional tests start gunicorn with this very file, replacing only
# 127.0.0.1:8776 and /etc/cinder with their own port and directory.

# The application, so no argument is needed on the command line.
wsgi_app = 'cinder.wsgi.api:application'
# Where the application finds cinder.conf (and api-paste.ini next to it).
raw_env = ['OS_CINDER_CONFIG_DIR=/etc/cinder']

# Plain HTTP on loopback, for nginx (etc/cinder/nginx-cinder-api.conf) or
# another reverse proxy or load balancer on this host.
bind = ['127.0.0.1:8776']

# Worker processes, each with its own database connection pool. With
# threads = 1 they are gunicorn's synchronous workers, one request at a
# time each; threads > 1 selects the threaded (gthread) workers, each
# serving that many requests at once. Sizing:
# doc/source/install/gunicorn.rst.
workers = 2
threads = 1
# Each worker loads the application after the fork, so no database or RPC
# connection is ever shared, and a reload (SIGHUP) re-reads cinder.conf.
preload_app = False

# SIGTERM and SIGHUP let requests in progress finish for this long.
graceful_timeout = 60
# A worker silent for this long (one request running longer, included) is
# killed and replaced: longer than the slowest API call.
timeout = 120
# Idle keep-alive connections (threaded workers) are closed after this.
keepalive = 5
# Request header lines up to 16 KiB (Keystone tokens).
limit_request_line = 16384
limit_request_field_size = 16384

# The proxy on this host may tell gunicorn the original scheme
# (X-Forwarded-Proto); the application itself reads X-Forwarded-* when
# [oslo_middleware] enable_proxy_headers_parsing = true.
forwarded_allow_ips = '127.0.0.1'

# The oslo.log request line (cinder.api.middleware.requestlog) replaces
# gunicorn's access log; gunicorn's own messages go to standard error.
accesslog = None
errorlog = '-'
loglevel = 'info'
proc_name = 'cinder-api'
# Recent gunicorn versions also open a control socket (gunicornc) in the
# home directory; signals are all this service needs. Older versions
# ignore the setting.
control_socket_disable = True
