"""Organization life in the demo dataset (`dangjian/life/demo.py`): regular branches and a
few lapsing or silent, the review states, attendance consistent with the counts, Party
groups, committee meetings, activities over the six duties, pairings, demonstration sites
and 联组."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from dangjian import demo
from dangjian.accounts.models import User
from dangjian.demo.base import CHANGSHA
from dangjian.demo.scales import Scale
from dangjian.lib.dated import holds_on
from dangjian.life import demo as life_demo
from dangjian.life.models import (
    Activity,
    ActivityKind,
    Attendance,
    AttendanceStatus,
    DemonstrationSite,
    JointGroup,
    JointGroupMember,
    Meeting,
    MeetingType,
    Pairing,
    PartyGroup,
    ReviewState,
    SiteLevel,
)
from dangjian.partyorgs.models import CommitteeMembership, PartyOrganization
from dangjian.people.models import Membership

TODAY = demo.DEMO_TODAY
SCALE = "1000"  # enough branches for the shares below, and a few 联组


@pytest.fixture(scope="class")
def dataset(django_db_setup, django_db_blocker):
    """One dataset shared by the tests of a class, rolled back afterwards."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        summary = demo.generate(SCALE, seed=1)
        yield summary
        transaction.set_rollback(True)


def branches():
    """The active branches of social organizations, the ones organization life is for."""
    return PartyOrganization.objects.filter(
        level="branch", form__in=["standalone", "joint", "functional"], status="active"
    )


def members_of() -> dict[int, list[tuple[int, dt.date]]]:
    """Each Party organization's members (whose relation it holds): person, joined."""
    found: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    for po, person, joined in Membership.objects.filter(
        relation_party_org__isnull=False
    ).values_list("relation_party_org_id", "person_id", "joined_on"):
        found[po].append((person, joined))
    return found


def checked_months() -> list[tuple[int, int]]:
    """The months of the checked year that have ended."""
    return [m for m in life_demo.months(life_demo.SINCE) if m < (TODAY.year, TODAY.month)]


