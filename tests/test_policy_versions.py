"""Policy versions (docs/policy-versions.md): a revision's checks, the what-if comparison on
hand-made data (exactly the findings that move), `check --as-of` by the version in force on
the date, adoption by a city officer closing the tasks whose findings disappear, and the
pages (what-if, draft, export, adoption; the jurisdiction)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sys
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.accounts.models import Role
from dangjian.compliance.engine import evaluate, record
from dangjian.compliance.models import FindingRecord
from dangjian.compliance.policy import PolicyError, default_text, in_force, load, parse
from dangjian.dues.amounts import amount_due
from dangjian.dues.models import DuesPayment, DuesReturn
from dangjian.partyorgs.models import PartyOrgForm
from dangjian.policies.models import PolicyDraft, PolicyVersion
from dangjian.policies.services import policy_version_adopt
from dangjian.policies.whatif import compare
from dangjian.tasks.models import Task, TaskEvent
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date(2024, 6, 15)


def revision(number: str = "2015-2.5", **values: str) -> str:
    """The shipped settings with `values` (TOML value text by setting) and a new number."""
    text = default_text()
    text = re.sub(r'^version = ".*"$', f'version = "{number}"', text, count=1, flags=re.M)
    for name, value in values.items():
        pattern = rf"(\[settings\.{name}\]\nvalue = )(.*?)(\nsource)"
        text, n = re.subn(pattern, rf"\g<1>{value}\g<3>", text, count=1, flags=re.S)
        assert n == 1, name
    return text


def moved(findings) -> set[tuple[str, str]]:
    return {(f.rule, f.subject.key) for f in findings}


# --- a revision's checks -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"standalone_min_formal_members": "0"}, "「standalone_min_formal_members」的值「0」"),
        ({"dissolve_within_days": "-1"}, "「dissolve_within_days」的值「-1」"),
        ({"dissolve_within_days": '"30"'}, "「dissolve_within_days」的值「30」无效：应为非负整数"),
        ({"dues_flat_amount": "0.2"}, "「dues_flat_amount」的值「0.2」"),
        ({"dues_flat_amount": '"5000"'}, "「dues_flat_amount」的值「5000」"),
        ({"probation_months": "0"}, "「probation_months」的值「0」"),
        ({"life_assembly_period": '"week"'}, "「life_assembly_period」的值「week」"),
        (
            {"dues_employed_rates": '[{up_to = 3000, rate = "1.5"}, {rate = "0.01"}]'},
            "「dues_employed_rates」的值「1.5」无效：应为0 至 1 之间的比例",
        ),
        (
            {
                "dues_employed_rates": '[{up_to = 5000, rate = "0.005"}, {up_to = 3000, rate = "0.01"}, {rate = "0.02"}]'
            },
            "「dues_employed_rates」的值「3000」无效：应为递增的正数分档上限",
        ),
        (
            {"dues_retired_rates": '[{up_to = 5000, rate = "0.005"}]'},
            "「dues_retired_rates」",  # the last bracket has a limit: not every base covered
        ),
    ],
)
def test_a_revision_out_of_range_is_refused_naming_the_setting_and_the_value(values, message):
    with pytest.raises(PolicyError) as refused:
        parse(revision(**values))
    assert message in str(refused.value)


def test_a_revision_without_a_source_or_with_an_unknown_setting_is_refused():
    text = revision(standalone_min_formal_members="2")
    no_source = re.sub(r'(\[settings\.joint_max_orgs\]\nvalue = 5\n)source = ".*?"\n', r"\1", text)
    with pytest.raises(PolicyError, match=r"joint_max_orgs.*source"):
        parse(no_source)
    with pytest.raises(PolicyError, match="「no_such_setting」未在系统中声明"):
        parse(text + '\n[settings.no_such_setting]\nvalue = 1\nsource = "x"\n')
    with pytest.raises(PolicyError, match="不是有效的 TOML"):
        parse("version = ")


def test_the_shipped_settings_pass_their_own_checks():
    assert parse(default_text()).version == load().version


# --- what-if on hand-made data ---------------------------------------------------------------


def coverage_world(areas):
    """Organizations of 0–3 formal members, covered or not, in 文艺路街道."""
    at = areas["wenyilu"]
    orgs = {
        "two_uncovered": factories.org_with_members(at, 2),
        "two_joint": factories.org_with_members(at, 2),
        "two_standalone": factories.org_with_members(at, 2),
        "three_uncovered": factories.org_with_members(at, 3),
        "one_uncovered": factories.org_with_members(at, 1),
        "none": factories.org_with_members(at, 0),
    }
    factories.party_org(at, form=PartyOrgForm.JOINT, covers=[orgs["two_joint"], orgs["none"]])
    factories.party_org(at, covers=[orgs["two_standalone"]])
    return orgs


def test_standalone_from_3_to_2_moves_exactly_the_coverage_findings(areas):
    orgs = coverage_world(areas)
    result = compare(parse(revision(standalone_min_formal_members="2")), as_of=D)
    key = {name: o.uscc for name, o in orgs.items()}
    assert moved(result.appeared) == {
        ("COV-STANDALONE", key["two_uncovered"]),
        ("COV-STANDALONE", key["two_joint"]),
    }
    assert moved(result.disappeared) == {("COV-JOINT", key["two_uncovered"])}
    assert result.by_rule == [("COV-JOINT", 0, 1), ("COV-STANDALONE", 2, 0)]
    assert result.areas == [("430102", "芙蓉区", 2, 1), ("430103", "天心区", 0, 0)]
    assert [s[0] for s in result.settings_changed] == ["standalone_min_formal_members"]
    # The same revision with the old value moves nothing.
    same = compare(parse(revision(standalone_min_formal_members="3")), as_of=D)
    assert same.appeared == same.disappeared == []
    assert same.unchanged == result.unchanged + 1  # COV-JOINT two_uncovered, in force only


def test_the_comparison_is_the_difference_of_two_checks(areas):
    coverage_world(areas)
    revised = parse(revision(standalone_min_formal_members="2"))
    result = compare(revised, as_of=D)
    before = {(f.rule, f.subject.key, f.occurrence) for f in evaluate(as_of=D).findings}
    after = {
        (f.rule, f.subject.key, f.occurrence) for f in evaluate(as_of=D, policy=revised).findings
    }
    assert {(f.rule, f.subject.key, f.occurrence) for f in result.appeared} == after - before
    assert {(f.rule, f.subject.key, f.occurrence) for f in result.disappeared} == before - after


def dues_world(areas):
    """A branch whose members paid: every month (kept), last in 2024-01 (four months
    unpaid before June), never; and a short return of last year's dues."""
    at = areas["wenyilu"]
    org = factories.org(at)
    branch = factories.party_org(at, covers=[org], term_started_on=dt.date(2023, 1, 1))
    kept = factories.member(org, relation=branch)
    recent = factories.member(org, relation=branch)
    never = factories.member(org, relation=branch)
    for month in range(1, 13):
        for year in (2023, 2024):
            day = dt.date(year, month, 1)
            if day < D.replace(day=1):
                DuesPayment.objects.create(person=kept, month=day, category="employed",
                                           base=Decimal("3000.00"), paid=Decimal("15.00"),
                                           paid_on=day)  # fmt: skip
    DuesPayment.objects.create(person=recent, month=dt.date(2024, 1, 1), category="employed",
                               base=Decimal("3000.00"), paid=Decimal("15.00"),
                               paid_on=dt.date(2024, 1, 1))  # fmt: skip
    DuesReturn.objects.create(party_org=branch, year=2023, paid_up=Decimal("360.00"),
                              returned=Decimal("300.00"), returned_on=dt.date(2024, 2, 1))  # fmt: skip
    return branch, kept, recent, never


