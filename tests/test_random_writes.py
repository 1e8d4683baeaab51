"""Issue 14's done-when for the live re-evaluation: after any write, no page or API answer
disagrees with `dangjian check` on the same data.

A district officer (the demo's 芙蓉区 officer) makes a seeded random sequence of writes drawn
from `WRITES` — the pages' forms (organizations, Party organizations), the API's import
(`POST /api/v1/imports/{kind}`, a dry run too), the import service, the `dangjian import`
command, and the undo of an import batch from its page — with real commits, so that the
live re-evaluation (dangjian/lib/changes.py → dangjian/compliance/live.py) runs as it does
in production. After every step what the system shows is compared with a fresh
`dangjian check --format json` of the same data as of today:

- the findings store (what the pages read) finding for finding, and the tasks: every open
  finding has its open task, no open task is without its open finding;
- the findings list `/findings/` as the officer, every page of it (each row's task open),
  and its heading's count — against `check --user` (the officer's jurisdiction);
- `GET /api/v1/findings` as the officer (a token), every page — against the same;
- the detail page of each organization and Party organization the step touched: its
  「N 项不符合」 against the rules `check` finds it failing, and the store's.

A disagreement fails naming the seed, the step, the write and the findings that differ.
Adding a way of writing (a new form, an import kind) is one entry in `WRITES`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.test import Client, override_settings
from django.utils import timezone

from dangjian import demo
from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.accounts.models import User
from dangjian.accounts.tokens import token_create
from dangjian.areas.models import Area, AreaLevel, Unit, UnitKind
from dangjian.compliance.engine import evaluate, record
from dangjian.compliance.facts import ADOPTING_FORMS
from dangjian.compliance.models import FindingRecord
from dangjian.imports import undo
from dangjian.imports.models import ImportBatch
from dangjian.imports.registry import KINDS
from dangjian.imports.service import import_file
from dangjian.lib import crypto
from dangjian.lib.codes import make_id_number, make_uscc
from dangjian.orgs.models import SocialOrganization
from dangjian.partyorgs.models import (
    SOCIAL_ORG_FORMS,
    CommitteeMembership,
    CommitteeRole,
    Coverage,
    InstructorAssignment,
    InstructorSource,
    PartyOrganization,
)
from dangjian.people.models import Employment, Membership, Person, PoliticalStatus, Position
from dangjian.tasks.models import OPEN_STATES, Task
from tests.importing import write_csv

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SCALE, DEMO_SEED = "300", 3  # the demo city: ~300 organizations, 42 of them in 芙蓉区
OFFICER = "furong_admin"  # the demo's 芙蓉区 officer (role district)
SEEDS = (1, 2, 3)
STEPS = 40

# ---------------------------------------------------------------------------------------
# The run: the officer, their clients, the random sequence, what the steps have written.


@dataclass
class Run:
    seed: int
    rng: random.Random
    officer: User
    district: Area
    pages: Client  # the officer's session (the pages)
    api: Client  # the officer's API token
    tmp: Path
    serial: int = 0
    adopted: list[str] = field(default_factory=list)  # Party organizations holding a lone member

    def next(self) -> int:
        self.serial += 1
        return self.serial

    @property
    def gate(self) -> Jurisdiction:
        return Jurisdiction(self.officer)

    def orgs(self) -> list[SocialOrganization]:
        return list(self.gate.orgs().order_by("pk"))

    def party_orgs(self, *, social: bool = True) -> list[PartyOrganization]:
        qs = self.gate.party_orgs().order_by("pk")
        return list(qs.filter(form__in=SOCIAL_ORG_FORMS) if social else qs)

    def flagged(self, kind: str) -> set[str]:
        """The keys of the subjects of `kind` with an open finding in the store."""
        return set(
            FindingRecord.objects.filter(subject_type=kind, resolved_on__isnull=True).values_list(
                "subject_key", flat=True
            )
        )

    def pick_org(self) -> SocialOrganization:
        """An organization of the district: often one with an open finding (a write may fix
        it) or one a Party organization of social organizations covers (its stop may call for
        a dissolution), else any."""
        orgs, draw = self.orgs(), self.rng.random()
        if draw < 0.35:
            flagged = self.flagged("social_org")
            pool = [o for o in orgs if o.uscc in flagged]
        elif draw < 0.6:
            covered = set(
                Coverage.objects.current_on(timezone.localdate())
                .filter(party_org__form__in=SOCIAL_ORG_FORMS)
                .values_list("org_id", flat=True)
            )
            pool = [o for o in orgs if o.pk in covered]
        else:
            pool = orgs
        return self.rng.choice(pool or orgs)

    def pick_orgs(self, most: int) -> list[SocialOrganization]:
        picked = {o.pk: o for o in (self.pick_org() for _ in range(self.rng.randint(1, most)))}
        return list(picked.values())

    def pick_party_org(self) -> PartyOrganization:
        """A Party organization of social organizations of the district, often one with an
        open finding; now and then a township's, community's or industry's that holds members'
        relations (that of an organization's lone member, say: 纳入管理)."""
        draw = self.rng.random()
        if draw < 0.15:
            adopted = self.gate.party_orgs().filter(code__in=self.adopted).order_by("pk")
            if adopted and self.rng.random() < 0.6:
                return self.rng.choice(list(adopted))
            holding = self.gate.party_orgs().exclude(form__in=SOCIAL_ORG_FORMS)
            holding = holding.filter(relations__isnull=False).distinct().order_by("pk")
            return self.rng.choice(list(holding) or self.party_orgs(social=False))
        party_orgs = self.party_orgs()
        flagged = self.flagged("party_org")
        pool = [p for p in party_orgs if p.code in flagged] if draw < 0.5 else []
        return self.rng.choice(pool or party_orgs)

    def townships(self) -> list[Area]:
        return list(
            Area.objects.filter(level=AreaLevel.TOWNSHIP, parent=self.district).order_by("code")
        )

    def day(self, start: dt.date | None = None, end: dt.date | None = None) -> dt.date:
        """A day between `start` (default: 900 days ago) and `end` (default: today)."""
        end = end or timezone.localdate()
        start = min(start or end - dt.timedelta(days=900), end)
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def file(self, kind: str, rows: list[list[str]]) -> Path:
        return write_csv(self.tmp / f"{kind}-{self.next()}.csv", rows, kind=kind)


@dataclass
class Done:
    """What a step did: in words, and the organizations and Party organizations it touched
    (by USCC and code: their detail pages are compared too)."""

    what: str
    orgs: set[str] = field(default_factory=set)
    party_orgs: set[str] = field(default_factory=set)


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _columns(kind: str) -> list[str]:
    return [c.key for c in KINDS[kind].columns]


def _row(kind: str, values: dict[str, str]) -> list[str]:
    return [values.get(key, "") or "" for key in _columns(kind)]


def form_data(run: Run, url: str) -> dict[str, str]:
    """The form as its page fills it in (the record's values, as its import row has them)."""
    response = run.pages.get(url)
    assert response.status_code == 200, (url, response.status_code)
    form = response.context["form"]
    return {name: form[name].value() or "" for name in form.fields}


def org_values(run: Run, uscc: str) -> dict[str, str]:
    return form_data(run, f"/orgs/{uscc}/edit/")


def party_org_values(run: Run, code: str) -> dict[str, str]:
    return form_data(run, f"/party-orgs/{code}/edit/")


# ---------------------------------------------------------------------------------------
# Random but meaningful changes to one record, as its import row ({column key: text}):
# what a form posts and a file holds alike.


def edit_org(run: Run, values: dict[str, str]) -> str:
    what = _edit_org(run, values)
    if values["party_management"] == "属地村(社区)" and not values["community"]:
        # (the import refuses it: 「属地村(社区)」须同时填写所在村(社区))
        communities = _communities(values["township"])
        if communities:
            values["community"] = run.rng.choice(communities)
        else:
            values["party_management"] = ""
    return what


def _communities(township: str) -> list[str]:
    return list(
        Area.objects.filter(level=AreaLevel.COMMUNITY, parent__code=township)
        .order_by("code")
        .values_list("code", flat=True)
    )


def _edit_org(run: Run, values: dict[str, str]) -> str:
    rng = run.rng
    registered = dt.date.fromisoformat(values["registered_on"])
    how = rng.choice(
        ["stop", "stop", "reactivate", "move", "community", "staff", "management", "mode",
         "registered", "rename"]
    )  # fmt: skip
    if how == "reactivate" and values["status"] == "正常":
        how = "stop"
    if how == "stop":
        values["status"] = rng.choice(["注销", "撤销", "停止活动"])
        values["status_changed_on"] = _iso(run.day(registered))
        return f"登记状态改为{values['status']}（{values['status_changed_on']}）"
    if how == "reactivate":
        values["status"], values["status_changed_on"] = "正常", ""
        return "登记状态恢复正常"
    if how == "move":
        township = rng.choice(run.townships())
        values["township"], values["community"] = township.code, ""
        return f"迁至{township.name}"
    if how == "community":
        values["community"] = rng.choice(["", *_communities(values["township"])])
        return f"所在村(社区)改为「{values['community']}」"
    if how == "staff":
        values["staff_count"] = str(rng.randint(0, 120))
        return f"从业人员数改为{values['staff_count']}"
    if how == "management":
        values["party_management"] = rng.choice(
            ["", *KINDS["orgs"].column("party_management").options]
        )
        return f"党建管理方式改为「{values['party_management']}」"
    if how == "mode":
        if values["registration_mode"] == "业务主管单位":
            values["registration_mode"], values["supervisor"] = "直接登记", ""
            return "改为直接登记"
        supervisors = list(
            Unit.objects.filter(kind=UnitKind.SUPERVISORY, supervised_orgs__isnull=False)
            .distinct()
            .order_by("pk")
            .values_list("name", flat=True)
        )
        if not supervisors:
            return _edit_org(run, values)
        values["registration_mode"], values["supervisor"] = "业务主管单位", rng.choice(supervisors)
        return f"改为由{values['supervisor']}主管"
    changed = values["status_changed_on"]
    latest = dt.date.fromisoformat(changed) if changed else None
    values["registered_on"] = _iso(run.day(dt.date(2005, 1, 1), latest))
    return f"成立登记日期改为{values['registered_on']}"


def _covers(values: dict[str, str]) -> set[str]:
    return {u for u in re.split("[;、]", values["covers"]) if u}


def edit_party_org(run: Run, values: dict[str, str]) -> str:
    rng = run.rng
    founded = dt.date.fromisoformat(values["founded_on"])
    code = values["code"]
    how = rng.choice(
        ["covers", "covers", "covers", "dissolve", "revive", "term", "form", "move", "rename"]
    )
    if values["form"] in ("乡镇(街道)", "村(社区)") and how in ("covers", "form", "move"):
        how = "dissolve"  # (they cover no organization, and stay where they are)
    if how == "revive" and values["status"] == "正常":
        how = "dissolve"
    if how == "covers":
        have = sorted(_covers(values))
        others = [o.uscc for o in run.orgs() if o.uscc not in have]
        if have and (rng.random() < 0.4 or not others):
            have.remove(rng.choice(have))
        if others and rng.random() < 0.8:
            have.extend(rng.sample(others, min(len(others), rng.randint(1, 2))))
        values["covers"] = ";".join(have)
        return f"覆盖社会组织改为{len(have)}个"
    if how == "dissolve":
        values["status"], values["dissolved_on"] = "已撤销", _iso(run.day(founded))
        return f"撤销（{values['dissolved_on']}）"
    if how == "revive":
        values["status"], values["dissolved_on"] = "正常", ""
        return "恢复正常"
    if how == "rename":
        values["name"] = f"{values['name'][:40]}（{run.next()}）"
        return f"更名为{values['name']}"
    if how == "term":
        values["term_started_on"] = rng.choice(["", _iso(run.day(founded))])
        return f"本届任期开始日期改为「{values['term_started_on']}」"
    if how == "form":
        values["form"] = rng.choice(["单独组建", "联合组建", "功能型"])
        has_children = PartyOrganization.objects.filter(parent__code=code).exists()
        values["level"] = rng.choice(["党支部", "党总支"] if not has_children else ["党总支"])
        return f"改为{values['form']}{values['level']}"
    township = rng.choice(run.townships())
    values["township"] = township.code
    return f"迁至{township.name}"


# ---------------------------------------------------------------------------------------
# The rows of a few records of each import kind (a file of the API, the service or the
# command): each returns the rows and what they touch.

Rows = tuple[list[list[str]], Done]


def org_rows(run: Run) -> Rows:
    rng, rows, done = run.rng, [], Done("")
    chosen = run.pick_orgs(3)
    for org in chosen:
        values = org_values(run, org.uscc)
        what = edit_org(run, values)
        rows.append(_row("orgs", values))
        done.orgs.add(org.uscc)
        done.what += f"{org.uscc}{what}；"
    if rng.random() < 0.3:
        uscc, values = new_org_values(run, chosen[0])
        rows.append(_row("orgs", values))
        done.orgs.add(uscc)
        done.what += f"新增{uscc}；"
    return rows, done


def new_org_values(run: Run, like: SocialOrganization) -> tuple[str, dict[str, str]]:
    """A new organization of the district, with `like`'s registry and kind."""
    values = org_values(run, like.uscc)
    character = like.uscc[1]
    while True:
        uscc = make_uscc(
            f"5{character}{run.district.code}{900_000_000 + 1000 * run.seed + run.next():09d}"
        )
        if not SocialOrganization.objects.filter(uscc=uscc).exists():
            break
    values.update(
        uscc=uscc,
        name=f"随机写入测试社会组织{run.seed}-{run.serial}",
        township=run.rng.choice(run.townships()).code,
        community="",
        registered_on=_iso(run.day(timezone.localdate() - dt.timedelta(days=2000))),
        status="正常",
        status_changed_on="",
        party_management="",
    )
    return uscc, values


def party_org_rows(run: Run) -> Rows:
    rng, rows, done = run.rng, [], Done("")
    for party_org in {p.pk: p for p in (run.pick_party_org(), run.pick_party_org())}.values():
        values = party_org_values(run, party_org.code)
        done.orgs |= _covers(values)
        what = edit_party_org(run, values)
        rows.append(_row("party-orgs", values))
        done.party_orgs.add(party_org.code)
        done.orgs |= _covers(values)
        done.what += f"{party_org.code}{what}；"
    if rng.random() < 0.3:
        code, values = new_party_org_values(run)
        rows.append(_row("party-orgs", values))
        done.party_orgs.add(code)
        done.what += f"新增{code}；"
    return rows, done


def new_party_org_values(run: Run) -> tuple[str, dict[str, str]]:
    rng = run.rng
    code = f"RW{run.seed}{run.next():04d}"
    covers = rng.sample(run.orgs(), rng.randint(1, 3))
    form = "单独组建" if len(covers) == 1 else rng.choice(["联合组建", "功能型"])
    return code, {
        "code": code,
        "name": f"随机写入测试党支部{code}",
        "level": "党支部",
        "form": form,
        "parent_code": "",
        "covers": ";".join(o.uscc for o in covers),
        "township": covers[0].township.code,
        "founded_on": _iso(run.day(dt.date(2012, 1, 1))),
        "term_started_on": "",
        "status": "正常",
        "dissolved_on": "",
    }


def _new_number(run: Run) -> str:
    while True:
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=run.rng.randint(0, 14000))
        number = make_id_number(f"{run.district.code}{birth:%Y%m%d}{run.rng.randint(0, 999):03d}")
        if not Person.objects.filter(id_hash=crypto.lookup_hash(number)).exists():
            return number


