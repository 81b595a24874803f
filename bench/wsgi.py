"""WSGI entry for the load run: set Django up first, then load the portal's own entry point.

``masportal/wsgi.py`` imports ``masportal.services`` (and with it the models) before
``get_wsgi_application()``, which fails with AppRegistryNotReady under gunicorn;
setting up first sidesteps that until it is fixed there.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masportal.settings")

import django  # noqa: E402

django.setup()

from masportal.wsgi import application  # noqa: E402, F401