def test_a_dues_bracket_moves_the_amounts_due_and_no_dues_finding(areas):
    """MEM-DUES-LAPSE (paying nothing) and FUN-DUES-RETURN (returned < paid up) read no
    bracket (CONTRACT.md): a bracket's revision changes every amount due in its range and
    moves no finding of theirs."""
    _branch, *_ = dues_world(areas)
    text = revision(
        dues_employed_rates='[{up_to = 3000, rate = "0.01"}, {up_to = 5000, rate = "0.01"}, {up_to = 10000, rate = "0.015"}, {rate = "0.02"}]'
    )
    revised = parse(text)
    result = compare(revised, as_of=D)
    assert result.appeared == result.disappeared == []
    before = evaluate(as_of=D, rules=["MEM-DUES-LAPSE", "FUN-DUES-RETURN"])
    assert {f.rule for f in before.findings} == {"MEM-DUES-LAPSE", "FUN-DUES-RETURN"}
    # What the bracket changes: 3000.00 at the edge of the first bracket, 0.5 % → 1 %.
    # The month before D: `kept` paid 15.00 of 3000.00 (15.00 due, 30.00 revised).
    assert result.dues is not None
    assert result.dues.as_dict() == {
        "month": "2024-05", "payments": 1, "due_in_force": "15.00", "due_revised": "30.00",
        "changed": 1, "short_in_force": 0, "short_revised": 1,
    }  # fmt: skip
    assert compare(parse(revision(dues_lapse_months="3")), as_of=D).dues is None
    assert amount_due(load(), "employed", Decimal("3000.00")) == Decimal("15.00")
    assert amount_due(revised, "employed", Decimal("3000.00")) == Decimal("30.00")
    assert amount_due(revised, "employed", Decimal("3000.01")) == Decimal("30.00")