def _person_values(person: Person, membership: Membership | None) -> dict[str, str]:
    values = {
        "name": person.name,
        "id_number": person.id_number,
        "political_status": PoliticalStatus(person.political_status).label,
    }
    if membership is not None:
        relation = membership.relation_party_org
        values.update(
            joined_on=_iso(membership.joined_on),
            confirmed_on=_iso(membership.confirmed_on),
            relation_party_org=relation.code if relation else "",
        )
    return values


def _employment_values(job: Employment) -> dict[str, str]:
    return {
        "employer_uscc": job.org.uscc,
        "position": Position(job.position).label if job.position else "",
        "employed_on": _iso(job.started_on),
        "left_on": _iso(job.ended_on),
    }


def people_rows(run: Run) -> Rows:
    """New members joining one organization (enough, some times, to need a branch of their
    own), or changes to members of the district: a job ended, a relation moved, a
    probationary member confirmed, a member who left the Party."""
    rng, done = run.rng, Done("")
    relations = [p.code for p in run.party_orgs(social=False) if p.status == "active"]
    # (A row may keep a relation held outside the officer's jurisdiction; it may not give
    # one: the relations drawn below are the district's.)
    members = list(
        Membership.objects.filter(person__in=run.gate.people())
        .select_related("person", "relation_party_org")
        .order_by("pk")
    )
    if rng.random() < 0.4 or not members:
        org = run.pick_org()
        covering = list(
            Coverage.objects.current_on(timezone.localdate())
            .filter(org=org)
            .order_by("pk")
            .values_list("party_org__code", flat=True)
        )
        count = rng.choice([1, 2, 3, 3])
        adopting = [
            p.code
            for p in run.party_orgs(social=False)
            if p.status == "active" and p.form in ADOPTING_FORMS
        ]
        if count == 1 and not covering and adopting and rng.random() < 0.6:
            # An organization's lone member, its relation held nearby (纳入管理): COV-JOINT
            # exempts the organization while that Party organization is active.
            adopted = rng.choice(adopting)
            run.adopted.append(adopted)
            covering = [adopted]
        rows = []
        for _ in range(count):
            joined = run.day(dt.date(1990, 1, 1), timezone.localdate() - dt.timedelta(days=400))
            formal = rng.random() < 0.8
            values = {
                "name": f"随机党员{run.seed}-{run.next()}",
                "id_number": _new_number(run),
                "employer_uscc": org.uscc,
                "position": rng.choice(["", "负责人", "一线员工"]),
                "employed_on": _iso(run.day()),
                "political_status": "中共党员" if formal else "中共预备党员",
                "joined_on": _iso(joined),
                "confirmed_on": _iso(joined + dt.timedelta(days=365)) if formal else "",
                "relation_party_org": rng.choice(
                    covering * 4 if covering else ["", "", *relations]
                ),
            }
            rows.append(_row("people", values))
        done.orgs.add(org.uscc)
        return rows, Done(f"{len(rows)}名新党员到{org.uscc}", orgs={org.uscc})
    rows = []
    for membership in rng.sample(members, min(len(members), rng.randint(1, 3))):
        person = membership.person
        values = _person_values(person, membership)
        jobs = list(
            Employment.objects.filter(
                person=person, org__in=run.gate.orgs(), started_on__isnull=False
            )
            .select_related("org")
            .order_by("pk")
        )
        job = rng.choice(jobs) if jobs else None
        if job is not None:
            values.update(_employment_values(job))
            done.orgs.add(job.org.uscc)
        how = rng.choice(["leave", "leave", "relation", "confirm", "quit", "rename"])
        if how == "leave" and job is not None and job.ended_on is None:
            values["left_on"] = _iso(run.day(job.started_on))
            done.what += f"{person.id_masked}离职；"
        elif how == "confirm" and not membership.confirmed_on:
            values["political_status"] = "中共党员"
            values["confirmed_on"] = _iso(run.day(membership.joined_on))
            done.what += f"{person.id_masked}转正；"
        elif how == "rename":
            values["name"] = f"{person.name[:20]}{run.next()}"
            done.what += f"{person.id_masked}更名为{values['name']}；"
        elif how == "quit":
            values.update(
                political_status="群众", joined_on="", confirmed_on="", relation_party_org=""
            )
            done.what += f"{person.id_masked}不再是党员；"
        else:
            values["relation_party_org"] = rng.choice(["", *relations])
            done.what += f"{person.id_masked}组织关系转至「{values['relation_party_org']}」；"
        if membership.relation_party_org is not None:
            done.party_orgs.add(membership.relation_party_org.code)
        rows.append(_row("people", values))
    return rows, done


