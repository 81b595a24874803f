"""The portal's own pages: start page, search, login and lockouts, the outbox failures, error pages."""

import logging
import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.models import Notification
from core.security import lockout_lift, lockouts_visible_to
from core.services import notification_resend
from masportal.forms import LockedOutLoginForm, LoginForm
from masportal.search import PER_KIND, search
from masportal.selectors import failed_emails_for
from masportal.start import start_sections
from responsibility.admin_views import register_admin_required
from responsibility.permissions import is_register_admin, user_roles
from responsibility.tenancy import NoMunicipality, municipality_of

logger = logging.getLogger("masportal.security")


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


@login_required
@require_GET
def search_view(request):
    """Global search: a reference the user may see opens the case; otherwise results grouped by kind."""
    result = search(user=request.user, query=request.GET.get("q", ""))
    if result.redirect:
        return redirect(result.redirect)
    return render(
        request, "masportal/search.html", {"result": result, "per_kind": PER_KIND, "search_query": result.query}
    )


class PortalLoginView(LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        """The password is right: allauth finishes the login (asks for the MFA code where the user has MFA)."""
        from allauth.account.internal.flows.login import record_authentication
        from allauth.account.utils import perform_login

        user = form.get_user()
        # The password was just typed: MFA set-up within ACCOUNT_REAUTHENTICATION_TIMEOUT does not ask for it again.
        record_authentication(self.request, user, "password", username=user.username, reauthenticated=True)
        return perform_login(self.request, user, redirect_url=self.get_success_url())


@login_required
@require_GET
def outbox_failed(request):
    """The register admin's list of e-mails that could not be delivered (after every attempt)."""
    if not is_register_admin(request.user):
        raise PermissionDenied
    page = Paginator(failed_emails_for(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "masportal/outbox_failed.html", {"page": page, "max_attempts": settings.EMAIL_MAX_ATTEMPTS})


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


def login_locked_out(request, original_response=None, credentials=None):
    """The login page with a Swedish lockout message (AXES_LOCKOUT_CALLABLE); the username stays, never the password."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    form = LockedOutLoginForm(request, data={"username": username}, minutes=minutes)
    form.is_valid()
    logger.warning("Login refused: locked out (username %r, address %s)", username, request.META.get("REMOTE_ADDR"))
    return render(
        request,
        "registration/login.html",
        {"form": form, "next": request.POST.get("next", "")},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


@register_admin_required
@require_http_methods(["GET", "POST"])
def login_lockouts(request):
    """Current login lockouts (usernames of the admin's municipality and addresses); lift one with POST."""
    municipality_id = municipality_of(request).pk
    if request.method == "POST":
        kind, value = request.POST.get("kind", ""), request.POST.get("value", "")
        if (
            kind in {"username", "ip"}
            and value
            and lockout_lift(actor=request.user, kind=kind, value=value, municipality_id=municipality_id)
        ):
            messages.success(request, _("The lockout of %(value)s is lifted.") % {"value": value})
        else:
            messages.error(request, _("There is no current lockout of %(value)s.") % {"value": value or "–"})
        return redirect("login_lockouts")
    return render(
        request,
        "masportal/login_lockouts.html",
        {
            "lockouts": lockouts_visible_to(municipality_id=municipality_id),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )


# --- Error pages: the portal's layout in Swedish ------------------------------------------------


def _error_page(request, template: str, status: int, **context) -> HttpResponse:
    return HttpResponse(
        loader.render_to_string(template, {"request_path": request.path, **context}, request=request), status=status
    )


@requires_csrf_token
def permission_denied(request, exception=None):
    """The 403 page; a login in no municipality is told how to get connected to one."""
    no_municipality = isinstance(exception, NoMunicipality)
    return _error_page(request, "403.html", 403, no_municipality=no_municipality)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _error_page(request, "404.html", 404)


@requires_csrf_token
def bad_request(request, exception=None):
    return _error_page(request, "400.html", 400)


def server_error(request):
    """The 500 page: a plain template without context processors, so it needs neither the database nor the session."""
    return HttpResponse(loader.get_template("500.html").render({}), status=500)
