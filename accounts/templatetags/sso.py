from django import template

from accounts import selectors

register = template.Library()


@register.inclusion_tag("accounts/sso_buttons.html", takes_context=True)
def sso_login_buttons(context):
    """'Log in with <provider>' for the municipality named by ?kommun=CODE (every municipality's when none)."""
    request = context["request"]
    providers = selectors.login_providers(municipality_code=request.GET.get("kommun"))
    request.sso_form_action = {origin for p in providers if (origin := selectors.idp_origin(p))}
    show_municipality = len({p.municipality_id for p in providers}) > 1
    return {
        "providers": providers,
        "show_municipality": show_municipality,
        "next": context.get("next", ""),
        "csrf_token": context.get("csrf_token"),
    }