def committee_rows(run: Run) -> Rows:
    """A secretary (deputy, member) appointed, or an office ended."""
    rng = run.rng
    offices = list(
        CommitteeMembership.objects.filter(
            party_org__in=run.gate.party_orgs(), ended_on__isnull=True
        )
        .select_related("party_org", "person")
        .order_by("pk")
    )
    if offices and rng.random() < 0.4:
        office = rng.choice(offices)
        values = {
            "party_org": office.party_org.code,
            "id_number": office.person.id_number,
            "role": CommitteeRole(office.role).label,
            "started_on": _iso(office.started_on),
            "ended_on": _iso(run.day(office.started_on)),
            "full_time": "是" if office.full_time else "否",
        }
        what = f"{office.party_org.code}的{values['role']}离任"
    else:
        with_deputy = sorted({o.party_org.code for o in offices if o.role == CommitteeRole.DEPUTY})
        if with_deputy and rng.random() < 0.3:
            party_org = PartyOrganization.objects.get(code=rng.choice(with_deputy))
        else:
            party_org = run.pick_party_org()
        people = list(
            Person.objects.filter(
                Q(membership__relation_party_org=party_org)
                | Q(employments__org__coverages__party_org=party_org)
            )
            .distinct()
            .order_by("pk")
        ) or list(run.gate.people().filter(membership__isnull=False).order_by("pk"))
        person = rng.choice(people)
        values = {
            "party_org": party_org.code,
            "id_number": person.id_number,
            "role": rng.choice(["书记", "书记", "副书记", "副书记", "委员"]),
            "started_on": _iso(run.day(party_org.founded_on)),
            "ended_on": "",
            "full_time": rng.choice(["是", "否", ""]),
        }
        what = f"{party_org.code}任命{values['role']}"
    return [_row("committees", values)], Done(what, party_orgs={values["party_org"]})


