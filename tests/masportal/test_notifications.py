"""The notifications inbox, the unread count in the header and the daily digest through the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core import services
from core.models import Notification, NotificationPreference
from core.scheduling import registered_jobs, run_scheduled_jobs
from tests.masportal.test_outbox import smtp  # noqa: F401 - the real SMTP server fixture

pytestmark = pytest.mark.django_db

# Session, user, the roles (navigation), the register-admin flag with the unread count (navigation and header,
# one statement), the page's count and rows, the e-mail preference.
INBOX_QUERIES = 7


@pytest.fixture
def mas(demo_user):
    """The demo MAS with an address and no notification but those a test writes."""
    user = demo_user("mas")
    Notification.objects.filter(recipient=user).delete()
    Notification.objects.filter(email_status=Notification.EmailStatus.PENDING).update(
        email_status=Notification.EmailStatus.SKIPPED
    )
    user.email = "mas@example.se"
    user.save(update_fields=["email"])
    return user


def _notify(user, n: int, *, prefix: str = "note", link: str = "/avvikelser/") -> None:
    for i in range(n):
        services.notify(
            recipients=[user],
            kind="test",
            subject=f"Avvikelse AV-2026-{i:06d} väntar",
            body="Öppna ärendet.",
            link=link,
            dedupe_key=f"{prefix}:{i}",
        )


def test_inbox_lists_only_the_users_notifications_with_read_and_unread(client, mas, demo_user):
    """The MAS sees her notifications, unread ones marked; another user's notification is not there."""
    _notify(mas, 2)
    services.notify(
        recipients=[demo_user("enhetschef")], kind="test", subject="Hemlig för enhetschefen", dedupe_key="other"
    )
    Notification.objects.filter(recipient=mas, dedupe_key="note:0").update(read_at=timezone.now())
    client.force_login(mas)
    page = client.get("/aviseringar/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Avvikelse AV-2026-000000 väntar" in html
    assert "Avvikelse AV-2026-000001 väntar" in html
    assert "Hemlig för enhetschefen" not in html
    assert html.count('class="is-unread"') == 1
    assert html.count('class="is-read"') == 1
    assert "2 aviseringar, 1 oläst<" in html


def test_inbox_query_count_does_not_grow_with_the_number_of_notifications(client, mas, django_assert_num_queries):
    """The inbox takes the same number of queries for 1 and for 40 notifications."""
    client.force_login(mas)
    _notify(mas, 1)
    client.get("/aviseringar/")
    with django_assert_num_queries(INBOX_QUERIES):
        assert client.get("/aviseringar/").status_code == 200
    _notify(mas, 40, prefix="many")
    with django_assert_num_queries(INBOX_QUERIES):
        assert "41 aviseringar, 41 olästa" in client.get("/aviseringar/").content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_the_item(client, mas):
    """Following a notification marks it read and leads to its link; the header count drops."""
    _notify(mas, 2, link="/avvikelser/bedomning/")
    note = Notification.objects.get(recipient=mas, dedupe_key="note:1")
    client.force_login(mas)
    assert 'badge-unread">2<' in client.get("/register/enheter/").content.decode()
    response = client.get(reverse("notification_open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/avvikelser/bedomning/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert 'badge-unread">1<' in client.get("/register/enheter/").content.decode()


def test_a_notification_with_an_outside_link_opens_the_inbox_instead(client, mas):
    """A link that is not the portal's own is never followed (no open redirect)."""
    _notify(mas, 1, link="https://evil.example/")
    note = Notification.objects.get(recipient=mas)
    client.force_login(mas)
    assert client.get(reverse("notification_open", args=[note.pk]))["Location"] == "/aviseringar/"


def test_another_users_notification_cannot_be_opened_or_marked(client, mas, demo_user):
    """The enhetschef gets 404 for the MAS's notification and it stays unread."""
    _notify(mas, 1)
    note = Notification.objects.get(recipient=mas)
    client.force_login(demo_user("enhetschef"))
    assert client.get(reverse("notification_open", args=[note.pk])).status_code == 404
    client.post(reverse("notification_mark_all_read"))
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read_reads_every_notification_of_the_user_only(client, mas, demo_user):
    """ "Markera alla som lästa" marks the user's three notifications read and says so; others' stay unread."""
    _notify(mas, 3)
    other = demo_user("enhetschef")
    services.notify(recipients=[other], kind="test", subject="x", dedupe_key="other")
    client.force_login(mas)
    response = client.post(reverse("notification_mark_all_read"), follow=True)
    assert "3 aviseringar markerade som lästa." in response.content.decode()
    assert not Notification.objects.filter(recipient=mas, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).exists()
    assert "badge-unread" not in response.content.decode()


def test_the_header_count_is_one_query_per_page(client, mas, django_assert_num_queries):
    """Every page shows the unread count; it costs one query and is not repeated within the request."""
    _notify(mas, 3)
    client.force_login(mas)
    client.get("/register/enheter/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        html = client.get("/register/enheter/").content.decode()
    assert 'badge-unread">3<' in html
    counts = [q["sql"] for q in ctx.captured_queries if "masportal_notification" in q["sql"]]
    assert len(counts) == 1


def test_the_preference_is_stored_and_a_bad_choice_is_refused(client, mas):
    """Choosing the digest is stored per user; an unknown choice gets a Swedish message and changes nothing."""
    client.force_login(mas)
    response = client.post(reverse("notification_preference"), {"email_delivery": "digest"}, follow=True)
    assert "Du får ett e-brev om dagen med dina aviseringar." in response.content.decode()
    assert NotificationPreference.objects.get(user=mas).email_delivery == "digest"
    response = client.post(reverse("notification_preference"), {"email_delivery": "weekly"}, follow=True)
    assert "Välj hur du vill få aviseringar per e-post." in response.content.decode()
    assert NotificationPreference.objects.get(user=mas).email_delivery == "digest"
    assert 'id="delivery-digest" value="digest" checked' in response.content.decode()


def test_digest_users_get_one_email_a_day_exactly_once_and_others_at_once(smtp, mas, demo_user):  # noqa: F811
    """Digest: notifications wait, the nightly job puts one digest per user and day in the outbox, a second
    run sends nothing; a user who chose e-mail at once gets each notification as before."""
    smtp.start()
    other = demo_user("enhetschef")
    other.email = "ec@example.se"
    other.save(update_fields=["email"])
    services.notification_preference_set(user=mas, email_delivery="digest")
    _notify(mas, 3)
    services.notify(recipients=[other], kind="test", subject="Direkt till enhetschefen", dedupe_key="ec")

    assert services.deliver_pending_notifications()["sent"] == 1  # the enhetschef's; the MAS's are held
    assert b"Direkt till enhetschefen" in smtp.inbox.messages[0]

    today = timezone.localdate()
    [run] = run_scheduled_jobs(on=today, only="notification_digest")
    assert run.counts["digests"] == 1
    assert run.counts["notifications"] == 3
    assert services.deliver_pending_notifications()["sent"] == 1
    assert len(smtp.inbox.messages) == 2
    digest = smtp.inbox.messages[1].decode("utf-8", "replace")
    assert "AV-2026-000000" in digest
    assert "AV-2026-000002" in digest
    assert set(Notification.objects.filter(recipient=mas, kind="test").values_list("email_status", flat=True)) == {
        Notification.EmailStatus.IN_DIGEST
    }

    # Once a day: a new notification the same day waits for tomorrow's digest.
    services.notify(recipients=[mas], kind="test", subject="Sent på dagen", dedupe_key="late")
    [again] = run_scheduled_jobs(on=today, only="notification_digest")
    assert again.counts["digests"] == 0
    assert services.deliver_pending_notifications()["sent"] == 0
    [tomorrow] = run_scheduled_jobs(on=today + timedelta(days=1), only="notification_digest")
    assert tomorrow.counts == {"digests": 1, "notifications": 1, "complete": True}
    assert services.deliver_pending_notifications()["sent"] == 1
    assert len(smtp.inbox.messages) == 3
    # The digest itself is not a notification in the inbox.
    assert not services_inbox_has_digest(mas)


def services_inbox_has_digest(user) -> bool:
    from core.selectors import notifications_for

    return notifications_for(user=user).filter(kind=Notification.DIGEST_KIND).exists()


def test_the_digest_runs_in_the_delivery_stage_before_the_outbox_is_delivered():
    """The digest job is registered in the delivery stage and the outbox delivery follows it."""
    names = list(registered_jobs())
    assert names.index("notification_digest") < names.index("deliver_notifications")
    from core.scheduling import Stage, job_order

    assert {j.name: j.stage for j in job_order()}["notification_digest"] == Stage.DELIVER