def test_dues_lapse_months_from_6_to_3_moves_exactly_the_member_with_four_months_unpaid(areas):
    _branch, kept, recent, never = dues_world(areas)
    result = compare(parse(revision(dues_lapse_months="3")), as_of=D)
    assert moved(result.appeared) == {("MEM-DUES-LAPSE", recent.id_masked)}
    assert result.disappeared == []
    lapsed = {f.subject.key for f in evaluate(as_of=D, rules=["MEM-DUES-LAPSE"]).findings}
    assert lapsed == {never.id_masked}
    assert kept.id_masked not in moved(result.appeared)


# --- versions in force by date ---------------------------------------------------------------


def test_check_as_of_uses_the_version_in_force_on_the_date(areas):
    orgs = coverage_world(areas)
    city_officer = factories.user("city", role=Role.CITY, area=areas["city"])
    done = policy_version_adopt(
        user=city_officer, text=revision(standalone_min_formal_members="2"),
        effective_from=dt.date(2024, 7, 1), reason="市委组织部通知（测试）",
    )  # fmt: skip
    assert done.ok, done.errors
    version = done.record
    shipped = load().version

    def check(day: str) -> dict:
        out = io.StringIO()
        call_command("check", "--as-of", day, "--format", "json", stdout=out)
        return json.loads(out.getvalue())

    before, after = check("2024-06-30"), check("2024-07-01")
    assert before["policy_version"] == shipped
    assert after["policy_version"] == version.version != shipped
    uscc = orgs["two_uncovered"].uscc
    assert {(f["rule"]) for f in before["findings"] if f["subject"]["key"] == uscc} == {"COV-JOINT"}
    assert {(f["rule"]) for f in after["findings"] if f["subject"]["key"] == uscc} == {
        "COV-STANDALONE"
    }
    assert in_force(dt.date(2024, 6, 30)).version == shipped
    assert in_force(dt.date(2024, 7, 1)).version == version.version
    # The coverage report records the version of its date too.
    report, note = io.StringIO(), io.StringIO()
    call_command("report", "coverage", "--as-of", "2024-07-01", "--format", "json",
                 stdout=report, stderr=note)  # fmt: skip
    assert json.loads(report.getvalue())[0]["area"] == "430100"  # CONTRACT's rows, as ever
    assert note.getvalue().strip() == f"政策设置版本 {version.version}"
    text = io.StringIO()
    call_command("report", "coverage", "--as-of", "2024-06-30", stdout=text)
    assert f"政策设置版本 {shipped}" in text.getvalue()