def instructor_rows(run: Run) -> Rows:
    """An instructor assigned to an organization, or an assignment ended."""
    rng = run.rng
    assignments = list(
        InstructorAssignment.objects.filter(org__in=run.gate.orgs(), ended_on__isnull=True)
        .select_related("org", "instructor__person")
        .order_by("pk")
    )
    if assignments and rng.random() < 0.4:
        a = rng.choice(assignments)
        values = {
            "name": a.instructor.person.name,
            "id_number": a.instructor.person.id_number,
            "source": InstructorSource(a.instructor.source).label,
            "org_uscc": a.org.uscc,
            "assigned_on": _iso(a.started_on),
            "ended_on": _iso(run.day(a.started_on)),
        }
        what = f"{a.org.uscc}的指导员结束派驻"
    else:
        org = run.pick_org()
        values = {
            "name": f"随机指导员{run.seed}-{run.next()}",
            "id_number": _new_number(run),
            "source": rng.choice(KINDS["instructors"].column("source").options),
            "org_uscc": org.uscc,
            "assigned_on": _iso(run.day()),
            "ended_on": "",
        }
        what = f"向{org.uscc}派驻指导员"
    return [_row("instructors", values)], Done(what, orgs={values["org_uscc"]})


ROWS: dict[str, Callable[[Run], Rows]] = {
    "orgs": org_rows,
    "party-orgs": party_org_rows,
    "people": people_rows,
    "committees": committee_rows,
    "instructors": instructor_rows,
}