@pytest.mark.django_db
class TestOrganizationLife:
    def test_the_summary_counts_every_table(self, dataset):
        counts = dataset.counts
        for key, model in {
            "party_groups": PartyGroup,
            "joint_groups": JointGroup,
            "joint_group_members": JointGroupMember,
            "meetings": Meeting,
            "attendance": Attendance,
            "activities": Activity,
            "pairings": Pairing,
            "demonstration_sites": DemonstrationSite,
        }.items():
            assert counts[key] == model._default_manager.count() > 0, key
            assert model.history.count() == counts[key]  # type: ignore[attr-defined]
        assert f"组织生活会议 {counts['meetings']} 次" in dataset.line()

    def test_most_branches_meet_regularly_a_few_lapse_a_few_never(self, dataset):
        months = checked_months()
        theme_days: dict[int, set[tuple[int, int]]] = defaultdict(set)
        for po, held in Meeting.objects.filter(type=MeetingType.THEME_DAY).values_list(
            "party_org_id", "held_on"
        ):
            theme_days[po].add((held.year, held.month))
        old = list(branches().filter(founded_on__lt=life_demo.SINCE).values_list("id", flat=True))
        assert len(old) > 80
        regular = [po for po in old if theme_days[po] >= set(months)]
        silent = [po for po in old if not Meeting.objects.filter(party_org_id=po).exists()]
        lapsing = len(old) - len(regular) - len(silent)
        assert 0.75 <= len(regular) / len(old) <= 0.92, (len(regular), len(old))
        assert 0 < len(silent) <= 0.08 * len(old)
        assert lapsing > 0
        # meetings only of the branches, within the checked year, after their founding
        assert not Meeting.objects.exclude(party_org__in=branches()).exists()
        assert not Meeting.objects.filter(held_on__gt=TODAY).exists()
        assert not Meeting.objects.filter(held_on__lt=dt.date(TODAY.year - 2, 11, 20)).exists()
        for meeting in Meeting.objects.select_related("party_org")[:500]:
            assert meeting.held_on >= meeting.party_org.founded_on
        # every type, this year's 组织生活会 only where held already
        types = Counter(Meeting.objects.values_list("type", flat=True))
        assert set(types) == set(MeetingType.values)
        assert types[MeetingType.THEME_DAY] > types[MeetingType.ASSEMBLY] > types[MeetingType.LIFE]

    def test_nearly_all_approved_a_few_recent_ones_in_every_other_state(self, dataset):
        states = Counter(Meeting.objects.values_list("state", flat=True))
        assert set(states) == set(ReviewState.values)
        assert states[ReviewState.APPROVED] >= 0.93 * sum(states.values())
        recent = TODAY - dt.timedelta(days=60)
        pending = Meeting.objects.exclude(state=ReviewState.APPROVED)
        assert not pending.filter(held_on__lt=recent).exists()
        for m in Meeting.objects.all():
            if m.state == ReviewState.DRAFT:
                assert m.submitted_at is None and m.reviewed_at is None
            else:
                assert m.submitted_at is not None
                assert timezone.localtime(m.submitted_at).date() >= m.held_on
            if m.state == ReviewState.SUBMITTED:
                assert m.reviewed_at is None
            if m.state in (ReviewState.APPROVED, ReviewState.RETURNED):
                assert m.reviewed_at is not None and m.submitted_at is not None
                assert m.submitted_at < m.reviewed_at
                assert timezone.localtime(m.reviewed_at).date() <= TODAY
            assert bool(m.opinion) == (m.state == ReviewState.RETURNED)
            assert m.topic and m.duties and m.minutes and m.host and m.recorder
        # a reviewed meeting names who reviewed it: the nearest demo officer above it
        officers = {
            u.username: u.area.path
            for u in User.objects.filter(
                username__in=["wenyilu_cadre", "furong_admin", "city_admin"]
            ).select_related("area")
        }
        assert len(officers) == 3
        reviewed = Meeting.objects.filter(reviewed_at__isnull=False)
        assert not Meeting.objects.filter(reviewed_at__isnull=True, reviewed_by__isnull=False)
        credited = Counter()
        for path, reviewer in reviewed.values_list(
            "party_org__township__path", "reviewed_by__username"
        ):
            nearest = max(
                (name for name, above in officers.items() if path.startswith(above)),
                key=lambda name: len(officers[name]),
            )
            assert reviewer == nearest, (path, reviewer)
            credited[reviewer] += 1
        assert credited["city_admin"] and credited["furong_admin"]
        history = Meeting.history.filter(id__in=reviewed.values("pk"))
        assert not history.filter(reviewed_by__isnull=True).exists()
        # the demo secretary finds one of each to work on (dangjian.accounts.demo)
        secretary = User.objects.get(username="org_secretary")
        mine = set(
            Meeting.objects.filter(party_org=secretary.party_org).values_list("state", flat=True)
        )
        assert mine == set(ReviewState.values)

    def test_attendance_of_the_last_months_agrees_with_the_counts(self, dataset):
        members = members_of()
        rows: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        for meeting, person, status, reason in Attendance.objects.values_list(
            "meeting_id", "person_id", "status", "reason"
        ):
            rows[meeting].append((person, status, reason))
        listed = Meeting.objects.filter(pk__in=list(rows))
        assert listed.count() > 300
        assert not listed.filter(held_on__lt=life_demo.ATTENDANCE_SINCE).exists()
        # those not listed are the functional branches' (members held elsewhere) and a few
        # committee meetings with an office holder whose relation is held elsewhere
        recent = Meeting.objects.filter(held_on__gte=life_demo.ATTENDANCE_SINCE)
        assert listed.count() >= 0.8 * recent.count()
        statuses = Counter()
        for m in listed:
            people = rows[m.pk]
            assert m.expected == len(people)
            assert m.present == sum(1 for _p, s, _r in people if s == AttendanceStatus.PRESENT)
            joined = dict(members[m.party_org_id])
            for person, status, reason in people:
                assert joined[person] <= m.held_on  # a member of the branch on the day
                assert bool(reason) == (status == AttendanceStatus.LEAVE)
                statuses[status] += 1
        assert set(statuses) == set(AttendanceStatus.values)
        assert 0.8 < statuses[AttendanceStatus.PRESENT] / sum(statuses.values()) < 0.97
        # and the counts of all meetings
        for expected, present in Meeting.objects.values_list("expected", "present"):
            assert expected is not None and present is not None
            assert 1 <= present <= expected

    def test_party_groups_and_committee_meetings_where_the_branch_has_them(self, dataset):
        members = members_of()
        groups = Counter(PartyGroup.objects.values_list("party_org_id", flat=True))
        assert groups
        for po, count in groups.items():
            assert 2 <= count <= 4
            assert len(members[po]) >= life_demo.GROUPS_FROM
        for group in PartyGroup.objects.all():
            assert group.leader_id in dict(members[group.party_org_id])
            assert (
                group.founded_on >= PartyOrganization.objects.get(pk=group.party_org_id).founded_on
            )
        grouped = Meeting.objects.filter(type=MeetingType.GROUP)
        assert grouped.exists() and not grouped.filter(party_group__isnull=True).exists()
        assert (
            not Meeting.objects.exclude(type=MeetingType.GROUP)
            .filter(party_group__isnull=False)
            .exists()
        )
        offices = defaultdict(list)
        for office in CommitteeMembership.objects.all():
            offices[office.party_org_id].append(office)
        committee = Meeting.objects.filter(type=MeetingType.COMMITTEE)
        assert committee.exists()
        for m in committee:
            held = [
                o for o in offices[m.party_org_id] if holds_on(o.started_on, o.ended_on, m.held_on)
            ]
            assert m.expected is not None and len(held) == m.expected >= 3

    def test_activities_serve_the_six_duties_self_and_political_most(self, dataset):
        duties = Counter(
            code
            for text in Activity.objects.values_list("duties", flat=True)
            for code in text.split(",")
        )
        assert len(duties) == 6
        assert {code for code, _n in duties.most_common(2)} == {"self", "political"}
        kinds = set(Activity.objects.values_list("kind", flat=True))
        assert kinds == set(ActivityKind.values)
        assert not Activity.objects.filter(held_on__gt=TODAY).exists()
        assert not Activity.objects.exclude(party_org__in=branches()).exists()
        assert not Activity.objects.filter(kind=ActivityKind.PAIRING, partner__isnull=True).exists()
        for activity in Activity.objects.filter(kind=ActivityKind.PAIRING):
            assert Pairing.objects.filter(
                party_org=activity.party_org, partner=activity.partner
            ).exists()

    def test_pairings_sites_and_joint_groups(self, dataset):
        for pairing in Pairing.objects.all():
            assert pairing.partner_id != pairing.party_org_id
            assert bool(pairing.partner_id) != bool(pairing.partner_name)
            pairing.full_clean()
        levels = set(DemonstrationSite.objects.values_list("level", flat=True))
        assert levels == set(SiteLevel.values)
        members = members_of()
        assert JointGroup.objects.exists()
        for group in JointGroup.objects.select_related("lead"):
            gathered = list(group.members.select_related("party_org"))
            assert group.lead_id in {m.party_org_id for m in gathered}
            assert len(gathered) >= 2
            for m in gathered:
                assert m.party_org.township_id == group.township_id
                assert m.started_on >= m.party_org.founded_on
                if m.party_org_id != group.lead_id:
                    assert len(members[m.party_org_id]) <= life_demo.SMALL
            joint = Activity.objects.filter(joint_group=group)
            assert not joint.exclude(kind=ActivityKind.JOINT).exists()
            assert not joint.exclude(party_org=group.lead).exists()
            assert not joint.filter(held_on__lt=group.founded_on).exists()

    def test_every_row_passes_the_models_validation(self, dataset):
        everything = [
            *PartyGroup.objects.all(),
            *JointGroup.objects.all(),
            *JointGroupMember.objects.all(),
            *Meeting.objects.all()[:300],
            *Attendance.objects.all()[:300],
            *Activity.objects.all()[:300],
            *Pairing.objects.all(),
            *DemonstrationSite.objects.all(),
        ]
        for obj in everything:
            obj.full_clean()


@pytest.mark.django_db
def test_the_national_scale_records_only_the_periods_checked_today():
    """No checks are recorded at the national scale (`dangjian demo`): its meetings start
    with the periods the rules check on the as-of date, its attendance with the last month."""
    national = Scale("national", 300, CHANGSHA, "全国（测试）")
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        demo.generate(national, seed=1)
    first = Meeting.objects.order_by("held_on").values_list("held_on", flat=True).first()
    assert first is not None and first >= life_demo.NATIONAL_SINCE
    listed = Meeting.objects.filter(attendance__isnull=False).distinct()
    assert listed.exists()
    assert not listed.filter(held_on__lt=life_demo.NATIONAL_ATTENDANCE_SINCE).exists()
