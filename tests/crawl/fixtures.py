"""The crawl's data: the demo changed by tests/crawl/scenario.py, shared by a module and rolled back."""

import pytest
from django.db import transaction

from tests.crawl import harness, scenario


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo changed by the scenario, shared by the module's tests and rolled back after them."""
    from followup.models import Action
    from incidents.lexmaria.models import LexMariaCase
    from incidents.models import Deviation

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            prepared = scenario.prepare()
            harness.SPECIAL.update(
                {Deviation: prepared.deviation_ids, LexMariaCase: prepared.lex_maria_ids, Action: prepared.action_ids}
            )
            yield prepared
        finally:
            harness.SPECIAL.clear()
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def other_municipality(django_db_setup, django_db_blocker):
    """A second municipality beside the demo (tests/crawl/other_municipality.py), rolled back after the module."""
    from tests.crawl.other_municipality import build

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
