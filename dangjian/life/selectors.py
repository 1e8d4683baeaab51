"""Reads of organization life, through the jurisdiction gate: a meeting outside the user's
Party organizations answers as one that does not exist."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from dangjian.accounts.jurisdiction import AREA_ROLES, Jurisdiction
from dangjian.accounts.models import Role
from dangjian.life.models import Meeting, MeetingAttachment, PartyGroup, ReviewState
from dangjian.partyorgs.models import PartyOrganization

MEETING_NOT_FOUND = "会议记录不存在"


def meetings_for(user: Any, party_org: PartyOrganization | None = None) -> QuerySet[Meeting]:
    """The meetings of the Party organizations the user sees (of one, when given)."""
    qs = Meeting.objects.filter(party_org__in=Jurisdiction(user).party_orgs().values("pk"))
    if party_org is not None:
        qs = qs.filter(party_org=party_org)
    return qs.select_related("party_org", "party_group", "reviewed_by")


def meeting_get(user: Any, pk: Any) -> Meeting:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404(MEETING_NOT_FOUND) from None
    found = meetings_for(user).select_related("party_org__township__parent").filter(pk=key).first()
    if found is None:
        raise Http404(MEETING_NOT_FOUND)
    return found


def party_groups_of(party_org: PartyOrganization) -> QuerySet[PartyGroup]:
    return PartyGroup.objects.filter(party_org=party_org).select_related("leader").order_by("name")


def attachment_get(user: Any, pk: Any) -> MeetingAttachment:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404("附件不存在") from None
    found = (
        MeetingAttachment.objects.filter(pk=key, meeting__in=meetings_for(user).values("pk"))
        .select_related("meeting")
        .first()
    )
    if found is None:
        raise Http404("附件不存在")
    return found


def reviewable_q(user: Any) -> Q:
    """The meetings `user` reviews (报送 to them): of the Party organizations in the area of
    an area officer, or under the Party organization of a secretary (never their own)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser and not user.role:
        return Q()
    if user.role in AREA_ROLES and user.area_id is not None:
        return Q(party_org__township__path__startswith=user.area.path)
    if user.role == Role.ORG and user.party_org_id is not None:
        gate = Jurisdiction(user)
        return Q(party_org__in=gate.party_orgs().exclude(pk=user.party_org_id).values("pk"))
    return Q(pk__in=[])


def may_review(user: Any, meeting: Meeting) -> bool:
    return Meeting.objects.filter(reviewable_q(user), pk=meeting.pk).exists()


def may_submit(user: Any, meeting: Meeting) -> bool:
    """A secretary submits the meetings of their own Party organization (or one under it)."""
    return (
        user is not None
        and user.is_authenticated
        and user.role == Role.ORG
        and Jurisdiction(user).party_orgs().filter(pk=meeting.party_org_id).exists()
    )


def review_queue(user: Any) -> QuerySet[Meeting]:
    """The meetings waiting for `user`'s review, oldest submission first."""
    return (
        meetings_for(user)
        .filter(reviewable_q(user), state=ReviewState.SUBMITTED)
        .select_related("party_org__township")
        .order_by("submitted_at", "pk")
    )
