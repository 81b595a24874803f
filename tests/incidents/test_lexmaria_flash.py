"""Issue 13: after each Lex Maria step the message says what was recorded on which case and links what to do next:
the user's next step (its form on the case page), the investigation PDF when IVO is next, or whose move it is."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import LexMariaCase
from tests.factories import user
from tests.incidents.lexmaria_factories import open_case

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _take(client, case, step: str, fields: dict) -> tuple[str, str]:
    """Post ``step``; return the success message (HTML) and the page it was shown on."""
    data = {f"{step}-version": LexMariaCase.objects.get(pk=case.pk).version}
    data.update({f"{step}-{name}": value for name, value in fields.items()})
    response = client.post(reverse("incidents:lex_maria_step", args=[case.pk, step]), data, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    found = re.search(r'<p class="message message-success">(.*?)</p>', page, re.S)
    assert found, page[:2000]
    return found.group(1), page


def test_message_links_the_case_and_the_users_next_step_with_its_deadline(client):
    """After "Patient informerad" the MAS is told the report to IVO ("snarast", 7 days) is hers next; the link
    goes to that step's form on the case page."""
    case = open_case(route="own")
    client.force_login(user("mas"))
    message, page = _take(client, case, "inform_patient", {"informed_at": TODAY().isoformat(), "informed_by": "Elsa"})
    url = case.get_absolute_url()
    deadline = (timezone.localdate(case.decided_at) + timedelta(days=7)).isoformat()
    assert message == (
        f'Steget ”Patient informerad” är registrerat för <a href="{url}">{case.reference}</a>. '
        f'Nästa steg för dig: <a href="{url}#step-title-report_to_ivo">Anmäld till IVO</a>, senast {deadline}.'
    )
    assert '<h2 id="step-title-report_to_ivo">' in page


def test_after_the_report_to_ivo_the_message_links_the_investigation_pdf(client):
    """With the analysis done, reporting to IVO leaves sending the investigation next: the message links that step
    and the PDF to attach in IVO's e-service."""
    case = open_case(route="own")
    LexMariaCase.objects.filter(pk=case.pk).update(
        analysed_at=TODAY(), analysis_causes="Larmet var av.", patient_informed_at=TODAY(), patient_informed_by="Elsa"
    )
    client.force_login(user("mas"))
    message, _page = _take(client, case, "report_to_ivo", {"sent_at": TODAY().isoformat(), "ivo_case_number": "3.5-1"})
    url = case.get_absolute_url()
    assert message.startswith(f'Steget ”Anmäld till IVO” är registrerat för <a href="{url}">{case.reference}</a>. ')
    assert f'<a href="{url}#step-title-send_investigation">Utredning skickad till IVO</a>' in message
    pdf = reverse("incidents:lex_maria_pdf", args=[case.pk])
    assert message.endswith(f'Att bifoga i IVO:s e-tjänst: <a href="{pdf}">ladda ner utredningen (PDF)</a>.')
    assert client.get(pdf).status_code == 200


def test_a_board_official_is_told_whose_move_it_is_without_the_pdf(client):
    """The official who informs the board has no further step: the message names the next step and who takes it
    (with names), and never offers the investigation (board officials do not work the case)."""
    case = open_case(route="own")
    LexMariaCase.objects.filter(pk=case.pk).update(analysed_at=TODAY(), analysis_causes="Larmet var av.")
    client.force_login(user("tjansteman"))
    message, _page = _take(client, case, "inform_board", {"informed_at": TODAY().isoformat()})
    case.refresh_from_db()
    assert message.startswith(f'Steget ”Nämnden informerad” är registrerat för <a href="{case.get_absolute_url()}">')
    assert "Nästa: Patient informerad: " in message
    assert case.reporter_person.full_name in message
    assert "lex_maria_pdf" not in message
    assert "utredning.pdf" not in message
    assert "Nästa steg för dig" not in message


def test_marking_a_step_not_applicable_names_that_step(client):
    case = open_case(route="own")
    client.force_login(user("mas"))
    message, _page = _take(
        client, case, "not_applicable", {"which": "inform_board", "reason": "Nämnden har delegerat."}
    )
    assert message.startswith("Steget ”Nämnden informerad” är markerat som ej tillämpligt för <a href=")
    assert "Nästa steg för dig: " in message


def test_closing_says_the_case_is_closed_and_offers_nothing_next(client):
    case = open_case(route="own")
    LexMariaCase.objects.filter(pk=case.pk).update(
        patient_informed_at=TODAY(),
        patient_informed_by="Elsa",
        analysed_at=TODAY(),
        analysis_causes="Larmet var av.",
        board_informed_at=TODAY(),
        ivo_sent_at=TODAY(),
        ivo_case_number="3.5-1",
        investigation_sent_at=TODAY(),
        ivo_decision_at=TODAY(),
        ivo_outcome="Ärendet avslutas.",
    )
    client.force_login(user("mas"))
    message, _page = _take(client, case, "close", {"reason": ""})
    assert message == f'Ärendet <a href="{case.get_absolute_url()}">{case.reference}</a> är avslutat.'
