"""A meeting record's review tells those who act next: a submission the officers of the
nearest area above the branch that has any (and the secretaries of its parent Party
organization), a return or an approval the branch's own accounts — in the notification
centre, which leads to the meeting, and in the daily digest. Nobody is told of their own
step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from dangjian.accounts.models import Role
from dangjian.life import services
from dangjian.life.models import Meeting, MeetingType, ReviewState
from dangjian.tasks import digest
from dangjian.tasks.models import Notification, NotificationKind
from tests import factories
from tests.actors import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(areas):
    return build_world(areas)


def draft(world) -> Meeting:
    return Meeting.objects.create(
        party_org=world.party_orgs["fr"],
        type=MeetingType.ASSEMBLY,
        held_on=dt.date(2026, 1, 15),
        topic="学习党章",
        expected=1,
        present=1,
        duties="political",
        minutes="一、学习",
        state=ReviewState.DRAFT,
    )


def told(kind: str) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", "text"))


def test_each_review_step_tells_the_next_actor_and_leads_to_the_meeting(world):
    secretary, township = world.users["secretary"], world.users["wenyilu"]
    meeting = draft(world)
    services.meeting_submit(user=secretary, meeting=meeting)
    # the township's officer, the nearest area with one; not the district's, not the city's
    assert told(NotificationKind.MEETING_SUBMITTED) == [
        ("wenyilu", "「芙蓉区书法协会党支部」支部党员大会（2026-01-15）学习党章：已报送，请审核")
    ]
    note = Notification.objects.get(kind=NotificationKind.MEETING_SUBMITTED)
    assert note.meeting == meeting and note.task is None
    assert meeting.party_org.name in note.text and "已报送，请审核" in note.text

    services.meeting_return(user=township, meeting=meeting, opinion="请补充讨论内容")
    returned = Notification.objects.get(kind=NotificationKind.MEETING_RETURNED)
    assert returned.user == secretary and "请补充讨论内容" in returned.text

    services.meeting_submit(user=secretary, meeting=meeting)
    services.meeting_approve(user=township, meeting=meeting, opinion="同意")
    approved = Notification.objects.get(kind=NotificationKind.MEETING_APPROVED)
    assert approved.user == secretary and "已审核通过，审核意见：同意" in approved.text
    assert Notification.objects.filter(kind=NotificationKind.MEETING_SUBMITTED).count() == 2
    # nobody was told of their own step
    assert not Notification.objects.filter(
        user=secretary, kind=NotificationKind.MEETING_SUBMITTED
    ).exists()
    assert not Notification.objects.filter(
        user=township,
        kind__in=[NotificationKind.MEETING_RETURNED, NotificationKind.MEETING_APPROVED],
    ).exists()

    # the centre lists it with its kind, and opening it leads to the meeting, marked read
    c = Client()
    c.force_login(secretary)
    page = c.get(reverse("web:notifications")).content.decode()
    assert "会议记录被退回" in page and "会议记录已审核" in page and "查看会议记录" in page
    opened = c.post(reverse("web:notification_read", kwargs={"pk": approved.pk}))
    assert opened.status_code == 302
    assert opened["Location"] == reverse("web:meeting", kwargs={"pk": meeting.pk})
    approved.refresh_from_db()
    assert approved.read_at is not None
    # another user's notification answers as missing
    other = Client()
    other.force_login(township)
    assert (
        other.post(reverse("web:notification_read", kwargs={"pk": approved.pk})).status_code == 404
    )


def test_without_a_township_officer_the_district_is_told_and_the_parent_s_secretary_too(world):
    world.users["wenyilu"].is_active = False
    world.users["wenyilu"].save()
    branch = world.party_orgs["fr"]
    parent = factories.party_org(
        branch.township, code="D-FR-P", name="芙蓉区社会组织联合党委", level="committee"
    )
    branch.parent = parent
    branch.save()
    factories.user("parent_secretary", role=Role.ORG, party_org=parent)
    services.meeting_submit(user=world.users["secretary"], meeting=draft(world))
    assert [u for u, _ in told(NotificationKind.MEETING_SUBMITTED)] == [
        "furong",
        "parent_secretary",
    ]


def test_a_refused_step_tells_nobody(world):
    meeting = draft(world)
    with pytest.raises(services.LifeError):
        services.meeting_approve(user=world.users["wenyilu"], meeting=meeting)
    assert not Notification.objects.exists()


def test_the_digest_links_a_meeting_notification_to_its_meeting(world, settings):
    settings.SITE_URL = "http://dangjian.example"
    township = world.users["wenyilu"]
    township.email = "wenyilu@example.cn"
    township.save()
    meeting = draft(world)
    services.meeting_submit(user=world.users["secretary"], meeting=meeting)
    digest.send_digests(dt.date.today() + dt.timedelta(days=1))
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "【会议记录待审核】" in body
    assert f"查看会议记录：http://dangjian.example/meetings/{meeting.pk}/" in body