# ---------------------------------------------------------------------------------------
# The ways of writing. Each returns what it did, or None when it has nothing to do now.


def post_form(run: Run, url: str, data: dict[str, str], done: Done) -> Done:
    response = run.pages.post(url, data)
    if response.status_code != 302:
        errors = (
            response.context["form"].errors
            if response.context and "form" in response.context
            else response.content.decode()[:300]
        )
        raise AssertionError(
            f"the form {url} refused a valid change ({done.what}): {response.status_code} {errors}"
        )
    return done


def form_edit_org(run: Run) -> Done:
    org = run.pick_org()
    url = f"/orgs/{org.uscc}/edit/"
    data = form_data(run, url)
    what = edit_org(run, data)
    data["reason"] = what[:80]
    return post_form(run, url, data, Done(f"{org.uscc}{what}", orgs={org.uscc}))


def form_new_org(run: Run) -> Done:
    uscc, values = new_org_values(run, run.rng.choice(run.orgs()))
    return post_form(run, "/orgs/new/", values, Done(f"新增{uscc}", orgs={uscc}))


def form_edit_party_org(run: Run) -> Done:
    party_org = run.pick_party_org()
    url = f"/party-orgs/{party_org.code}/edit/"
    data = form_data(run, url)
    before = _covers(data)
    what = edit_party_org(run, data)
    data["reason"] = what[:80]
    covers = before | _covers(data)
    done = Done(f"{party_org.code}{what}", orgs=covers, party_orgs={party_org.code})
    return post_form(run, url, data, done)


