"""WSGI entry point."""

import logging
import os

from django.core.wsgi import get_wsgi_application

from masportal.services import infrastructure_summary

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masportal.settings")
application = get_wsgi_application()

logging.getLogger("masportal").info("MAS-portalen web: %s", infrastructure_summary())
