"""gunicorn's settings for an app server: `gunicorn -c gunicorn.conf.py 'app:create_app()'`.
docs/deploy.md shows where they sit between nginx and systemd; tests/core/test_deploy.py
starts a server with them."""

import os
import sys

from core.logs import logging_config

# Loopback unless told otherwise (the systemd unit passes --bind 127.0.0.1:<port>): with
# PROXY_FIX=true the app believes the X-Forwarded-For of whoever connects, so nothing but
# nginx may reach this port.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Sync workers: every request holds a worker and one database connection, nothing runs
# between requests. The usual 2 × cores + 1 for one server per machine; WEB_CONCURRENCY
# sets fewer when several instances share a machine (docs/deploy.md).
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * len(os.sched_getaffinity(0)) + 1))
worker_class = "sync"

# The slowest request is the office's whole-year workbook (/reports/export/all.xlsx): 18 s
# on the city-scale benchmark data (50,000 volunteers, 4,000 activities) on 2 busy cores.
# 120 s leaves room for a bigger city and a loaded machine; a worker stuck longer than that
# is killed. nginx waits a little longer (deploy/nginx/volunteer-points.conf).
timeout = 120
# On SIGTERM (systemctl stop) workers finish the request in hand for up to this long;
# the unit's TimeoutStopSec is longer, so that systemd does not kill them first.
graceful_timeout = 30
# A worker is replaced after about this many requests (the jitter keeps them from all
# restarting at once), so that slow growth in memory never builds up.
max_requests = 1000
max_requests_jitter = 100

# Each worker imports the app and opens its own database and Redis connections after the
# fork: connections made in the master before forking would be shared by every worker.
preload_app = False

# The app writes one access line per request itself (with its request id, user and
# duration), so gunicorn's own would be a second line for each request.
accesslog = None
errorlog = "-"
# gunicorn's lines and the app's through the one formatter: JSON lines on stderr, which
# systemd hands to the journal.
logconfig_dict = logging_config(
    os.environ.get("LOG_FORMAT", "json"), os.environ.get("LOG_LEVEL", "INFO")
)
# gunicorn writes its access line whenever logconfig_dict is given, accesslog or not: its
# logger keeps only warnings, and it writes none.
logconfig_dict["loggers"]["gunicorn.access"] = {"level": "WARNING", "propagate": True}

# No control socket (gunicornc): systemd's signals are enough, and every instance would
# otherwise claim the same $HOME/.gunicorn/gunicorn.ctl.
control_socket_disable = True

# The release this server started in, whatever /srv/volunteer-points/app points at later:
# an upgrade moves that link while this server still runs, and the workers gunicorn starts
# meanwhile (after max_requests) must import the same code and libraries as the others.
chdir = os.path.dirname(os.path.realpath(__file__))
sys.path[:] = [os.path.realpath(entry) if entry else entry for entry in sys.path]