def form_new_party_org(run: Run) -> Done:
    code, values = new_party_org_values(run)
    covers = set(values["covers"].split(";"))
    return post_form(run, "/party-orgs/new/", values, Done(f"新增{code}", covers, {code}))


def _form_of(kind: str, values: dict[str, str]) -> str:
    """The page that writes one row of `kind` (people, committees, instructors): the record's
    edit form when the row names a stored one, else the form that adds it."""
    if kind == "people":
        person = Person.objects.filter(id_hash=crypto.lookup_hash(values["id_number"])).first()
        if person is None:
            return "/people/new/"
        if not values["employer_uscc"]:
            return f"/people/{person.pk}/edit/"
        job = Employment.objects.filter(
            person=person,
            org__uscc=values["employer_uscc"],
            started_on=values["employed_on"] or None,
        ).first()
        if job is None:
            return f"/people/{person.pk}/employments/new/"
        return f"/people/{person.pk}/employments/{job.pk}/edit/"
    if kind == "committees":
        role = next(r for r in CommitteeRole if r.label == values["role"])
        office = CommitteeMembership.objects.filter(
            party_org__code=values["party_org"],
            person__id_hash=crypto.lookup_hash(values["id_number"]),
            role=role,
            started_on=values["started_on"],
        ).first()
        if office is None:
            return f"/party-orgs/{values['party_org']}/offices/new/"
        return f"/offices/{office.pk}/edit/"
    assignment = InstructorAssignment.objects.filter(
        org__uscc=values["org_uscc"],
        instructor__person__id_hash=crypto.lookup_hash(values["id_number"]),
        started_on=values["assigned_on"],
    ).first()
    if assignment is None:
        return f"/orgs/{values['org_uscc']}/instructors/new/"
    return f"/instructor-assignments/{assignment.pk}/edit/"


def through_form(kind: str) -> Callable[[Run], Done]:
    """The rows a file would hold, each saved in its page's form instead (a person's own
    fields, an employment, an office, an assignment: new or edited)."""

    def write(run: Run) -> Done:
        rows, done = ROWS[kind](run)
        for row in rows:
            values = dict(zip(_columns(kind), row, strict=True))
            url = _form_of(kind, values)
            data = form_data(run, url)  # the version, and what the page shows
            form = run.pages.get(url).context["form"]
            data = {k: v for k, v in data.items() if not form.fields[k].disabled}
            data.update({k: v for k, v in values.items() if k in data})
            data["reason"] = done.what[:80]
            post_form(run, url, data, done)
        return done

    return write


def through_api(kind: str, *, dry_run: bool = False) -> Callable[[Run], Done]:
    def write(run: Run) -> Done:
        rows, done = ROWS[kind](run)
        with run.file(kind, rows).open("rb") as fh:
            data: dict[str, Any] = {"file": fh}
            if dry_run:
                data["dry_run"] = "true"
            response = run.api.post(f"/api/v1/imports/{kind}", data)
        assert response.status_code == 200, (done.what, response.status_code, response.content)
        return done

    return write


def through_service(kind: str) -> Callable[[Run], Done]:
    def write(run: Run) -> Done:
        rows, done = ROWS[kind](run)
        result = import_file(kind, run.file(kind, rows), user=run.officer)
        assert result.ok, (done.what, [str(e) for e in result.errors])
        return done

    return write


def through_command(kind: str) -> Callable[[Run], Done]:
    def write(run: Run) -> Done:
        rows, done = ROWS[kind](run)
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command(
                "import", kind, str(run.file(kind, rows)), "--user", OFFICER, stdout=out, stderr=err
            )
        except SystemExit as exc:
            raise AssertionError(
                f"dangjian import {kind} failed ({done.what}): {err.getvalue()}"
            ) from exc
        return done

    return write