def test_adoption_is_for_city_officers_and_checked(areas):
    district = factories.user("furong", role=Role.DISTRICT, area=areas["furong"])
    city = factories.user("city", role=Role.CITY, area=areas["city"])
    text = revision(standalone_min_formal_members="2")
    refused = policy_version_adopt(user=district, text=text, effective_from=D, reason="x")
    assert refused.errors == {"": ["只有市级管理员可以采用政策设置修订"]}
    same_number = policy_version_adopt(
        user=city, text=revision("2015-2.4", standalone_min_formal_members="2"),
        effective_from=D, reason="x",
    )  # fmt: skip
    assert "版本号「2015-2.4」已被使用" in same_number.errors["text"][0]
    unchanged = policy_version_adopt(user=city, text=revision(), effective_from=D, reason="x")
    assert "完全相同" in unchanged.errors["text"][0]
    no_reason = policy_version_adopt(user=city, text=text, effective_from=D, reason=" ")
    assert no_reason.errors["reason"] == ["请填写调整理由（依据的文件或决定）"]
    bad = policy_version_adopt(
        user=city, text=revision(joint_max_orgs="0"), effective_from=D, reason="x"
    )
    assert "「joint_max_orgs」的值「0」" in bad.errors["text"][0]
    long_document = re.sub(r'^document = ".*"$', f'document = "{"文" * 301}"',
                           text, count=1, flags=re.M)  # fmt: skip
    too_long = policy_version_adopt(user=city, text=long_document, effective_from=D, reason="x")
    assert too_long.errors["text"] == ["政策设置文件的「document」过长（301 字，上限 300）"]
    assert not PolicyVersion.objects.exists()


def test_a_revision_in_force_today_closes_the_tasks_of_the_findings_it_removes(areas):
    orgs = coverage_world(areas)
    today = timezone.localdate()
    record(evaluate(as_of=today))
    uscc = orgs["two_uncovered"].uscc
    joint = FindingRecord.objects.get(rule="COV-JOINT", subject_key=uscc, resolved_on=None)
    task = Task.objects.get(finding=joint)
    city = factories.user("city", role=Role.CITY, area=areas["city"])
    done = policy_version_adopt(
        user=city, text=revision(standalone_min_formal_members="2"), effective_from=today,
        reason="试行修订",
    )  # fmt: skip
    assert done.ok, done.errors
    joint.refresh_from_db()
    assert joint.resolved_on == today
    task.refresh_from_db()
    assert task.state == "fixed"
    event = TaskEvent.objects.filter(task=task).order_by("-pk").first()
    assert done.record.version in event.text
    standalone = FindingRecord.objects.get(rule="COV-STANDALONE", subject_key=uscc,
                                           resolved_on=None)  # fmt: skip
    assert standalone.policy_version == done.record.version
    assert Task.objects.filter(finding=standalone).exists()


def test_a_later_revision_waits_for_its_day(areas):
    coverage_world(areas)
    city = factories.user("city", role=Role.CITY, area=areas["city"])
    today = timezone.localdate()
    record(evaluate(as_of=today))
    later = today + dt.timedelta(days=10)
    done = policy_version_adopt(
        user=city, text=revision(standalone_min_formal_members="2"), effective_from=later,
        reason="明年起施行",
    )  # fmt: skip
    assert done.ok
    assert in_force(today).version == load().version
    assert not FindingRecord.objects.filter(policy_version=done.record.version).exists()
    run = record(evaluate(as_of=later))
    assert run.policy_version == done.record.version
    assert FindingRecord.objects.filter(policy_version=done.record.version).exists()


# --- the command line --------------------------------------------------------------------------


