"""Who acted is always shown: a name (kept after deactivation), "Systemet" or "Borttagen användare"."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.models import Notification
from core.users import ERASED_USERNAME, actor_display, user_deactivate, user_erase
from incidents.models import Deviation, DeviationState, DeviationTransition, PatientDataAccess
from incidents.permissions import actor_kinds
from incidents.workflow import Move, moves_for
from responsibility.models import Person
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

User = get_user_model()


def _workable(demo_user) -> tuple:
    """(unit manager, deviation): a registered deviation they may start, whose history a job wrote (NULL actor)."""
    user = demo_user("enhetschef")
    for deviation in Deviation.objects.filter(state=DeviationState.REGISTERED).order_by("pk"):
        kinds = actor_kinds(user=user, deviation=deviation)
        if Move.START_INVESTIGATION in moves_for(user=user, deviation=deviation, kinds=kinds):
            DeviationTransition.objects.filter(deviation=deviation).update(actor=None)
            return user, deviation
    raise AssertionError("the demo has no such deviation")


def test_display_rule():
    """Full name, else username; NULL is the system; the erased marker is a removed user."""
    named = User.objects.create_user("namn", first_name="Nora", last_name="Namn")
    bare = User.objects.create_user("utan-namn")
    user_deactivate(user=named)
    assert actor_display(named) == "Nora Namn"
    assert actor_display(bare) == "utan-namn"
    assert actor_display(None) == "Systemet"
    assert actor_display(User.objects.create_user(ERASED_USERNAME)) == "Borttagen användare"


def test_deviation_page_shows_system_deactivated_and_erased_actors(client, demo_user):
    """The deviation page of a case moved by a job, a deactivated and an erased user answers 200 with each shown."""
    manager, deviation = _workable(demo_user)
    former = User.objects.create_user("tidigare", first_name="Tove", last_name="Tidigare")
    erased = User.objects.create_user("raderas", first_name="Rut", last_name="Raderad")
    job_made = DeviationTransition.objects.get(deviation=deviation)  # actor NULL: a job acted
    for actor in (former, erased):
        DeviationTransition.objects.create(
            deviation=deviation, from_state=job_made.to_state, to_state=job_made.to_state, actor=actor, reason=""
        )
    user_deactivate(user=former)
    user_erase(user=erased)

    client.force_login(manager)
    response = client.get(reverse("incidents:deviation_detail", args=[deviation.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Tove Tidigare" in body
    assert "Borttagen användare" in body
    assert "Systemet" in body
    assert "None" not in body
    assert "Rut Raderad" not in body


def test_start_investigation_on_a_job_moved_deviation(client, demo_user):
    """Starting the investigation of a deviation whose history a job wrote works and shows that history."""
    manager, deviation = _workable(demo_user)
    client.force_login(manager)

    response = client.post(
        reverse("incidents:deviation_step", args=[deviation.pk, "start_investigation"]), {"version": deviation.version}
    )

    assert response.status_code == 302
    deviation.refresh_from_db()
    assert deviation.state == DeviationState.INVESTIGATING
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Systemet" in page.content.decode()


def test_start_investigation_refused_on_stale_version_shows_the_page(client, demo_user):
    """A refused move (someone else moved first) re-shows the page with 400, history with NULL actors included."""
    manager, deviation = _workable(demo_user)
    client.force_login(manager)

    response = client.post(
        reverse("incidents:deviation_step", args=[deviation.pk, "start_investigation"]),
        {"version": deviation.version - 1},
    )

    assert response.status_code == 400
    assert "Systemet" in response.content.decode()
    deviation.refresh_from_db()
    assert deviation.state == DeviationState.REGISTERED


def test_erasure_moves_every_reference_to_the_marker_and_deletes_the_user(demo_user):
    """An erased user's row is gone; their acts point at the marker; their login link and notifications go."""
    user = User.objects.create_user("raderas", first_name="Rut", last_name="Raderad")
    person = Person.objects.filter(user=None).first()
    person.user = user
    person.save(update_fields=["user"])
    transition = DeviationTransition.objects.exclude(actor=None).first()
    DeviationTransition.objects.filter(pk=transition.pk).update(actor=user)
    access = PatientDataAccess.objects.first()
    PatientDataAccess.objects.filter(pk=access.pk).update(user=user)  # PROTECT: would block a plain delete
    Notification.objects.create(recipient=user, kind="test", subject="x", dedupe_key="erase-test")

    user_erase(user=user)

    assert not User.objects.filter(pk=user.pk).exists()
    marker = User.objects.get(username=ERASED_USERNAME)
    assert not marker.is_active
    assert not marker.has_usable_password()
    assert DeviationTransition.objects.get(pk=transition.pk).actor == marker
    assert PatientDataAccess.objects.get(pk=access.pk).user == marker
    person.refresh_from_db()
    assert person.user is None
    assert not Notification.objects.filter(dedupe_key="erase-test").exists()


def test_deactivated_user_loses_access_and_keeps_their_name(client, demo_user):
    """A deactivated login can no longer sign in; the pages still name them on what they did."""
    manager, deviation = _workable(demo_user)
    rapportor = demo_user("rapportor")
    DeviationTransition.objects.filter(deviation=deviation).update(actor=rapportor)
    name = actor_display(rapportor)
    user_deactivate(user=rapportor)

    assert not client.login(username="rapportor", password=DEMO_PASSWORD)
    client.force_login(manager)
    body = client.get(reverse("incidents:deviation_detail", args=[deviation.pk])).content.decode()
    assert name in body


def test_erase_user_command(demo_user):
    """`erase_user NAME --yes` erases; without --yes, or for an unknown name, it refuses and changes nothing."""
    from django.core.management import CommandError, call_command

    user = User.objects.create_user("raderas")
    with pytest.raises(CommandError):
        call_command("erase_user", "raderas")
    assert User.objects.filter(pk=user.pk).exists()
    with pytest.raises(CommandError):
        call_command("erase_user", "finns-inte", "--yes")

    call_command("erase_user", "raderas", "--yes")

    assert not User.objects.filter(pk=user.pk).exists()


def test_deactivation_ends_an_open_session(client, demo_user):
    """A user deactivated while logged in is sent to the login page on their next request."""
    rapportor = demo_user("rapportor")
    client.force_login(rapportor)
    assert client.get(reverse("incidents:my_reports")).status_code == 200

    user_deactivate(user=rapportor)

    assert client.get(reverse("incidents:my_reports")).status_code == 302


def test_django_admin_cannot_delete_a_user(client, demo_user):
    """Django admin offers no delete for users (deactivate, or erase_user for GDPR): the page is refused."""
    client.force_login(demo_user("admin"))
    target = demo_user("rapportor")

    response = client.post(reverse("admin:auth_user_delete", args=[target.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert User.objects.filter(pk=target.pk).exists()
