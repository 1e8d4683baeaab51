"""Live re-evaluation (issue 14 item 2): after every committed write — a save, a delete, an
import — the findings store agrees with a full `check` of the same data, finding for
finding (identity, message, due date). Real commits (a transactional database), the demo's
data, random writes of every kind the rules read."""

from __future__ import annotations

import csv
import datetime as dt
import random

import pytest
from django.test import override_settings
from django.utils import timezone

from dangjian import demo
from dangjian.areas.models import Unit, UnitKind
from dangjian.compliance import live
from dangjian.compliance.engine import evaluate, record
from dangjian.compliance.models import FindingRecord
from dangjian.imports.export import headers, write_export
from dangjian.imports.service import import_file
from dangjian.orgs.models import OrgStatus, SocialOrganization
from dangjian.partyorgs.models import (
    CommitteeMembership,
    Coverage,
    InstructorAssignment,
    PartyOrganization,
    PartyOrgStatus,
)
from dangjian.people.models import Employment, Membership
from dangjian.tasks.models import OPEN_STATES, Task

pytestmark = pytest.mark.django_db(transaction=True)


def open_in_store() -> dict[tuple, tuple]:
    return {
        (r.rule, r.subject_type, r.subject_pk, r.occurrence): (r.message, r.due)
        for r in FindingRecord.objects.filter(resolved_on__isnull=True)
    }


def found_by_check() -> dict[tuple, tuple]:
    return {
        (f.rule, f.subject.type, f.subject.pk, f.occurrence): (f.message, f.due)
        for f in evaluate(as_of=timezone.localdate()).findings
    }


def assert_store_agrees(what: str) -> None:
    stored, found = open_in_store(), found_by_check()
    missing = {k: v for k, v in found.items() if stored.get(k) != v}
    extra = {k: v for k, v in stored.items() if k not in found}
    assert not missing and not extra, (what, missing, extra)
    # The tasks follow: every open finding has its open task, every open task its open finding.
    open_findings = set(
        FindingRecord.objects.filter(resolved_on__isnull=True).values_list("pk", flat=True)
    )
    open_tasks = set(
        Task.objects.filter(state__in=OPEN_STATES).values_list("finding_id", flat=True)
    )
    assert open_tasks == open_findings, (what, open_tasks ^ open_findings)


@pytest.fixture
def city():
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        demo.generate("300", seed=3)
    record(evaluate(as_of=timezone.localdate()))
    assert_store_agrees("after the full check")


def _some(rng: random.Random, qs):
    pks = list(qs.order_by("pk").values_list("pk", flat=True))
    return qs.model.objects.get(pk=rng.choice(pks)) if pks else None


def _days_ago(rng: random.Random, most: int = 400) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=rng.randint(1, most))


def deregister_org(rng):
    org = _some(rng, SocialOrganization.objects.filter(status=OrgStatus.ACTIVE))
    org.status = rng.choice([OrgStatus.DEREGISTERED, OrgStatus.INACTIVE])
    org.status_changed_on = max(_days_ago(rng), org.registered_on)
    org.save()


def end_employment(rng):
    e = _some(rng, Employment.objects.filter(ended_on__isnull=True))
    e.ended_on = max(_days_ago(rng, 60), e.started_on or dt.date.min)
    e.save()


def delete_employment(rng):
    _some(rng, Employment.objects.filter(person__membership__isnull=False)).delete()


def employ_member(rng):
    member = _some(rng, Membership.objects.all())
    org = _some(rng, SocialOrganization.objects.filter(status=OrgStatus.ACTIVE))
    Employment.objects.create(person=member.person, org=org, started_on=_days_ago(rng, 900))


def end_coverage(rng):
    c = _some(rng, Coverage.objects.filter(ended_on__isnull=True))
    c.ended_on = max(_days_ago(rng, 30), c.started_on)
    c.save()


def dissolve_party_org(rng):
    covering = PartyOrganization.objects.filter(
        status=PartyOrgStatus.ACTIVE, coverages__isnull=False
    ).distinct()
    p = _some(rng, covering)
    p.status = PartyOrgStatus.DISSOLVED
    p.dissolved_on = max(_days_ago(rng, 200), p.founded_on)
    p.save()


def move_relation(rng):
    m = _some(rng, Membership.objects.filter(relation_party_org__isnull=False))
    m.relation_party_org = _some(
        rng, PartyOrganization.objects.filter(status=PartyOrgStatus.ACTIVE)
    )
    m.save()


def confirm_member(rng):
    m = _some(rng, Membership.objects.filter(confirmed_on__isnull=True))
    if m is not None:
        m.confirmed_on = max(timezone.localdate() - dt.timedelta(days=1), m.joined_on)
        m.save()


