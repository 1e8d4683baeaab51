"""The training pages (docs/cadres.md, "The pages"): the training needs list names exactly
the people the three training rules find in the user's jurisdiction (and nobody of another
district), its xlsx the same rows; recording a class writes one `trainings` row per trainee
in one import batch and closes their findings at once, a bad value writes nothing and says
why in Chinese naming the trainees; a person outside the jurisdiction is refused as
nonexistent; a secretary may not record a class. Real database, real client."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.cadres.models import Training, TrainingKind
from dangjian.compliance.engine import evaluate, record
from dangjian.compliance.models import FindingRecord
from dangjian.imports.models import ImportBatch
from tests import factories

pytestmark = pytest.mark.django_db

NEEDS = "/cadres/training-needs/"
NEW = "/cadres/trainings/new/"
LONG_AGO = dt.date(2014, 1, 1)  # before the policy took effect: no induction due
RULES = ["CAD-SECRETARY-TRAINING", "CAD-NEW-SECRETARY", "CAD-WORKER-TRAINING"]


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def cadres(areas) -> dict[str, Any]:
    """In 芙蓉区 (文艺路街道): a secretary never trained, one trained 2.5 days last year, a
    委员 never trained, a new secretary past six months without induction training, and a
    trained secretary; in 天心区 a secretary never trained."""
    today = timezone.localdate()
    y = today.year - 1
    people: dict[str, Any] = {}
    for key, name in (
        ("untrained", "未训书记"), ("short", "少训书记"), ("member", "未训委员"),
        ("new", "新任书记"), ("trained", "已训书记"), ("tianxin", "天心书记"),
    ):  # fmt: skip
        people[key] = factories.person(name)
    po = {
        key: factories.party_org(
            areas["pozi" if key == "tianxin" else "wenyilu"],
            code=f"P-{key.upper()}",
            name=f"{name}所在党支部",
            founded_on=LONG_AGO,
        )
        for key, name in (("a", "甲"), ("b", "乙"), ("c", "丙"), ("d", "丁"), ("tianxin", "戊"))
    }
    factories.office(po["a"], people["untrained"], started_on=LONG_AGO)
    factories.office(po["a"], people["member"], role="member", started_on=LONG_AGO)
    factories.office(po["b"], people["short"], started_on=LONG_AGO)
    factories.office(po["c"], people["trained"], started_on=LONG_AGO)
    factories.office(po["tianxin"], people["tianxin"], started_on=LONG_AGO)
    # Six months past, and after the last closed year's 06-30 (not held all that year).
    appointed = max(today - dt.timedelta(days=200), dt.date(y, 7, 1))
    factories.office(po["d"], people["new"], started_on=appointed)
    Training.objects.create(
        person=people["short"], name="半期培训", kind=TrainingKind.CENTRALIZED,
        organizer="长沙市委党校", started_on=dt.date(y, 5, 6), ended_on=dt.date(y, 5, 8),
        days=Decimal("2.5"),
    )  # fmt: skip
    factories.cadre_kept(people["trained"], LONG_AGO, today)
    return {
        "people": people,
        "party_orgs": po,
        "appointed": appointed,
        "furong": factories.user("furong", role=Role.DISTRICT, area=areas["furong"]),
        "tianxin": factories.user("tianxin", role=Role.DISTRICT, area=areas["tianxin"]),
        "secretary": factories.user("secretary", role=Role.ORG, party_org=po["a"]),
    }


def test_the_needs_list_names_exactly_whom_the_rules_find(cadres):
    people = cadres["people"]
    today = timezone.localdate()
    findings = evaluate(as_of=today, rules=RULES, user=cadres["furong"]).findings
    expected = {f.subject.pk for f in findings}
    assert expected == {
        people[k].pk for k in ("untrained", "short", "member", "new")
    }  # the rules' own answer
    page = client(cadres["furong"]).get(NEEDS)
    assert page.status_code == 200
    html = page.content.decode()
    rows = page.context["pager"]["page"].object_list
    assert {n.person for n in rows} == expected and len(rows) == len(findings)
    for key in ("untrained", "short", "member", "new"):
        assert people[key].name in html and people[key].id_masked in html
        assert people[key].id_number not in html
    assert "天心书记" not in html and "已训书记" not in html
    assert "书记年度培训不足（已训2.5天/应训5天）" in html
    assert "书记年度培训不足（已训0天/应训5天）" in html
    assert "党务工作者年度培训" in html
    deadline = next(f.due for f in findings if f.rule == "CAD-NEW-SECRETARY")
    assert f"新任书记任职培训（期限 {deadline}）" in html
    counts = {n["key"]: n["count"] for n in page.context["needs"]}
    assert counts == {"secretary": 2, "new": 1, "worker": 1}
    # Filtered by need, and the other district sees only its own.
    only = client(cadres["furong"]).get(NEEDS, {"need": "worker"})
    assert [n.name for n in only.context["pager"]["page"].object_list] == ["未训委员"]
    theirs = client(cadres["tianxin"]).get(NEEDS).content.decode()
    assert "天心书记" in theirs and "未训书记" not in theirs
    # An area outside the jurisdiction: 404.
    assert client(cadres["tianxin"]).get(NEEDS, {"area": "430102"}).status_code == 404


def test_the_needs_list_on_an_earlier_date(cadres):
    """Before the new secretary's six months end, they are not yet a need."""
    appointed = cadres["appointed"]
    page = client(cadres["furong"]).get(NEEDS, {"as_of": appointed.isoformat()})
    names = {n.name for n in page.context["pager"]["page"].object_list}
    assert "新任书记" not in names