def test_check_settings_compare_from_the_command_line(areas, tmp_path, monkeypatch, capsys):
    orgs = coverage_world(areas)
    path = tmp_path / "revised.toml"
    path.write_text(revision(standalone_min_formal_members="2"), encoding="utf-8")
    from dangjian.manage import main

    # The real entry point (Django's own first reading of the line would take --settings
    # for its settings module); run_from_argv closes the connections when done, which would
    # end the test's transaction.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    monkeypatch.setattr(
        sys, "argv",
        ["dangjian", "check", "--settings", str(path), "--compare", "--as-of", "2024-06-15",
         "--format", "json"],
    )  # fmt: skip
    main()
    out = json.loads(capsys.readouterr().out)
    assert out["policy_version"] == load().version
    assert out["revised_version"].startswith("2015-2.5+")
    assert out["summary"] == {
        "COV-JOINT": {"appearing": 0, "disappearing": 1},
        "COV-STANDALONE": {"appearing": 2, "disappearing": 0},
    }
    assert {f["subject"]["key"] for f in out["appearing"]} == {
        orgs["two_uncovered"].uscc,
        orgs["two_joint"].uscc,
    }
    # xlsx, and an area outside which nothing moves.
    target = tmp_path / "whatif.xlsx"
    call_command("check", "--settings", str(path), "--compare", "--as-of", "2024-06-15",
                 "--format", "xlsx", "-o", str(target))  # fmt: skip
    book = load_workbook(target)
    rows = list(book["变化清单"].iter_rows(values_only=True))
    assert rows[0][:2] == ("变化", "规则编号")
    assert sorted((r[0], r[1]) for r in rows[1:]) == [
        ("出现", "COV-STANDALONE"),
        ("出现", "COV-STANDALONE"),
        ("消失", "COV-JOINT"),
    ]
    assert "政策设置版本" in book.properties.keywords
    out = io.StringIO()
    call_command("check", "--settings", str(path), "--compare", "--as-of", "2024-06-15",
                 "--area", "430103", "--format", "json", stdout=out)  # fmt: skip
    assert json.loads(out.getvalue())["summary"] == {}
    # --settings alone: the findings under the revision, never recorded.
    out = io.StringIO()
    call_command("check", "--settings", str(path), "--as-of", "2024-06-15", "--rule",
                 "COV-JOINT", "--rule", "COV-STANDALONE", "--format", "json", stdout=out)  # fmt: skip
    revised = json.loads(out.getvalue())
    assert revised["policy_version"] == parse(path.read_text(encoding="utf-8")).version
    assert {(f["rule"], f["subject"]["key"]) for f in revised["findings"]} >= {
        ("COV-STANDALONE", orgs["two_uncovered"].uscc)
    }
    with pytest.raises(CommandError, match="不记入问题库"):
        call_command("check", "--settings", str(path), "--record")


