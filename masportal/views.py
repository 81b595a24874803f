"""Cross-cutting views: start page, health check, login."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from masportal.forms import LoginForm
from masportal.models import Notification
from masportal.services import health_status
from masportal.start import start_sections
from responsibility.permissions import is_register_admin, user_roles


@require_GET
@never_cache
def healthz(request):
    """Report the database, the broker and the background processes for monitoring."""
    status = health_status()
    return JsonResponse(status, status=200 if status["database"]["status"] == "up" else 503)


@login_required
@require_GET
def home(request):
    """The start page: one section per role the user holds today."""
    roles = user_roles(request.user)
    context = {
        "sections": start_sections(user=request.user, roles=roles, is_admin=is_register_admin(request.user)),
        "notifications": Notification.objects.filter(recipient=request.user, read_at__isnull=True)[:10],
        "today": timezone.localdate(),
    }
    return render(request, "home.html", context)


class PortalLoginView(LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True
