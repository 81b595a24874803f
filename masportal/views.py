"""Cross-cutting views: start page, health check, login."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from masportal.forms import LoginForm
from masportal.models import Notification
from masportal.selectors import failed_emails_for
from masportal.services import health_status, notification_resend
from masportal.start import start_sections
from responsibility.permissions import is_register_admin, user_roles


@require_GET
@never_cache
def healthz(request):
    """Report the database, the broker and the background processes for monitoring."""
    status = health_status()
    return JsonResponse(status, status=200 if status["database"]["status"] == "up" else 503)


@login_required
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


@login_required
@require_GET
def outbox_failed(request):
    """The register admin's list of e-mails that could not be delivered (after every attempt)."""
    if not is_register_admin(request.user):
        raise PermissionDenied
    page = Paginator(failed_emails_for(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "masportal/outbox_failed.html",
                  {"page": page, "max_attempts": settings.EMAIL_MAX_ATTEMPTS})


@login_required
@require_POST
def outbox_resend(request, pk: int):
    """Put one failed e-mail back in the outbox."""
    if not is_register_admin(request.user):
        raise PermissionDenied
    note = failed_emails_for(user=request.user).filter(pk=pk).first()
    if note is None:
        raise Http404(_("No such e-mail, or it has not failed."))
    notification_resend(notification=note)
    messages.success(request, _("The e-mail will be sent again."))
    return redirect("outbox_failed")