def undo_batch(run: Run) -> Done | None:
    """Undo one of the officer's import batches from its page (refused, as the page says,
    when a later write depends on it)."""
    batches = list(
        ImportBatch.objects.filter(
            user=run.officer, undone_at__isnull=True, finished_at__isnull=False
        ).order_by("pk")
    )
    if not batches:
        return None
    batch = run.rng.choice(batches)
    done = Done(f"撤销导入#{batch.pk}（{batch.file_name}）")
    for model, pks in undo.touched(batch).items():
        if model is SocialOrganization:
            done.orgs |= set(model.objects.filter(pk__in=pks).values_list("uscc", flat=True))
        elif model is PartyOrganization:
            done.party_orgs |= set(model.objects.filter(pk__in=pks).values_list("code", flat=True))
    response = run.pages.post(f"/imports/batches/{batch.pk}/undo/")
    assert response.status_code in (302, 409), (done.what, response.status_code)
    if response.status_code == 409:
        done.what += "：被拒绝"
    return done


@dataclass(frozen=True)
class Write:
    name: str
    do: Callable[[Run], Done | None]
    weight: int = 1


WRITES: tuple[Write, ...] = (
    Write("页面：修改社会组织", form_edit_org, 4),
    Write("页面：新增社会组织", form_new_org),
    Write("页面：修改党组织", form_edit_party_org, 4),
    Write("页面：新增党组织", form_new_party_org),
    *(
        Write(f"页面：{kind}表单", through_form(kind), 2)
        for kind in ("people", "committees", "instructors")
    ),
    *(Write(f"API：导入{kind}", through_api(kind), 2) for kind in ROWS),
    Write("API：试导入people（回滚）", through_api("people", dry_run=True)),
    *(Write(f"导入服务：{kind}", through_service(kind)) for kind in ROWS),
    *(Write(f"dangjian import {kind}", through_command(kind)) for kind in ("orgs", "people")),
    Write("页面：撤销导入", undo_batch, 2),
)


# ---------------------------------------------------------------------------------------
# What the system shows, against a fresh check.

# rule, subject type, key and name, area, message, due date, facts (JSON)
Shown = tuple[str, str, str, str, str, str, str, str]


def _facts(facts: dict[str, Any]) -> str:
    return json.dumps(facts, ensure_ascii=False, sort_keys=True)


def _from_json(finding: dict[str, Any]) -> Shown:
    s = finding["subject"]
    return (
        finding["rule"], s["type"], s["key"], s["name"], finding["area"], finding["message"],
        finding["due"] or "", _facts(finding["facts"]),
    )  # fmt: skip


def _from_record(r: FindingRecord) -> Shown:
    return (
        r.rule, r.subject_type, r.subject_key, r.subject_name, r.area, r.message, _iso(r.due),
        _facts(r.facts),
    )  # fmt: skip


def checked(*args: str) -> Counter[Shown]:
    """`dangjian check --format json` as of today, its findings."""
    out = io.StringIO()
    call_command("check", "--format", "json", *args, stdout=out)
    return Counter(_from_json(f) for f in json.loads(out.getvalue())["findings"])


def _differ(what: str, expected: Counter[Shown], got: Counter[Shown]) -> str:
    if expected == got:
        return ""
    missing, extra = expected - got, got - expected
    lines = [f"{what}: {sum(missing.values())} missing, {sum(extra.values())} extra"]
    lines += [f"    missing (check finds it): {f}" for f in sorted(missing)[:10]]
    lines += [f"    extra (check does not): {f}" for f in sorted(extra)[:10]]
    return "\n".join(lines)


def shown_by_findings_page(run: Run) -> tuple[Counter[Shown], list[str]]:
    """Every row of `/findings/`, every page, and what is wrong with their tasks."""
    shown: Counter[Shown] = Counter()
    problems = []
    number, last = 1, 1
    while number <= last:
        response = run.pages.get("/findings/", {"page": number})
        assert response.status_code == 200
        context = response.context
        last = context["page"].paginator.num_pages
        if number == 1:
            total = context["total"]
            heading = f'data-count="{total}"'
            if heading not in response.content.decode():
                problems.append(f"the heading does not say {heading}")
        for row in context["rows"]:
            r = row["record"]
            shown[_from_record(r)] += 1
            if row["task"] is None or row["state"] not in OPEN_STATES:
                problems.append(
                    f"row {r.rule} {r.subject_key}: task {row['task']} {row.get('state')}"
                )
        number += 1
    if sum(shown.values()) != total:
        problems.append(f"the heading counts {total}, the pages show {sum(shown.values())}")
    return shown, problems


def shown_by_api(run: Run) -> Counter[Shown]:
    shown: Counter[Shown] = Counter()
    page = 1
    while True:
        body = run.api.get("/api/v1/findings", {"page": page, "page_size": 500}).json()
        shown.update(_from_json(f) for f in body["findings"])
        if page * 500 >= body["count"]:
            return shown
        page += 1


def tasks_disagree() -> str:
    open_findings = set(
        FindingRecord.objects.filter(resolved_on__isnull=True).values_list("pk", flat=True)
    )
    open_tasks = Counter(
        Task.objects.filter(state__in=OPEN_STATES).values_list("finding_id", flat=True)
    )
    problems = []
    if without := sorted(open_findings - set(open_tasks)):
        problems.append(f"open findings without an open task: {without[:10]}")
    if orphans := sorted(set(open_tasks) - open_findings):
        problems.append(f"open tasks whose finding is not open: {orphans[:10]}")
    if twice := sorted(k for k, n in open_tasks.items() if n > 1):
        problems.append(f"findings with several open tasks: {twice[:10]}")
    return "; ".join(problems)


