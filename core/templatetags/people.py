"""Template filters for people: ``{{ t.actor|actor }}`` shows who acted (see core.users)."""

from django import template

from core.users import actor_display

register = template.Library()


@register.filter(name="actor")
def actor_filter(user) -> str:
    """Show an acting user by the one display rule; never fails on a missing actor."""
    return actor_display(user)
