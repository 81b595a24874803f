"""Board and region codes are unique only within a municipality."""

import pytest

from reports.scopes import ScopeError, parse_scope
from responsibility.models import Board, Municipality


@pytest.mark.django_db
def test_same_board_code_in_two_municipalities_is_resolved_within_the_users_municipality():
    """A scope code found in two municipalities is refused unless the municipality is known."""
    stockholm = Municipality.objects.get(code="stockholm")
    other = Municipality.objects.create(name="Annan kommun", code="annan", org_number="212000-0142")
    Board.objects.create(municipality=other, code="farsta", name="Annan Farsta")
    with pytest.raises(ScopeError):
        parse_scope("board:farsta")
    scope = parse_scope("board:farsta", municipality_id=stockholm.pk)
    assert scope.label.startswith("Farsta")
