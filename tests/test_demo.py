"""The demo-data generator and `dangjian demo` (CONTRACT.md, docs/demo-data.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import stat
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F, Q
from django.test import override_settings

from dangjian import demo
from dangjian.accounts.models import Role, User
from dangjian.areas import divisions
from dangjian.areas.models import Area, AreaLevel, Unit, UnitKind
from dangjian.bodies.models import (
    ContactPoint,
    TopicStudy,
    TownshipCadre,
    WorkBody,
    WorkBodyKind,
    WorkBodyStaff,
)
from dangjian.cadres.models import (
    InstructorVisit,
    PartyWorker,
    Recommendation,
    Training,
    TrainingKind,
    WorkerAllowance,
)
from dangjian.compliance.engine import evaluate, record
from dangjian.compliance.policy import load
from dangjian.core.management.commands.demo import Command
from dangjian.demo.base import SYSTEM_SINCE, allocate
from dangjian.development.models import Applicant, ApplicantStatus, Stage
from dangjian.dues.amounts import amount_due
from dangjian.dues.models import DuesCategory, DuesPayment, DuesReturn, Fund
from dangjian.inspections.models import AnnualInspection
from dangjian.lib.codes import (
    uscc_division_code,
    validate_id_number,
    validate_social_org_uscc,
)
from dangjian.orgs.models import OrgKind, OrgStatus, SocialOrganization
from dangjian.partyorgs.models import (
    CommitteeMembership,
    Coverage,
    InstructorAssignment,
    PartyOrganization,
    PartyOrgForm,
    PartyOrgStatus,
)
from dangjian.people.models import Employment, Membership, Person, PoliticalStatus
from dangjian.rectifications.models import Rectification
from dangjian.transfers.models import Transfer, TransferStatus
from dangjian.venues.models import ServiceCentre

TODAY = demo.DEMO_TODAY
SMALL = "300"
# Hashing 8 passwords with the production hasher would cost seconds, not what is tested here.
FAST_PASSWORDS = override_settings(
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
)


def fingerprint() -> str:
    """Every generated fact, by natural keys; the identity number by its keyed hash and
    masked form (the encrypted column differs on every run: Fernet is randomized)."""
    parts = [
        SocialOrganization.objects.order_by("uscc").values_list(
            "uscc",
            "name",
            "kind",
            "registry__name",
            "registration_mode",
            "supervisor__name",
            "industry",
            "district__code",
            "township__code",
            "community__code",
            "registered_on",
            "status",
            "status_changed_on",
            "staff_count",
            "party_management",
        ),
        Person.objects.order_by("id_hash").values_list(
            "id_hash", "id_masked", "name", "birth_date", "gender", "political_status"
        ),
        Employment.objects.order_by("person__id_hash", "org__uscc", "started_on").values_list(
            "person__id_hash", "org__uscc", "position", "started_on", "ended_on"
        ),
        Membership.objects.order_by("person__id_hash").values_list(
            "person__id_hash", "joined_on", "confirmed_on", "relation_party_org__code", "is_mobile"
        ),
        PartyOrganization.objects.order_by("code").values_list(
            "code",
            "name",
            "level",
            "form",
            "parent__code",
            "township__code",
            "unit__name",
            "founded_on",
            "term_started_on",
            "status",
            "dissolved_on",
        ),
        Coverage.objects.order_by("party_org__code", "org__uscc").values_list(
            "party_org__code", "org__uscc", "started_on", "ended_on"
        ),
        CommitteeMembership.objects.order_by(
            "party_org__code", "person__id_hash", "role", "started_on", "ended_on"
        ).values_list(
            "party_org__code", "person__id_hash", "role", "started_on", "ended_on", "full_time"
        ),
        InstructorAssignment.objects.order_by(
            "instructor__person__id_hash", "org__uscc", "started_on"
        ).values_list(
            "instructor__person__id_hash",
            "instructor__source",
            "org__uscc",
            "started_on",
            "ended_on",
        ),
        Unit.objects.order_by("name").values_list("name", "kind", "area__code"),
        User.objects.order_by("username").values_list(
            "username", "role", "area__code", "unit__name", "party_org__code"
        ),
    ]
    return hashlib.sha256(repr([list(p) for p in parts]).encode()).hexdigest()


def generated_fingerprint(seed: int) -> str:
    with transaction.atomic():
        demo.generate(SMALL, seed=seed)
        result = fingerprint()
        transaction.set_rollback(True)
    return result


def formal_members_by_org() -> Counter[int]:
    """Formal members employed in each organization on the as-of date."""
    return Counter(
        Employment.objects.current_on(TODAY)
        .filter(person__membership__confirmed_on__lte=TODAY)
        .values_list("org_id", flat=True)
    )


@pytest.fixture(scope="class")
def dataset(django_db_setup, django_db_blocker):
    """One small dataset shared by the tests of a class, rolled back afterwards."""
    with django_db_blocker.unblock(), FAST_PASSWORDS, transaction.atomic():
        summary = demo.generate(SMALL, seed=1)
        yield summary
        transaction.set_rollback(True)


@pytest.mark.django_db
class TestTheDataset:
    def test_it_makes_the_numbers_asked_for(self, dataset):
        assert SocialOrganization.objects.count() == 300
        assert dataset.counts["orgs"] == 300
        assert dataset.counts["people"] == Person.objects.count()
        assert dataset.counts["party_orgs"] == PartyOrganization.objects.count()
        assert dataset.counts["members_formal"] + dataset.counts["members_probationary"] == (
            Membership.objects.count()
        )
        kinds = Counter(SocialOrganization.objects.values_list("kind", flat=True))
        assert kinds[OrgKind.SERVICE_AGENCY] > kinds[OrgKind.ASSOCIATION] > 50
        people = Person.objects.count() / 300
        assert 2.5 < people < 5, people

    def test_every_code_is_valid_and_unique(self, dataset):
        orgs = SocialOrganization.objects.select_related("registry__area")
        for org in orgs:
            validate_social_org_uscc(org.uscc, org.kind)
            assert uscc_division_code(org.uscc) == org.registry.area.code
        numbers = [p.id_number for p in Person.objects.all()]
        for number in numbers:
            validate_id_number(number)
        assert len(set(numbers)) == len(numbers)
        codes = list(PartyOrganization.objects.values_list("code", flat=True))
        assert len(set(codes)) == len(codes)

    def test_every_row_passes_the_models_validation(self, dataset):
        everything = [
            *SocialOrganization.objects.all(),
            *PartyOrganization.objects.all(),
            *Coverage.objects.all(),
            *CommitteeMembership.objects.all(),
            *InstructorAssignment.objects.all(),
            *Person.objects.all()[:200],
            *Employment.objects.all()[:200],
            *Membership.objects.all()[:200],
            *TopicStudy.objects.all(),
            *Training.objects.all(),
            *PartyWorker.objects.all(),
            *WorkerAllowance.objects.all(),
            *Recommendation.objects.all(),
            *InstructorVisit.objects.all()[:300],
        ]
        for obj in everything:
            obj.full_clean()

    def test_the_cadres_work_is_filled(self, dataset):
        """Issue 16 item 8: every table of the cadres work has rows, as counted."""
        tables = {
            "topic_studies": TopicStudy,
            "trainings": Training,
            "party_workers": PartyWorker,
            "worker_allowances": WorkerAllowance,
            "recommendations": Recommendation,
            "instructor_visits": InstructorVisit,
            # the work bodies (POLICY 二.1, 2.3)
            "work_bodies": WorkBody,
            "work_body_staff": WorkBodyStaff,
            "township_cadres": TownshipCadre,
            "contact_points": ContactPoint,
        }
        for key, model in tables.items():
            assert model._default_manager.count() == dataset.counts[key] > 0, key
        # a district's body in each district of the demo, each with staff; a park's in some
        districts = set(SocialOrganization.objects.values_list("township__parent_id", flat=True))
        bodies = WorkBody.objects.filter(kind=WorkBodyKind.DISTRICT)
        assert districts <= set(bodies.values_list("unit__area_id", flat=True))
        assert WorkBody.objects.filter(kind=WorkBodyKind.PARK).exists()
        assert not WorkBody.objects.filter(staff__isnull=True).exists()
        assert not WorkBody.objects.exclude(unit__kind=UnitKind.WORK_BODY).exists()
        assert not TownshipCadre.objects.exclude(township__level=AreaLevel.TOWNSHIP).exists()
        assert TopicStudy.objects.filter(area__isnull=False).exists()
        assert TopicStudy.objects.filter(unit__isnull=False).exists()
        kinds = set(Training.objects.values_list("kind", flat=True))
        assert {TrainingKind.CENTRALIZED, TrainingKind.INDUCTION} <= kinds
        assert PartyWorker.objects.filter(full_time=True).exists()
        assert PartyWorker.objects.filter(full_time=False).exists()
        # a class is one name, kind, organizer and dates for all its trainees, its days
        # within its dates
        classes: dict[tuple[str, dt.date], set[tuple[object, ...]]] = {}
        for name, started, kind, organizer, ended, days in Training.objects.values_list(
            "name", "started_on", "kind", "organizer", "ended_on", "days"
        ):
            classes.setdefault((name, started), set()).add((kind, organizer, ended, days))
            assert 0 < days <= (ended - started).days + 1
            assert ended < TODAY
        assert all(len(v) == 1 for v in classes.values())
        assert len(classes) < Training.objects.count() / 2  # classes, not one-person courses
        # allowances only of Party workers, in the years they served
        for a in WorkerAllowance.objects.all():
            served = PartyWorker.objects.filter(party_org=a.party_org, person=a.person)
            assert served.filter(
                Q(ended_on__isnull=True) | Q(ended_on__gt=dt.date(a.year, 1, 1)),
                started_on__lte=dt.date(a.year, 12, 31),
            ).exists()
        # visits on days the instructor was assigned to the organization
        for v in InstructorVisit.objects.all()[:300]:
            assert InstructorAssignment.objects.filter(
                Q(ended_on__isnull=True) | Q(ended_on__gt=v.visited_on),
                instructor=v.instructor,
                org=v.org,
                started_on__lte=v.visited_on,
            ).exists()
        # recommendations of leaders and main investors, on a day they held the post
        for r in Recommendation.objects.all():
            assert Employment.objects.filter(
                Q(ended_on__isnull=True) | Q(ended_on__gt=r.recommended_on),
                person=r.person,
                position__in=["leader", "investor"],
                started_on__lte=r.recommended_on,
            ).exists()

    def test_development_and_transfers_are_filled(self, dataset):
        """Issue 17 item 5: applicants and transfers, each row valid, and the transfers
        agreeing with where the relations sit (every stage and state: the slow test below)."""
        assert Applicant.objects.count() == dataset.counts["applicants"] > 0
        assert Transfer.objects.count() == dataset.counts["transfers"] > 0
        developing = Applicant.objects.filter(status=ApplicantStatus.DEVELOPING)
        for obj in [*Applicant.objects.all(), *Transfer.objects.all()]:
            obj.full_clean()
        # admitted applicants are members since the day they were admitted
        for a in Applicant.objects.filter(status=ApplicantStatus.ADMITTED).select_related(
            "person__membership"
        ):
            assert a.person.membership.joined_on == a.status_changed_on
        # developing ones are not members
        assert not Membership.objects.filter(person__applicant__in=developing).exists()
        # a received transfer to a known Party organization is where the relation sits today
        # (the demo records one received transfer per member at most)
        for t in Transfer.objects.filter(status=TransferStatus.RECEIVED).select_related(
            "person__membership"
        ):
            assert t.person.membership.relation_party_org_id == t.to_party_org_id
        # an open transfer is issued by the Party organization holding the relation
        for t in Transfer.objects.filter(status=TransferStatus.OPEN).select_related(
            "person__membership"
        ):
            assert t.person.membership.relation_party_org_id == t.from_party_org_id

    def test_dues_and_funds_are_filled(self, dataset):
        """Issue 17 item 5: a year of dues with the amounts due of the policy's brackets,
        returns and funds; every row valid and in the history."""
        policy = load()
        assert DuesPayment.objects.count() == dataset.counts["dues"] > 0
        assert DuesPayment.history.count() == dataset.counts["dues"]
        assert DuesReturn.objects.count() == dataset.counts["dues_returns"] > 0
        assert Fund.objects.count() == dataset.counts["funds"] > 0
        payments = list(DuesPayment.objects.select_related("person__membership")[:3000])
        for obj in [*payments, *DuesReturn.objects.all(), *Fund.objects.all()]:
            obj.full_clean()
        assert {p.category for p in payments} >= {DuesCategory.EMPLOYED, DuesCategory.RETIRED}
        full = [p for p in payments if p.paid == amount_due(policy, p.category, p.base)]
        assert len(full) >= 0.9 * len(payments)
        for p in payments:  # a member on the month's first day or admitted in it
            assert p.person.membership.joined_on.replace(day=1) <= p.month
            assert p.person.membership.relation_party_org_id is not None

    def test_every_org_is_in_a_real_township_of_changsha(self, dataset):
        real = {
            d.code: d.parent
            for d in divisions.read_file(divisions.CHANGSHA_FILE)
            if d.level == AreaLevel.TOWNSHIP
        }
        for township, district in SocialOrganization.objects.values_list(
            "township__code", "district__code"
        ):
            assert real[township] == district
        # and spread over many of them, the central districts denser
        per_district = Counter(SocialOrganization.objects.values_list("district__code", flat=True))
        assert len(set(SocialOrganization.objects.values_list("township", flat=True))) > 100
        assert per_district["430104"] > per_district["430182"]  # 岳麓区 > 宁乡市

    def test_the_party_members_are_skewed_as_in_the_public_figures(self, dataset):
        formal = formal_members_by_org()
        active = list(SocialOrganization.objects.active_on(TODAY).values_list("id", flat=True))
        groups = Counter(min(formal[i], 3) for i in active)
        none, few, many = groups[0], groups[1] + groups[2], groups[3]
        assert 0.6 < none / len(active) < 0.82
        assert few > 20 and many > 15
        standalone = set(
            Coverage.objects.current_on(TODAY)
            .filter(party_org__form=PartyOrgForm.STANDALONE)
            .values_list("org_id", flat=True)
        )
        uncovered_3plus = [i for i in active if formal[i] >= 3 and i not in standalone]
        assert uncovered_3plus, "some organizations must set up their own (rule 三.1)"
        assert Membership.objects.filter(confirmed_on__isnull=True).exists()  # probationary
        assert Membership.objects.filter(is_mobile=True).exists()
        assert Membership.objects.filter(relation_party_org__form=PartyOrgForm.TOWNSHIP).exists()
        assert Employment.objects.filter(ended_on__lt=TODAY).exists()  # people who left
        social = PartyOrganization.objects.filter(form__in=["standalone", "joint", "functional"])
        assert 0.10 < social.count() / 300 < 0.25
        assert social.filter(form=PartyOrgForm.JOINT).exists()

    def test_the_party_orgs_of_stopped_organizations_are_mostly_dissolved(self, dataset):
        # (issue 12 item 20: they were half left active, which the data of a city using the
        # system would not show; the few left are in the larger datasets, see below)
        stopped = SocialOrganization.objects.exclude(status=OrgStatus.ACTIVE)
        assert stopped.count() < 40
        covering = Coverage.objects.filter(org__in=stopped, party_org__form="standalone")
        active = covering.filter(party_org__status="active").count()
        assert active <= 0.2 * covering.count()
        assert covering.filter(party_org__status="dissolved").exists()
        for org in stopped:
            assert org.status_changed_on is not None
            assert org.status_changed_on >= org.registered_on

    def test_committees_instructors_and_terms_vary(self, dataset):
        social = PartyOrganization.objects.filter(form__in=["standalone", "joint", "functional"])
        with_secretary = social.filter(committee__role="secretary").distinct()
        # (nearly all have one in a city using the system: the few without are recent)
        assert 0.8 < with_secretary.count() / social.count() <= 1
        assert CommitteeMembership.objects.filter(role="deputy").exists()
        assert InstructorAssignment.objects.filter(ended_on__isnull=False).exists()
        assigned = set(InstructorAssignment.objects.values_list("org_id", flat=True))
        formal = formal_members_by_org()
        assert assigned and all(formal[i] == 0 for i in assigned)
        assert not Coverage.objects.filter(org_id__in=assigned).exists()
        terms = social.filter(status="active").values_list("term_started_on", flat=True)
        expired = [t for t in terms if t is not None and t.replace(year=t.year + 3) <= TODAY]
        assert expired, "some committees are due for election (换届)"

    def test_political_status_agrees_with_membership(self, dataset):
        people = Person.objects.annotate(
            formal=Count("membership", filter=Q(membership__confirmed_on__isnull=False)),
            probationary=Count("membership", filter=Q(membership__confirmed_on__isnull=True)),
        )
        for person in people:
            if person.formal:
                assert person.political_status == PoliticalStatus.MEMBER
            elif person.probationary:
                assert person.political_status == PoliticalStatus.PROBATIONARY
            else:
                assert person.political_status not in (
                    PoliticalStatus.MEMBER,
                    PoliticalStatus.PROBATIONARY,
                )

    def test_it_creates_one_valid_user_per_role(self, dataset):
        users = User.objects.exclude(role="")
        assert sorted(users.values_list("role", flat=True)) == sorted(Role.values)
        for user in User.objects.all():
            user.full_clean()
        by_name = {u.username: u for u in dataset.users}
        for user in User.objects.all():
            assert user.check_password(by_name[user.username].password)
        assert User.objects.get(username="admin").is_superuser
        jurisdictions = User.objects.values_list(
            "username", "area__code", "unit__name", "party_org__form"
        )
        assert set(jurisdictions) >= {
            ("wenyilu_cadre", "430102001", None, None),
            ("furong_registry", None, "芙蓉区民政局", None),
            ("org_secretary", None, None, "standalone"),
        }

    def test_the_command_refuses_a_database_with_data(self, dataset, capsys, monkeypatch):
        # run_from_argv closes the connections when done: that would end the test's transaction
        monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
        before = fingerprint()
        with pytest.raises(CommandError) as raised:
            call_command("demo", "--scale", "10", "--no-serve")
        assert raised.value.returncode == 1
        assert "数据库中已有" in str(raised.value)
        with pytest.raises(SystemExit) as exited:
            Command().run_from_argv(["dangjian", "demo", "--scale", "10", "--no-serve"])
        assert exited.value.code == 1
        assert "未生成演示数据" in capsys.readouterr().err
        assert fingerprint() == before

    def test_if_empty_skips_a_database_with_data(self, dataset):
        out = io.StringIO()
        call_command("demo", "--scale", "10", "--no-serve", "--if-empty", stdout=out)
        assert "跳过" in out.getvalue()
        assert SocialOrganization.objects.count() == 300


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    with FAST_PASSWORDS:
        first, again, other = (generated_fingerprint(seed) for seed in (1, 1, 2))
    assert first == again
    assert first != other


@pytest.mark.django_db
def test_the_command_generates_prints_and_saves_the_users(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    divisions.load_changsha()
    # as after `dangjian init`: the registries exist already and are reused
    furong = Area.objects.get(code="430102")
    Unit.objects.create(name="芙蓉区民政局", kind=UnitKind.CIVIL_AFFAIRS, area=furong)
    out = io.StringIO()
    call_command("demo", "--scale", "40", "--seed", "3", "--no-serve", stdout=out)
    text = out.getvalue()
    assert "用户名" in text and "管辖范围" in text
    assert text.count("演示数据已生成") == 1  # one summary line off a terminal
    saved = demo.users_file_path()  # this database's own file (tests/test_cli_errors.py)
    assert saved.parent == tmp_path  # an in-memory or server database: under VAR_DIR
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    for user in User.objects.all():
        assert user.username in saved.read_text()
    assert Unit.objects.filter(name="芙蓉区民政局").count() == 1
    assert SocialOrganization.objects.count() == 40


@pytest.mark.django_db
def test_the_command_rejects_an_unknown_scale(capsys):
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["dangjian", "demo", "--scale", "huge", "--no-serve"])
    assert exited.value.code == 2
    assert "规模「huge」无效" in capsys.readouterr().err
    assert not SocialOrganization.objects.exists()


def test_scales_parse():
    assert demo.parse_scale("city").orgs == 8_000
    assert demo.parse_scale("province").root == "430000"
    assert demo.parse_scale("national").chunked
    assert demo.parse_scale("120").orgs == 120
    for bad in ("0", "-3", "town"):
        with pytest.raises(ValueError):
            demo.parse_scale(bad)


def test_allocation_is_exact_and_proportional():
    assert allocate(10, [1, 1, 2]) == [3, 2, 5]  # largest remainder, ties by order
    assert sum(allocate(8000, [0.3, 0.2, 0.5])) == 8000
    assert allocate(3, [0, 0]) == [0, 0]


def month_ends(last: dt.date, months: int = 12) -> list[dt.date]:
    """The end of each of the `months` months before `last`'s, then `last` (the days the
    demo command records a check on)."""
    days = [last]
    day = last.replace(day=1)
    for _ in range(months - 1):
        day -= dt.timedelta(days=1)
        days.append(day)
        day = day.replace(day=1)
    return sorted(days)


@pytest.mark.slow
@pytest.mark.django_db
def test_the_history_looks_like_two_years_of_use_of_the_system():
    """Issue 12 item 20: most open findings arose in the last two years, a minority is
    overdue, none falls due before the policy took effect; nobody works today for an
    organization that stopped, nor was admitted after their employer stopped; the Party
    organizations of stopped organizations are mostly dissolved, their members transferred;
    terms mostly current. Measured with the rules themselves, after the checks the demo
    command records at the end of each of the last twelve months."""
    with FAST_PASSWORDS:
        demo.generate("4000", seed=1)
    for day in month_ends(TODAY):
        record(evaluate(as_of=day))
    found = evaluate(as_of=TODAY).findings
    # Organization life's findings (a meeting not held) fall due when their period ends,
    # before they can be found: a few branches lapse or never record (dangjian/life/demo.py).
    life = {f.subject.pk for f in found if f.rule.startswith("LIFE-")}
    branches = PartyOrganization.objects.filter(
        level="branch", form__in=["standalone", "joint", "functional"], status="active"
    )
    assert 0 < len(life) <= 0.2 * branches.count()
    # So do the yearly and dated rules of issue 16 (CONTRACT.md: due on 12-31 of the last
    # closed year, six months after an appointment, on a recommendation's date): found only
    # once due. They are left out of the overdue shares below, which describe how the
    # backbone's findings are handled, and checked on their own (dangjian/cadres/demo.py).
    # The development rules of issue 17 likewise: DEV-TALK fires once its month is over,
    # DEV-PROBATION-OVERDUE three months after the probation's end; DEV-ACTIVIST-TIME has no
    # due date (CONTRACT.md). They are checked on their own too (dangjian/development/demo.py).
    due_when_found = {
        "CAD-SECRETARY-TRAINING", "CAD-NEW-SECRETARY", "CAD-WORKER-TRAINING",
        "CAD-RECOMMENDATION", "MGT-STUDY", "DEV-TALK", "DEV-PROBATION-OVERDUE",
    }  # fmt: skip
    assert all(f.due is not None and f.due <= TODAY for f in found if f.rule in due_when_found)
    cadres_findings_are_a_realistic_minority(found)
    development_findings_are_a_realistic_minority(found)
    every_stage_and_state_is_there()
    dissolutions_are_in_progress()
    # DEV-ACTIVIST-TIME (no due date) and the dues rules (MEM-DUES-LAPSE due on D itself,
    # FUN-DUES-RETURN once a year is closed) are not the backbone's either: on their own too.
    dues_findings_are_a_realistic_minority(found)
    # The rules of issue 18 read their own records (inspections, rectifications, venue
    # checks), each with its own dates: on their own as well.
    dynamics_findings_are_a_realistic_minority(found)
    on_their_own = {"DEV-ACTIVIST-TIME", "MEM-DUES-LAPSE", "FUN-DUES-RETURN",
                    "DYN-INSPECTION", "DYN-WEAK-OVERDUE", "VEN-SIX"}  # fmt: skip
    findings = [
        f
        for f in found
        if not f.rule.startswith("LIFE-")
        and f.rule not in due_when_found
        and f.rule not in on_their_own
    ]
    assert len(findings) > 15
    overdue = [f for f in findings if f.due is not None and f.due < TODAY]
    assert 0.10 <= len(overdue) / len(findings) <= 0.30, (len(overdue), len(findings))
    effective = load().effective_on
    assert min(f.due for f in findings if f.due is not None) >= effective
    recent = [f for f in findings if f.due is not None and f.due >= SYSTEM_SINCE]
    assert len(recent) >= 0.8 * len(findings)
    by_rule = Counter(f.rule for f in findings)
    assert by_rule["COV-INSTRUCTOR"] < 0.05 * SocialOrganization.objects.count()

    active = SocialOrganization.objects.active_on(TODAY)
    assert not Employment.objects.current_on(TODAY).exclude(org__in=active).exists()
    stopped = SocialOrganization.objects.exclude(status=OrgStatus.ACTIVE)
    assert stopped.exists()
    admitted_after = Employment.objects.filter(
        org__in=stopped, person__membership__joined_on__gt=F("org__status_changed_on")
    )
    assert not admitted_after.exists()

    of_stopped = PartyOrganization.objects.filter(
        form=PartyOrgForm.STANDALONE, coverages__org__in=stopped
    ).distinct()
    dissolved = of_stopped.filter(status="dissolved")
    assert dissolved.count() >= 0.8 * of_stopped.count() > 0
    assert by_rule["DYN-DISSOLVE"] > 0  # a few still to dissolve
    late = [
        p
        for p in dissolved.prefetch_related("coverages__org")
        if p.dissolved_on is not None
        and (changed := p.coverages.all()[0].org.status_changed_on) is not None
        and (p.dissolved_on - changed).days > 120
    ]
    assert len(late) <= 0.2 * dissolved.count()
    left_in_dissolved = Membership.objects.filter(relation_party_org__in=dissolved).count()
    once_there = Employment.objects.filter(
        org__coverages__party_org__in=dissolved, person__membership__isnull=False
    ).count()
    assert left_in_dissolved <= 0.1 * once_there

    social = PartyOrganization.objects.filter(
        form__in=["standalone", "joint", "functional", "industry"], status="active"
    )
    assert by_rule["ORG-TERM"] <= 0.05 * social.count()


def dissolutions_are_in_progress() -> None:
    """Issue 17 item 5: cases 待审批 (and a few 未批准) of Party organizations still active
    though their organization stopped; each member held has a destination, unless their
    transfer is already open (the 300 organizations of the class above have no such Party
    organization)."""
    from dangjian.dissolutions.models import Dissolution, DissolutionState

    cases = list(Dissolution.objects.select_related("party_org"))
    assert DissolutionState.PROPOSED in {c.state for c in cases}
    for case in cases:
        case.full_clean()
        assert case.party_org.status == PartyOrgStatus.ACTIVE
        if case.state != DissolutionState.PROPOSED:
            continue
        held = set(
            Membership.objects.filter(relation_party_org=case.party_org)
            .exclude(person__transfers__status=TransferStatus.OPEN)
            .values_list("person_id", flat=True)
        )  # fmt: skip
        assert set(case.destinations.values_list("person_id", flat=True)) == held


def every_stage_and_state_is_there() -> None:
    """Issue 17 item 5: applicants at every stage and in every state, transfers in every
    state and to outside the system (the 4,000-organization dataset; the 300 of the class
    above are too few for the rarer ones)."""
    developing = Applicant.objects.filter(status=ApplicantStatus.DEVELOPING)
    assert {a.stage() for a in developing} == set(Stage.values)
    assert set(Applicant.objects.values_list("status", flat=True)) == set(ApplicantStatus.values)
    assert set(Transfer.objects.values_list("status", flat=True)) == set(TransferStatus.values)
    assert Transfer.objects.filter(to_party_org__isnull=True).exists()  # outside the system


def dues_findings_are_a_realistic_minority(found) -> None:
    """Issue 17 item 5: a few members stopped paying (MEM-DUES-LAPSE), a few returns are
    short (FUN-DUES-RETURN) — some, not most."""
    by_rule = Counter(f.rule for f in found)
    paying = DuesPayment.objects.values("person").distinct().count()
    lapsed = by_rule["MEM-DUES-LAPSE"]
    assert 0 < lapsed <= 0.05 * paying, (lapsed, paying)
    assert all(f.due == TODAY for f in found if f.rule == "MEM-DUES-LAPSE")
    returns = DuesReturn.objects.count()
    short = by_rule["FUN-DUES-RETURN"]
    assert 0 < short <= 0.15 * returns, (short, returns)


def dynamics_findings_are_a_realistic_minority(found) -> None:
    """Issue 18 item 5: some, not most, organizations filed last year's inspection without
    the Party section; a few rectifications in every state, some overdue; venues with
    realistic gaps."""
    by_rule = Counter(f.rule for f in found)
    inspected = AnnualInspection.objects.filter(year=TODAY.year - 1).count()
    without = AnnualInspection.objects.filter(year=TODAY.year - 1, party_section=False).count()
    assert 0.03 * inspected <= without <= 0.15 * inspected, (without, inspected)
    assert 0 < by_rule["DYN-INSPECTION"] <= 0.15 * SocialOrganization.objects.count()
    states = Counter(
        "resolved" if r.resolved_on else "submitted" if r.completion_submitted_on
        else "overdue" if r.deadline < TODAY else "open"
        for r in Rectification.objects.all()
    )  # fmt: skip
    assert set(states) == {"open", "overdue", "submitted", "resolved"}, states
    late = Rectification.objects.filter(resolved_on__isnull=True, deadline__lt=TODAY,
                                        party_org__status="active")  # fmt: skip
    assert by_rule["DYN-WEAK-OVERDUE"] == late.count() >= states["overdue"] > 0
    checked = PartyOrganization.objects.filter(
        form__in=["standalone", "joint", "functional"], status="active"
    ).count()
    assert 0.1 * checked <= by_rule["VEN-SIX"] <= 0.4 * checked, (by_rule["VEN-SIX"], checked)
    assert ServiceCentre.objects.filter(venues__isnull=False).exists()


def development_findings_are_a_realistic_minority(found) -> None:
    """Issue 17 item 5: the demo's development leaves some, not most, applicants and
    probationary members with a finding."""
    by_rule = Counter(f.rule for f in found)
    developing = Applicant.objects.filter(Applicant.developing_on_q(TODAY)).count()
    assert 0 < by_rule["DEV-TALK"] <= 0.15 * developing, (by_rule["DEV-TALK"], developing)
    candidates = Applicant.objects.filter(candidate_on__isnull=False).count()
    activist_time = by_rule["DEV-ACTIVIST-TIME"]
    assert 0 < activist_time <= 0.06 * candidates, (activist_time, candidates)
    probationary = Membership.objects.filter(joined_on__lte=TODAY).exclude(confirmed_on__lte=TODAY)
    overdue = by_rule["DEV-PROBATION-OVERDUE"]
    assert 0 < overdue <= 0.1 * probationary.count(), (overdue, probationary.count())


def cadres_findings_are_a_realistic_minority(found) -> None:
    """Issue 16 item 8: the trainings, studies and recommendations of the demo leave a
    minority of the people and bodies the rules check with a finding — some, not most."""
    by_rule: dict[str, list] = {}
    for f in found:
        by_rule.setdefault(f.rule, []).append(f)
    y = TODAY.year - 1
    mid, end = dt.date(y, 6, 30), dt.date(y, 12, 31)
    offices = CommitteeMembership.objects.filter(
        Q(party_org__dissolved_on__isnull=True) | Q(party_org__dissolved_on__gt=TODAY),
        party_org__form__in=["standalone", "joint", "functional"],
        started_on__lte=mid,
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=end))
    secretaries = set(offices.filter(role="secretary").values_list("person", "party_org"))
    others = set(offices.exclude(role="secretary").values_list("person", "party_org"))
    others -= secretaries
    short = by_rule.get("CAD-SECRETARY-TRAINING", [])
    assert 0.05 * len(secretaries) <= len(short) <= 0.25 * len(secretaries), (
        len(short),
        len(secretaries),
    )
    assert any(f.facts["trainings"] == 0 for f in short)  # none
    assert any(f.facts["trainings"] > 0 for f in short)  # too few days
    assert sum(f.facts["trainings"] == 0 for f in short) < 0.5 * len(short)
    workers = by_rule.get("CAD-WORKER-TRAINING", [])
    assert 0 < len(workers) <= 0.15 * len(others), (len(workers), len(others))
    appointed = CommitteeMembership.objects.filter(
        role="secretary", started_on__gte=load().effective_on
    ).count()
    new = by_rule.get("CAD-NEW-SECRETARY", [])
    assert 0 < len(new) <= 0.15 * appointed, (len(new), appointed)
    assert sum(f.due >= SYSTEM_SINCE for f in new) >= 0.8 * len(new)  # mostly recent
    recommended = Recommendation.objects.count()
    pending = by_rule.get("CAD-RECOMMENDATION", [])
    assert 0 < len(pending) <= 0.25 * recommended, (len(pending), recommended)
    bodies = (
        Area.objects.filter(level=AreaLevel.DISTRICT).count()
        + Unit.objects.filter(kind=UnitKind.SUPERVISORY).count()
    )
    studies = by_rule.get("MGT-STUDY", [])
    assert 0 < len(studies) <= 0.3 * bodies, (len(studies), bodies)