def test_check_settings_refuses_a_bad_revision(areas, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(revision(transfer_within_days="-5"), encoding="utf-8")
    with pytest.raises(CommandError, match="「transfer_within_days」的值「-5」") as refused:
        call_command("check", "--settings", str(path), "--compare")
    assert refused.value.returncode == 2
    with pytest.raises(CommandError, match="--compare 须与 --settings 同用"):
        call_command("check", "--compare")


# --- the pages -----------------------------------------------------------------------------------


@pytest.fixture
def officers(areas):
    coverage_world(areas)
    return {
        "city": factories.user("city", role=Role.CITY, area=areas["city"]),
        "furong": factories.user("furong", role=Role.DISTRICT, area=areas["furong"]),
        "tianxin": factories.user("tianxin", role=Role.DISTRICT, area=areas["tianxin"]),
        "wenyilu": factories.user("wenyilu", role=Role.TOWNSHIP, area=areas["wenyilu"]),
    }


def test_the_whatif_pages(client, officers):
    client.force_login(officers["wenyilu"])
    assert client.get("/policy/whatif/").status_code == 403
    assert client.get("/policy/").status_code == 200
    client.force_login(officers["furong"])
    page = client.get("/policy/whatif/")
    assert page.status_code == 200
    assert "standalone_min_formal_members" in page.content.decode()
    refused = client.post(
        "/policy/whatif/", {"text": revision(joint_max_orgs="0"), "as_of": "2024-06-15"}
    )
    assert refused.status_code == 422
    assert "政策设置「joint_max_orgs」的值「0」无效" in refused.content.decode()
    assert not PolicyDraft.objects.exists()
    done = client.post(
        "/policy/whatif/",
        {"text": revision(standalone_min_formal_members="2"), "as_of": "2024-06-15"},
    )
    assert done.status_code == 302
    draft = PolicyDraft.objects.get()
    page = client.get(done["Location"])
    html = page.content.decode()
    assert 'id="whatif-appearing">2<' in html and 'id="whatif-disappearing">1<' in html
    assert "whatif-rule-chart" in html and "采用为新版本" not in html  # district: no adoption
    assert "&#x27;page&#x27;" not in html  # the pager drawn, not printed
    export = client.get(done["Location"] + "?format=xlsx")
    book = load_workbook(io.BytesIO(export.content))
    assert len(list(book["变化清单"].iter_rows())) == 4
    # Another officer's draft answers as one that does not exist; a district's adoption fails.
    client.force_login(officers["tianxin"])
    assert client.get(f"/policy/drafts/{draft.pk}/").status_code == 404
    client.force_login(officers["furong"])
    client.post(f"/policy/drafts/{draft.pk}/adopt/", {"effective_from": "2024-07-01",
                                                      "reason": "x"})  # fmt: skip
    assert not PolicyVersion.objects.exists()


def test_a_district_sees_only_its_area_move(client, officers):
    client.force_login(officers["tianxin"])
    done = client.post(
        "/policy/whatif/",
        {"text": revision(standalone_min_formal_members="2"), "as_of": "2024-06-15"},
    )
    html = client.get(done["Location"]).content.decode()
    assert 'id="whatif-appearing">0<' in html and 'id="whatif-disappearing">0<' in html


def test_a_city_officer_adopts_from_the_page_and_the_dashboard_says_the_version(client, officers):
    client.force_login(officers["city"])
    done = client.post(
        "/policy/whatif/",
        {"text": revision(standalone_min_formal_members="2"), "as_of": "2024-06-15"},
    )
    draft = PolicyDraft.objects.get()
    assert "采用为新版本" in client.get(done["Location"]).content.decode()
    today = timezone.localdate()
    adopted = client.post(
        f"/policy/drafts/{draft.pk}/adopt/",
        {"effective_from": today.isoformat(), "reason": "长沙市社会组织党工委决定（测试）"},
    )
    assert adopted.status_code == 302
    version = PolicyVersion.objects.get()
    assert version.adopted_by == officers["city"] and version.history.count() == 1
    draft.refresh_from_db()
    assert draft.adopted == version
    listing = client.get("/policy/").content.decode()
    assert version.version in listing and "现行" in listing
    dashboard = client.get("/").content.decode()
    assert version.version in dashboard
    xlsx = client.get("/policy/?format=xlsx")
    assert version.version in load_workbook(io.BytesIO(xlsx.content)).properties.keywords


def test_the_task_the_findings_export_and_the_api_name_the_version(client, officers):
    from django.test import Client

    from dangjian.accounts.tokens import token_create

    today = timezone.localdate()
    record(evaluate(as_of=today))
    city = officers["city"]
    done = policy_version_adopt(
        user=city, text=revision(standalone_min_formal_members="2"), effective_from=today,
        reason="试行修订",
    )  # fmt: skip
    version = done.record.version
    client.force_login(city)
    task = Task.objects.filter(finding__policy_version=version).first()
    assert task is not None
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert f'id="task-policy-version">{version}<' in page
    export = client.get("/findings/export.xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][-1] == "政策设置版本"
    assert version in {r[-1] for r in rows[1:]}
    _record, token = token_create(user=city)
    api = Client(headers={"Authorization": f"Bearer {token}"})
    answer = api.get("/api/v1/reports/coverage")
    assert answer.status_code == 200 and answer["X-Policy-Version"] == version
    assert isinstance(answer.json(), list)  # CONTRACT's rows, as ever