def test_the_xlsx_roster_has_the_same_rows(cadres):
    c = client(cadres["furong"])
    page = c.get(NEEDS)
    shown = [
        [n.name, n.masked, n.party_org_name, n.party_org_code, n.role, n.text,
         n.due.isoformat() if n.due else ""]
        for n in page.context["pager"]["page"].object_list
    ]  # fmt: skip
    answer = c.get(NEEDS, {"format": "xlsx"})
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    sheet = book.active
    rows = [
        [("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert rows[0] == ["姓名", "公民身份号码", "党组织", "党组织编码", "职务", "需求", "期限"]
    assert rows[1:] == shown
    for person in cadres["people"].values():
        assert person.id_number not in answer.content.decode("latin-1")
    worker = c.get(NEEDS, {"format": "xlsx", "need": "worker"})
    sheet = openpyxl.load_workbook(io.BytesIO(worker.content)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["未训委员"]


def class_data(people, **over) -> dict[str, Any]:
    y = timezone.localdate().year - 1
    data: dict[str, Any] = {
        "name": f"{y}年度社会组织党组织书记示范培训班", "kind": "集中培训",
        "organizer": "芙蓉区社会组织党工委", "started_on": f"{y}-11-10",
        "ended_on": f"{y}-11-14", "days": "5", "action": "save",
        "trainee": [p.pk for p in people],
    }  # fmt: skip
    data.update(over)
    return data


@pytest.mark.django_db(transaction=True)
def test_recording_a_class_writes_one_batch_and_closes_the_findings(cadres):
    people = cadres["people"]
    today = timezone.localdate()
    record(evaluate(as_of=today))
    trainees = [people["untrained"], people["short"], people["member"]]
    open_before = FindingRecord.objects.filter(
        subject_pk__in=[p.pk for p in trainees], rule__in=RULES, resolved_on__isnull=True
    )
    assert open_before.count() == 3
    batches = ImportBatch.objects.count()
    c = client(cadres["furong"])
    answer = c.post(NEW, class_data(trainees))
    assert answer.status_code == 302 and answer["Location"] == NEEDS
    written = Training.objects.filter(name__endswith="示范培训班")
    assert sorted(written.values_list("person_id", flat=True)) == sorted(p.pk for p in trainees)
    assert ImportBatch.objects.count() == batches + 1
    assert not FindingRecord.objects.filter(
        subject_pk__in=[p.pk for p in trainees], rule__in=RULES, resolved_on__isnull=True
    ).exists()
    page = c.get(NEEDS)
    html = page.content.decode()
    assert "已记录培训" in html and "共3名学员" in html
    names = {n.name for n in page.context["pager"]["page"].object_list}
    assert names == {"新任书记"}


def test_a_bad_value_writes_nothing_and_says_why(cadres):
    people = cadres["people"]
    trainees = [people["untrained"], people["short"]]
    c = client(cadres["furong"])
    answer = c.post(NEW, class_data(trainees, days="6"))
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "超过开始日期至结束日期的天数（5天）" in html
    assert "培训天数「6」" in html
    assert "全部2名学员：培训天数「6」：超过开始日期至结束日期的天数（5天）" in html
    # An error of one trainee names them.
    answer = c.post(NEW, class_data([people["untrained"]], days="6"))
    assert f"未训书记（{people['untrained'].id_masked}）：培训天数「6」" in answer.content.decode()
    assert not Training.objects.filter(name__endswith="示范培训班").exists()
    # What the user typed and picked is still there; no identity number in full.
    assert 'value="芙蓉区社会组织党工委"' in html
    for p in trainees:
        assert f'name="trainee" value="{p.pk}"' in html
        assert p.id_number not in html
    # A start after today: the kind's own message, next to the field.
    later = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    answer = c.post(NEW, class_data(trainees, started_on=later, ended_on=later, days="1"))
    assert "晚于今天" in answer.content.decode()
    assert not Training.objects.filter(name__endswith="示范培训班").exists()


def test_the_roster_picker(cadres):
    people = cadres["people"]
    c = client(cadres["furong"])
    base = class_data([], action="party_org", party_org="P-A")
    base.pop("trainee")
    roster = c.post(NEW, base).context["roster"]
    assert {p.pk for p in roster} == {people["untrained"].pk, people["member"].pk}
    by_role = c.post(NEW, {**base, "action": "role", "role": "secretary"}).context["roster"]
    assert {p.name for p in by_role} == {"未训书记", "少训书记", "新任书记", "已训书记"}
    needs = c.post(NEW, {**base, "action": "needs", "need": ""}).context["roster"]
    assert {p.name for p in needs} == {"未训书记", "少训书记", "未训委员", "新任书记"}
    found = c.post(NEW, {**base, "action": "search", "q": "少训"}).context["found"]
    assert [p.name for p in found] == ["少训书记"]
    number = people["trained"].id_number
    found = c.post(NEW, {**base, "action": "search", "q": number}).context["found"]
    assert [p.name for p in found] == ["已训书记"]
    nobody = c.post(NEW, {**base, "action": "search", "q": "天心书记"}).context["found"]
    assert nobody == []
    added = c.post(NEW, {**base, "action": "", "add": people["short"].pk,
                         "trainee": [people["untrained"].pk]}).context["roster"]  # fmt: skip
    assert [p.name for p in added] == ["未训书记", "少训书记"]
    removed = c.post(NEW, {**base, "action": "", "remove": str(people["untrained"].pk),
                           "trainee": [people["untrained"].pk, people["short"].pk]})  # fmt: skip
    assert [p.name for p in removed.context["roster"]] == ["少训书记"]
    empty = c.post(NEW, {**base, "action": "save"})
    assert "请先加入学员" in empty.content.decode()


def test_a_person_outside_the_jurisdiction_is_refused(cadres):
    people = cadres["people"]
    c = client(cadres["furong"])
    outside = c.post(NEW, class_data([people["untrained"], people["tianxin"]]))
    assert outside.status_code == 404
    assert c.post(NEW, class_data([], add=people["tianxin"].pk)).status_code == 404
    assert c.post(NEW, class_data([], trainee=["999999"])).status_code == 404
    assert c.post(NEW, class_data([], trainee=["x"])).status_code == 404
    assert c.post(NEW, class_data([], action="party_org", party_org="P-TIANXIN")).status_code == 404
    assert not Training.objects.filter(name__endswith="示范培训班").exists()


def test_a_secretary_may_not_record_a_class(cadres):
    c = client(cadres["secretary"])
    assert c.get(NEW).status_code == 403
    assert c.post(NEW, class_data([cadres["people"]["untrained"]])).status_code == 403
    assert not Training.objects.filter(name__endswith="示范培训班").exists()
    page = c.get(NEEDS)
    assert page.status_code == 200 and "记录一期培训" not in page.content.decode()


def test_an_officer_opens_the_empty_form(cadres):
    page = client(cadres["furong"]).get(NEW)
    assert page.status_code == 200
    html = page.content.decode()
    assert "尚未加入学员" in html and "P-A" in html and "P-TIANXIN" not in html


def test_the_needs_list_reads_the_same_number_of_queries_for_more_people(cadres, areas):
    """Set-based: one evaluation, no query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client(cadres["furong"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert c.get(NEEDS).status_code == 200
        return len(captured.captured_queries)

    c.get(NEEDS)  # warm the per-version caches
    before = queries()
    for i in range(10):
        po = factories.party_org(areas["wenyilu"], code=f"P-MORE{i}", founded_on=LONG_AGO)
        factories.office(po, factories.person(f"又一书记{i}"), started_on=LONG_AGO)
        factories.office(po, factories.person(f"又一委员{i}"), role="member", started_on=LONG_AGO)
    c.get(NEEDS)
    after = queries()
    page = c.get(NEEDS)
    assert page.context["count"] == 4 + 20
    assert after == before
