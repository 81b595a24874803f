"""The contract route rule meets old data: contradictory contracts saved before it still load, are marked
and reported by R11; the database refuses any new contradiction (migrations 0003 and 0004)."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("responsibility", "0002_seed_rule_definitions")]
AFTER = [("responsibility", "0004_contract_route_agrees")]


@pytest.mark.django_db(transaction=True)
def test_old_contradictory_contract_is_marked_not_blocked_and_new_ones_are_refused():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    municipality = old.get_model("responsibility", "Municipality").objects.create(
        name="Testkommun", code="test-r11", org_number="212000-0142"
    )
    board = old.get_model("responsibility", "Board").objects.create(municipality=municipality, code="b", name="B")
    provider = old.get_model("responsibility", "CareProvider").objects.create(
        municipality=municipality, name="Privat AB", org_number="556000-0001", kind="private"
    )
    Contract = old.get_model("responsibility", "Contract")
    common = {
        "municipality": municipality,
        "provider": provider,
        "managing_board": board,
        "purchasing_board": board,
        "valid_from": date(2024, 1, 1),
    }
    bad = Contract.objects.create(
        title="Ramavtal",
        case_number="R11-1",
        kind="framework",
        mas_held_by="board",
        lex_maria_route="contractor_via_board_mas",
        **common,
    )
    good = Contract.objects.create(
        title="LOV",
        case_number="R11-2",
        kind="choice",
        mas_held_by="contractor",
        lex_maria_route="provider_mas",
        **common,
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Contract = new.get_model("responsibility", "Contract")
    assert Contract.objects.get(pk=bad.pk).predates_route_rule is True
    assert Contract.objects.get(pk=good.pk).predates_route_rule is False
    assert new.get_model("responsibility", "RuleDefinition").objects.filter(code__in=["R11", "R12"]).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(
            title="Ny",
            case_number="R11-3",
            kind="framework",
            mas_held_by="board",
            lex_maria_route="board_mas",
            municipality_id=municipality.pk,
            provider_id=provider.pk,
            managing_board_id=board.pk,
            purchasing_board_id=board.pk,
            valid_from=date(2024, 1, 1),
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
