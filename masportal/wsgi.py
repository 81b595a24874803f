"""WSGI entry point."""

import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masportal.settings")
application = get_wsgi_application()

from masportal.services import infrastructure_summary  # noqa: E402 - needs the app registry

logging.getLogger("masportal").info("MAS-portalen web: %s", infrastructure_summary())
