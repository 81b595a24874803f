"""WSGI entry point."""

import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masportal.settings")
application = get_wsgi_application()

from core.services import infrastructure_summary  # noqa: E402
from masportal.checks import refuse_unsafe_start  # noqa: E402 - needs the app registry

# Production: a missing or published key, SQLite, the filesystem broker, DEBUG or
# missing hosts stop the server here (gunicorn's worker fails to boot and the
# master exits) with the system-check messages in the log.
refuse_unsafe_start("web")

logging.getLogger("masportal").info("MAS-portalen web: %s", infrastructure_summary())