def end_office(rng):
    o = _some(rng, CommitteeMembership.objects.filter(ended_on__isnull=True))
    o.ended_on = max(_days_ago(rng, 90), o.started_on)
    o.save()


def end_assignment(rng):
    a = _some(rng, InstructorAssignment.objects.filter(ended_on__isnull=True))
    if a is not None:
        a.ended_on = max(_days_ago(rng, 90), a.started_on)
        a.save()


def change_supervisor(rng):
    org = _some(rng, SocialOrganization.objects.filter(supervisor__isnull=False))
    org.supervisor = _some(rng, Unit.objects.filter(kind=UnitKind.SUPERVISORY))
    org.save()


def apply_to_join(rng):
    """An application nobody talked about (DEV-TALK), or a 发展对象 made too soon."""
    from dangjian.development.models import Applicant

    person = _some(rng, Employment.objects.filter(person__membership__isnull=True)).person
    branch = _some(rng, PartyOrganization.objects.filter(status=PartyOrgStatus.ACTIVE))
    applied = _days_ago(rng, 300)
    activist = applied + dt.timedelta(days=10) if rng.random() < 0.5 else None
    Applicant.objects.update_or_create(
        person=person,
        defaults={
            "party_org": branch, "applied_on": applied, "activist_on": activist,
            "candidate_on": activist + dt.timedelta(days=20) if activist else None,
        },
    )  # fmt: skip


def extend_probation(rng):
    m = _some(rng, Membership.objects.filter(confirmed_on__isnull=True))
    if m is not None:
        m.probation_extended_to = max(_days_ago(rng, 200), m.joined_on + dt.timedelta(days=1))
        m.save()


WRITES = [
    deregister_org,
    end_employment,
    delete_employment,
    employ_member,
    end_coverage,
    dissolve_party_org,
    move_relation,
    confirm_member,
    end_office,
    end_assignment,
    change_supervisor,
    apply_to_join,
    extend_probation,
]


def test_every_committed_write_leaves_the_store_as_a_full_check_finds(city):
    rng = random.Random(14)
    for i in range(36):
        write = WRITES[i % len(WRITES)] if i < len(WRITES) else rng.choice(WRITES)
        write(rng)
        assert_store_agrees(f"after {write.__name__} (write {i})")


def test_a_task_closes_itself_when_a_write_fixes_its_finding_and_reopens_when_it_returns(city):
    finding = FindingRecord.objects.filter(rule="COV-INSTRUCTOR", resolved_on__isnull=True).first()
    task = Task.objects.get(finding=finding)
    org = SocialOrganization.objects.get(pk=finding.subject_pk)
    instructor = InstructorAssignment.objects.first().instructor
    assignment = InstructorAssignment.objects.create(
        instructor=instructor, org=org, started_on=timezone.localdate()
    )
    task.refresh_from_db()
    assert task.state == "fixed"
    assert "数据变更：指导员派驻1条" in task.events.order_by("pk").last().text
    assignment.delete()
    task.refresh_from_db()
    assert task.state == "pending"
    assert_store_agrees("after the assignment came and went")


def test_an_import_is_followed_as_a_whole(city, tmp_path):
    exported = tmp_path / "orgs.csv"
    write_export("orgs", exported)
    with exported.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == headers("orgs")
    status, changed_on = rows[0].index("登记状态"), rows[0].index("状态变更日期")
    registered = rows[0].index("成立登记日期")
    active = [r for r in rows[1:] if r[status] == "正常"]
    for row in random.Random(5).sample(active, 12):
        row[status] = "注销"
        row[changed_on] = max(
            row[registered], (timezone.localdate() - dt.timedelta(days=45)).isoformat()
        )
    with exported.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    before = open_in_store()
    result = import_file("orgs", exported)
    assert result.ok, result
    after = open_in_store()
    assert before != after  # the deregistrations were followed
    assert_store_agrees("after the import")


def test_the_scope_of_a_write_reaches_one_step_along_every_relation(city):
    coverage = Coverage.objects.filter(ended_on__isnull=True).first()
    scope = live.scope_of({Coverage: {coverage.pk}})
    assert coverage.org_id in scope.orgs and coverage.party_org_id in scope.party_orgs
    member = Membership.objects.filter(relation_party_org__isnull=False).first()
    scope = live.scope_of({Membership: {member.pk}})
    assert member.person_id in scope.people
    assert member.relation_party_org_id is not None
    assert member.relation_party_org_id in scope.party_orgs
    employers = set(
        Employment.objects.filter(person=member.person).values_list("org_id", flat=True)
    )
    assert employers <= scope.orgs
