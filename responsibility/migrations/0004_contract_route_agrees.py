"""The database refuses a contract whose Lex Maria route contradicts its type and MAS duty (SPEC §5, R11).

In its own migration (its own transaction): the previous one marks the contradictions already stored
(``predates_route_rule``), which the constraint then lets load; PostgreSQL cannot alter a table with the
trigger events of that UPDATE still pending in the same transaction.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("responsibility", "0003_municipality_settings_contract_route_rule")]

    operations = [
        migrations.AddConstraint(
            model_name='contract',
            constraint=models.CheckConstraint(condition=models.Q(('predates_route_rule', True), models.Q(('kind', 'contract'), ('lex_maria_route', 'contractor_via_board_mas'), ('mas_held_by', 'contractor')), models.Q(('kind', 'contract'), ('lex_maria_route', 'board_mas'), ('mas_held_by', 'board')), models.Q(('kind', 'framework'), ('lex_maria_route', 'provider_mas'), ('mas_held_by', 'contractor')), models.Q(('kind', 'choice'), ('lex_maria_route', 'provider_mas'), ('mas_held_by', 'contractor')), models.Q(('kind', 'physician'), ('lex_maria_route', 'own'), ('mas_held_by', 'contractor')), models.Q(('kind', 'physician'), ('lex_maria_route', 'own'), ('mas_held_by', 'board')), _connector='OR'), name='contract_route_agrees', violation_error_message='The Lex Maria route must agree with the contract type and who holds the MAS duty.'),
        ),
    ]
