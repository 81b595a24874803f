"""The crawl as the register admin (every Django admin page too) and as an anonymous visitor.

Split from tests/test_crawl.py only so that xdist runs the two halves side by side.
"""

import pytest

from tests.crawl.fixtures import world  # noqa: F401 - the shared, rolled-back scenario
from tests.test_crawl import HEAVY_ROLES, check_role


@pytest.mark.usefixtures("world", "db")
@pytest.mark.parametrize("role", HEAVY_ROLES)
def test_crawl(role, record_property):
    """No page answers 500 or shows another scope's data, and every status is the table's."""
    check_role(role, record_property)
