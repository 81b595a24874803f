"""Template context shared by every page: the user's roles and navigation."""

from functools import lru_cache

from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from masportal.selectors import navigation_facts
from responsibility.choices import Role
from responsibility.permissions import user_roles

# (label, url name, roles that see it; None = everyone logged in). Apps add
# their entries here so that navigation is decided in one place.
NAVIGATION = (
    (_("Start"), "home", None),
    (
        _("Report deviation"),
        "incidents:deviation_create",
        {Role.REPORTER, Role.UNIT_MANAGER, Role.OPERATIONS_MANAGER, Role.MAS, Role.MAR},
    ),
    (
        _("Deviations"),
        "incidents:deviation_list",
        {Role.UNIT_MANAGER, Role.OPERATIONS_MANAGER, Role.MAS, Role.MAR, Role.LEX_MARIA_REPORTER},
    ),
    (_("Lex Maria"), "incidents:lex_maria_queue", {Role.MAS, Role.MAR, Role.BOARD_OFFICIAL, Role.LEX_MARIA_REPORTER}),
    (
        _("Complaints"),
        "complaints:complaint_list",
        {Role.REPORTER, Role.UNIT_MANAGER, Role.OPERATIONS_MANAGER, Role.MAS, Role.MAR},
    ),
    (
        _("Collaboration deviations"),
        "complaints:collaboration_list",
        {Role.UNIT_MANAGER, Role.OPERATIONS_MANAGER, Role.MAS, Role.MAR},
    ),
    (_("Units"), "responsibility:unit_list", None),
    (_("Responsibility matrix"), "responsibility:matrix", {Role.MAS, Role.MAR, Role.BOARD_OFFICIAL}),
    (
        _("Follow-up"),
        "followup:followup_list",
        {Role.QUALITY_AUDITOR, Role.MAS, Role.MAR, Role.UNIT_MANAGER, Role.OPERATIONS_MANAGER, Role.BOARD_OFFICIAL},
    ),
    (_("Reports"), "reports:report_list", {Role.MAS, Role.MAR, Role.BOARD_OFFICIAL}),
    (_("Administration"), "responsibility:admin_home", "admin"),
    (_("Undelivered e-mail"), "outbox_failed", "admin"),
    (_("Login lockouts"), "login_lockouts", "admin"),
    (_("Responsibility unclear"), "incidents:unrouted_cases", "admin"),
    (_("API clients"), "api_admin:client_list", "admin"),
)


@lru_cache(maxsize=8)
def _navigation(script_prefix: str, resolver) -> tuple:
    """NAVIGATION with each URL reversed, once per script prefix and URL resolver (Django makes a new resolver
    when the URL configuration changes), not fifteen ``reverse`` calls on every page."""
    items = []
    for label, url_name, allowed in NAVIGATION:
        try:
            items.append((label, reverse(url_name, urlconf=resolver.urlconf_name), allowed))
        except NoReverseMatch:
            continue
    return tuple(items)


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    roles = user_roles(user)
    admin, unread = navigation_facts(request)
    items = []
    for label, url, allowed in _navigation(get_script_prefix(), get_resolver(get_urlconf())):
        if allowed == "admin":
            if not admin:
                continue
        elif allowed is not None and not (admin or roles & allowed):
            continue
        items.append(
            {
                "label": label,
                "url": url,
                "current": request.path == url or (url != "/" and request.path.startswith(url)),
            }
        )
    return {
        "nav_items": items,
        "user_roles": roles,
        "is_register_admin": admin,
        "unread_notifications": unread,
    }
