"""The base layer's pages: health and liveness, and the user's notification inbox."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.models import NotificationPreference
from core.selectors import email_delivery_of, notifications_for
from core.services import health_status, notification_open, notification_preference_set, notifications_mark_all_read


@require_GET
@never_cache
def healthz(request):
    """Report the database, the broker and the worker and beat heartbeats: 200 only when every part is up."""
    status = health_status()
    return JsonResponse(status, status=200 if status["status"] == "ok" else 503)


@never_cache
def livez(request):
    """Liveness of this web process: answers without touching the database or the broker."""
    return HttpResponse("ok\n", content_type="text/plain")


@login_required
@require_GET
def notification_list(request):
    """The user's inbox: every notification, unread first marked, newest first."""
    page = Paginator(notifications_for(user=request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/notification_list.html",
        {
            "page": page,
            "email_delivery": email_delivery_of(user=request.user),
            "delivery_choices": NotificationPreference.Delivery.choices,
        },
    )


@login_required
@require_GET
def notification_open_view(request, pk: int):
    """Open one notification: mark it read and go to what it is about (the inbox when it links nowhere)."""
    note = notification_open(user=request.user, pk=pk)
    if note is None:
        raise Http404(_("No such notification."))
    if note.link and url_has_allowed_host_and_scheme(
        note.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(note.link)
    return redirect("notification_list")


@login_required
@require_POST
def notification_mark_all_read(request):
    """Mark every notification of the user read."""
    count = notifications_mark_all_read(user=request.user)
    messages.success(
        request,
        ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", count)
        % {"count": count},
    )
    return redirect("notification_list")


@login_required
@require_POST
def notification_preference(request):
    """Choose an e-mail for each notification or one daily digest."""
    choice = request.POST.get("email_delivery", "")
    if choice not in NotificationPreference.Delivery.values:
        messages.error(request, _("Choose how you want notifications e-mailed."))
        return redirect("notification_list")
    notification_preference_set(user=request.user, email_delivery=choice)
    if choice == NotificationPreference.Delivery.DIGEST:
        messages.success(request, _("You will get one e-mail a day with your notifications."))
    else:
        messages.success(request, _("You will get an e-mail for each notification."))
    return redirect("notification_list")