def detail_pages_disagree(run: Run, done: Done, everything: Counter[Shown]) -> list[str]:
    """The 「N 项不符合」 of the touched subjects' pages, against the rules `check` finds
    them failing and the store's open findings of them."""
    problems = []
    pick = random.Random(done.what)
    orgs, party_orgs = sorted(done.orgs), sorted(done.party_orgs)
    subjects: list[tuple[str, str, str]] = [
        *(("social_org", k, f"/orgs/{k}/") for k in pick.sample(orgs, min(2, len(orgs)))),
        *(
            ("party_org", k, f"/party-orgs/{k}/")
            for k in pick.sample(party_orgs, min(2, len(party_orgs)))
        ),
    ]
    for kind, key, url in subjects:
        response = run.pages.get(url)
        if response.status_code == 404:  # deleted (an undone creation), or moved away
            continue
        assert response.status_code == 200, url
        failing = response.context["findings"]["failing"]
        html = response.content.decode()
        found = {f[0] for f in everything if f[1] == kind and f[2] == key}
        stored = set(
            FindingRecord.objects.filter(
                subject_type=kind, subject_key=key, resolved_on__isnull=True
            ).values_list("rule", flat=True)
        )
        badge = f"{failing} 项不符合" if failing else "全部符合"
        if failing != len(found) or stored != found or badge not in html:
            problems.append(
                f"{url} shows {failing} failing rules ({badge!r} in the page: {badge in html}); "
                f"check finds {sorted(found)}, the store has {sorted(stored)}"
            )
    return problems


def assert_agrees(run: Run, label: str, done: Done | None) -> tuple[Counter[Shown], int]:
    """Everything the system shows against a fresh check; returns the check's findings and
    how many of them the officer sees."""
    everything = checked()
    problems = [
        _differ("the findings store vs check", everything, Counter(
            _from_record(r) for r in FindingRecord.objects.filter(resolved_on__isnull=True)
        )),
        tasks_disagree(),
    ]  # fmt: skip
    mine = checked("--user", OFFICER)
    page, page_problems = shown_by_findings_page(run)
    problems += [
        _differ("/findings/ vs check --user", mine, page),
        *page_problems,
        _differ("GET /api/v1/findings vs check --user", mine, shown_by_api(run)),
    ]
    if done is not None:
        problems += detail_pages_disagree(run, done, everything)
    problems = [p for p in problems if p]
    assert not problems, f"seed {run.seed}, {label}:\n" + "\n".join(problems)
    return everything, sum(mine.values())


# ---------------------------------------------------------------------------------------


@pytest.fixture
def city() -> None:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        demo.generate(SCALE, seed=DEMO_SEED)
    record(evaluate(as_of=timezone.localdate()))


def _pick(rng: random.Random, writes: Iterable[Write]) -> Write:
    writes = list(writes)
    return rng.choices(writes, weights=[w.weight for w in writes])[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_after_any_write_the_pages_and_the_api_agree_with_check(city, seed, tmp_path):
    officer = User.objects.get(username=OFFICER)
    assert officer.area is not None and officer.area.level == AreaLevel.DISTRICT
    pages = Client()
    pages.force_login(officer)
    _token, secret = token_create(user=officer)
    run = Run(
        seed=seed,
        rng=random.Random(seed),
        officer=officer,
        district=officer.area,
        pages=pages,
        api=Client(headers={"Authorization": f"Bearer {secret}"}),
        tmp=tmp_path,
    )
    before, _seen = assert_agrees(run, "before any write", None)
    used: Counter[str] = Counter()
    changed = seen = 0
    for step in range(1, STEPS + 1):
        # Every way of writing once first (in an order of the seed), then at random.
        if step <= len(WRITES):
            order = sorted(WRITES, key=lambda w: random.Random(f"{seed}:{w.name}").random())
            write = order[step - 1]
        else:
            write = _pick(run.rng, WRITES)
        done = write.do(run)
        if done is None:
            continue
        used[write.name] += 1
        after, mine = assert_agrees(run, f"step {step} {write.name}: {done.what}", done)
        changed += after != before
        seen = max(seen, mine)
        before = after
    # The sequence proved something: every way of writing was taken, findings opened and
    # resolved, and the officer's own list was not empty.
    assert len(used) >= len(WRITES) - 1, used  # (an undo may find nothing to undo first)
    assert changed >= STEPS // 4, f"only {changed} of {STEPS} writes changed any finding"
    assert seen >= 3, f"the officer never saw more than {seen} findings"
    assert FindingRecord.objects.filter(resolved_on__isnull=False).exists()
