"""`dangjian check` and `dangjian rules` (CONTRACT.md): the three formats, --rule, --area,
--as-of, --explain, --record and the findings store, exit codes, and the rule catalogue
quoting the policy text verbatim."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import tomllib
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.compliance.engine import RULES, evaluate, open_counts
from dangjian.compliance.management.commands.check import Command as CheckCommand
from dangjian.compliance.models import CheckRun, FindingRecord
from dangjian.compliance.policy import DEFAULT_FILE, load, policy_text
from tests import factories

pytestmark = pytest.mark.django_db

AS_OF = "2024-06-15"
D = dt.date(2024, 6, 15)
ORG_RULES = ["COV-INSTRUCTOR", "COV-JOINT", "COV-STANDALONE", "DYN-INSPECTION", "MGT-ASSIGNED"]
PARTY_ORG_RULES = [
    "CAD-FULLTIME", "DYN-DISSOLVE", "LIFE-MEETINGS", "LIFE-REVIEW", "ORG-COMMITTEE",
    "ORG-SECRETARY", "ORG-TERM",
]  # fmt: skip


@pytest.fixture
def world(areas):
    """A few findings in 芙蓉区 and 天心区 on 2024-06-15."""
    w = SimpleNamespace()
    w.standalone = factories.org(areas["wenyilu"], name="芙蓉区书法协会")  # COV-STANDALONE
    for _ in range(3):
        factories.member(w.standalone)
    w.joint = factories.org(areas["pozi"], name="天心区象棋协会")  # COV-JOINT
    factories.member(w.joint)
    w.covered = factories.org(areas["wenyilu"], name="芙蓉区摄影协会")
    for _ in range(3):
        factories.member(w.covered)
    # ORG-SECRETARY and ORG-TERM (founded 2016-01-01, no election since).
    w.party_org = factories.party_org(
        areas["wenyilu"], covers=[w.covered], code="430102D001", name="芙蓉区摄影协会党支部"
    )
    factories.life_kept(w.party_org, D)  # no finding of LIFE-MEETINGS, LIFE-REVIEW
    factories.venue_kept(w.party_org)  # nor VEN-SIX
    # no finding of MGT-STUDY: each district studies the matter every year
    factories.studies_kept(areas["furong"], areas["tianxin"], until=dt.date.today(), years=15)
    w.instructed = factories.org(areas["chaoyang"])
    factories.instructor_assignment(w.instructed)
    return w


def command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def check_json(*args: str) -> dict:
    out, _ = command("check", "--as-of", AS_OF, "--format", "json", *args)
    return json.loads(out)


def failing(*args: str) -> CommandError:
    with pytest.raises(CommandError) as raised:
        command(*args)
    return raised.value


@pytest.fixture
def cli(monkeypatch, capsys):
    """`dangjian check …` as from the command line: (exit status, stdout, stderr)."""
    # run_from_argv closes the connections when done: that would end the test's transaction
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            CheckCommand().run_from_argv(["dangjian", "check", *argv])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


# Formats ------------------------------------------------------------------------------------


def test_it_prints_the_findings_as_json(world):
    data = check_json()
    assert data == json.loads(json.dumps(evaluate(as_of=D).as_dict()))
    found = {(f["rule"], f["subject"]["key"]) for f in data["findings"]}
    assert found == {
        ("COV-STANDALONE", world.standalone.uscc),
        ("COV-JOINT", world.joint.uscc),
        ("ORG-SECRETARY", "430102D001"),
        ("ORG-TERM", "430102D001"),
    }
    assert data["summary"]["COV-STANDALONE"] == 1 and data["summary"]["MGT-INDUSTRY"] == 0
    assert len(data["summary"]) == len(RULES) == 26


def test_it_writes_the_json_to_a_file(world, tmp_path):
    out, _ = command("check", "--as-of", AS_OF, "--format", "json", "-o", str(tmp_path / "f.json"))
    assert out == ""
    assert json.loads((tmp_path / "f.json").read_text(encoding="utf-8")) == check_json()


def test_it_prints_the_findings_as_text(world):
    out, _ = command("check", "--as-of", AS_OF)
    assert out.startswith(f"检查日期 {AS_OF}    政策设置版本 {load().version}")
    for rule in RULES:
        assert re.search(rf"^  {rule} +\d+  ", out, re.M), rule
    assert re.search(r"^  合计 +4$", out, re.M)
    line = next(line for line in out.splitlines() if world.standalone.uscc in line)
    assert line.startswith("COV-STANDALONE")
    assert "芙蓉区书法协会" in line and "文艺路街道" in line and "高" in line
    assert "（已逾期）" in line  # due 60 days after the policy took effect, long ago


def test_it_prints_no_table_without_findings(areas):
    factories.studies_kept(areas["furong"], areas["tianxin"], until=dt.date.today(), years=15)
    out, _ = command("check", "--as-of", AS_OF)
    assert re.search(r"^  合计 +0$", out, re.M)
    assert "规则  严重" not in out


def test_it_writes_the_findings_as_a_workbook(world, tmp_path):
    path = tmp_path / "findings.xlsx"
    _, err = command("check", "--as-of", AS_OF, "--format", "xlsx", "-o", str(path))
    assert "4 个问题" in err
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["汇总", "问题清单"]
    summary = [list(row) for row in book["汇总"].iter_rows(values_only=True)]
    assert AS_OF in summary[0][0]
    assert summary[1] == ["规则编号", "条款", "规则", "严重程度", "问题数"]
    counts = {row[0]: row[4] for row in summary[2:]}
    assert counts == evaluate(as_of=D).summary
    rows = [list(row) for row in book["问题清单"].iter_rows(values_only=True)]
    assert rows[0][:5] == ["规则编号", "条款", "严重程度", "对象类型", "对象编码"]
    assert rows[0][-3:] == ["整改期限", "是否逾期", "政策原文"]
    assert [(r[0], r[4]) for r in rows[1:]] == [
        ("COV-JOINT", world.joint.uscc),
        ("COV-STANDALONE", world.standalone.uscc),
        ("ORG-SECRETARY", "430102D001"),
        ("ORG-TERM", "430102D001"),
    ]
    joint = rows[1]
    assert joint[3] == "社会组织" and joint[6] == "430103001" and joint[7] == "坡子街街道"
    assert joint[-1] == RULES["COV-JOINT"].quote
    term = rows[4]
    assert term[-3].date() == dt.date(2019, 1, 1) and term[-2] == "是"


def test_it_needs_a_file_for_a_workbook(world):
    assert failing("check", "--as-of", AS_OF, "--format", "xlsx").returncode == 2


# Options ------------------------------------------------------------------------------------


def test_it_checks_only_the_rules_asked_for(world):
    data = check_json("--rule", "ORG-TERM", "--rule", "COV-JOINT")
    assert list(data["summary"]) == ["COV-JOINT", "ORG-TERM"]
    assert [f["rule"] for f in data["findings"]] == ["COV-JOINT", "ORG-TERM"]


def test_it_checks_only_the_area_asked_for(world):
    tianxin = check_json("--area", "430103")
    assert [f["subject"]["key"] for f in tianxin["findings"]] == [world.joint.uscc]
    furong = check_json("--area", "430102")
    assert all(f["area"].startswith("430102") for f in furong["findings"])
    assert len(furong["findings"]) == 3
    township = check_json("--area", "430102002")  # 朝阳街街道: an instructor, nothing to do
    assert township["findings"] == []


def test_it_checks_on_the_date_asked_for(world):
    before = check_json("--as-of", "2018-12-31")  # the term still ran
    assert "ORG-TERM" not in {f["rule"] for f in before["findings"]}
    assert before["as_of"] == "2018-12-31"
    assert "ORG-TERM" in {f["rule"] for f in check_json()["findings"]}


def test_it_refuses_an_unknown_rule_as_a_usage_error(world, cli):
    error = failing("check", "--rule", "COV-STANDALONE", "--rule", "NO-SUCH-RULE")
    assert error.returncode == 2
    assert "NO-SUCH-RULE" in str(error) and "COV-STANDALONE" in str(error)
    code, out, err = cli("--rule", "NO-SUCH-RULE")
    assert (code, out) == (2, "")
    assert "规则 NO-SUCH-RULE 不存在" in err


def test_it_refuses_a_malformed_date_and_an_unknown_area(world, cli):
    assert failing("check", "--as-of", "2024-13-01").returncode == 2
    assert failing("check", "--area", "999999").returncode == 1
    assert cli("--as-of", "15/06/2024")[0] == 2
    assert cli("--area", "999999")[0] == 1
    assert cli("--as-of", AS_OF, "--format", "json")[0] == 0


# --explain ----------------------------------------------------------------------------------


def verdicts(text: str) -> dict[str, str]:
    marks = re.findall(r"^\[(符合|不符合)\] (\S+) ", text, re.M)
    return {rule: mark for mark, rule in marks}


def test_it_explains_every_rule_of_an_organization(world):
    out, _ = command("check", "--as-of", AS_OF, "--explain", world.standalone.uscc)
    assert out.startswith(f"芙蓉区书法协会（{world.standalone.uscc}）在 {AS_OF} 的情况")
    assert "在职正式党员：3" in out
    assert verdicts(out) == {
        "COV-INSTRUCTOR": "符合",
        "COV-JOINT": "符合",
        "COV-STANDALONE": "不符合",
        "DYN-INSPECTION": "符合",
        "MGT-ASSIGNED": "符合",
    }
    assert "问题：有3名正式党员从业人员，尚未单独组建党组织" in out
    assert "standalone_min_formal_members=3" in out


def test_it_explains_every_rule_of_a_party_org(world):
    out, _ = command("check", "--as-of", AS_OF, "--explain", "430102D001")
    assert out.startswith("芙蓉区摄影协会党支部（430102D001）")
    assert verdicts(out) == {
        "CAD-FULLTIME": "符合",
        "DYN-DISSOLVE": "符合",
        "DYN-WEAK-OVERDUE": "符合",
        "FUN-DUES-RETURN": "符合",
        "LIFE-MEETINGS": "符合",
        "LIFE-REVIEW": "符合",
        "ORG-COMMITTEE": "符合",
        "ORG-SECRETARY": "不符合",
        "ORG-TERM": "不符合",
        "VEN-SIX": "符合",
    }
    assert "整改期限 2019-01-01" in out  # the term ran out then


def test_it_explains_as_json(world):
    out, _ = command("check", "--as-of", AS_OF, "--format", "json", "--explain", world.covered.uscc)
    data = json.loads(out)
    assert data["subject"] == {
        "type": "social_org",
        "key": world.covered.uscc,
        "name": "芙蓉区摄影协会",
    }
    assert sorted(r["rule"] for r in data["rules"]) == ORG_RULES
    assert all(r["holds"] for r in data["rules"])


def test_it_explains_nothing_it_does_not_know_or_may_not_see(world):
    assert failing("check", "--explain", "NO-SUCH-CODE").returncode == 1
    error = failing("check", "--area", "430103", "--explain", world.standalone.uscc)
    assert error.returncode == 1


# --record and the findings store ------------------------------------------------------------


def test_it_records_a_check_once(world):
    _, err = command("check", "--as-of", AS_OF, "--record", "--format", "json")
    assert "新发现 4，已解决 0，未解决 4" in err
    _, err = command("check", "--as-of", AS_OF, "--record", "--format", "json")
    assert "新发现 0，已解决 0，未解决 4" in err
    assert FindingRecord.objects.filter(resolved_on=None).count() == 4
    assert CheckRun.objects.count() == 2


def test_it_resolves_a_finding_once_the_data_is_fixed(world, areas):
    command("check", "--as-of", AS_OF, "--record")
    later = D + dt.timedelta(days=10)
    new = factories.party_org(
        areas["wenyilu"], covers=[world.standalone], founded_on=D + dt.timedelta(days=5)
    )
    new.committee.create(  # with a secretary, a fresh term, a venue: it raises nothing itself
        person=factories.person(), role="secretary", started_on=D + dt.timedelta(days=5)
    )
    factories.venue_kept(new)
    _, err = command("check", "--as-of", later.isoformat(), "--record")
    assert "新发现 0，已解决 1，未解决 3" in err
    record = FindingRecord.objects.get(rule="COV-STANDALONE")
    assert (record.first_seen, record.last_seen, record.resolved_on) == (D, D, later)
    assert FindingRecord.objects.filter(resolved_on=None).count() == 3
    assert open_counts([D - dt.timedelta(days=1), D, later - dt.timedelta(days=1), later]) == {
        D - dt.timedelta(days=1): 0,
        D: 4,
        later - dt.timedelta(days=1): 4,
        later: 3,
    }
    assert open_counts([D], area=areas["tianxin"]) == {D: 1}


def test_it_refuses_to_record_an_earlier_date_after_a_later_one(world, cli):
    command("check", "--as-of", AS_OF, "--record")
    before = list(FindingRecord.objects.values_list("pk", "last_seen", "resolved_on"))
    error = failing("check", "--as-of", "2024-06-14", "--record")
    assert error.returncode == 1
    assert "不能再记录更早日期" in str(error)
    assert cli("--as-of", "2024-06-01", "--record")[0] == 1
    assert list(FindingRecord.objects.values_list("pk", "last_seen", "resolved_on")) == before
    assert CheckRun.objects.count() == 1


def test_it_records_only_full_checks(world):
    assert failing("check", "--as-of", AS_OF, "--record", "--area", "430102").returncode == 2
    assert failing("check", "--as-of", AS_OF, "--record", "--rule", "ORG-TERM").returncode == 2
    assert not FindingRecord.objects.exists()


# The rule catalogue -------------------------------------------------------------------------


def test_it_lists_all_twenty_six_rules_quoting_the_policy_verbatim(areas):
    out, _ = command("rules", "--format", "json")
    data = json.loads(out)
    assert data["policy_version"] == load().version
    ids = [r["id"] for r in data["rules"]]
    assert ids == sorted(ids) == sorted(RULES)
    assert len(ids) == 26
    dynamics = {r["id"]: r for r in data["rules"]
                if r["id"] in ("DYN-INSPECTION", "DYN-WEAK-OVERDUE", "VEN-SIX")}  # fmt: skip
    assert [dynamics[r]["clause"] for r in sorted(dynamics)] == ["三.3", "三.3", "六.2"]
    assert set(dynamics["VEN-SIX"]["settings"]) == {"fix_within_days"}
    assert set(dynamics["DYN-INSPECTION"]["settings"]) == {"fix_within_days"}
    dues = {r["id"]: r for r in data["rules"] if r["id"] in ("MEM-DUES-LAPSE", "FUN-DUES-RETURN")}
    assert {r["clause"] for r in dues.values()} == {"六.1"}
    assert set(dues["MEM-DUES-LAPSE"]["settings"]) == {"dues_lapse_months"}
    dev = {r["id"]: r for r in data["rules"] if r["id"].startswith("DEV-")}
    assert {r["clause"] for r in dev.values()} == {"四.3"}
    assert set(dev["DEV-ACTIVIST-TIME"]["settings"]) == {"activist_min_months"}
    assert set(dev["DEV-PROBATION-OVERDUE"]["settings"]) == {
        "probation_months",
        "probation_grace_months",
    }
    text = policy_text()
    for entry in data["rules"]:
        assert entry["quote"] and entry["quote"] in text, entry["id"]
        assert entry["clause"] and entry["title"] and entry["action"]
        assert entry["severity"] in {"high", "medium", "low"}
        for name, setting in entry["settings"].items():
            assert setting == {
                "value": load().settings[name].shown,
                "source": load().settings[name].source,
            }


def test_it_lists_the_rules_as_text(areas):
    out, _ = command("rules")
    for rule in RULES.values():
        assert f"{rule.id}  [{rule.clause}]  {rule.title}" in out
        assert f"原文：「{rule.quote}」" in out


def test_it_finds_every_setting_of_every_rule_in_the_settings_file():
    data = tomllib.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    settings = data["settings"]
    for rule in RULES.values():
        for name in rule.settings:
            assert name in settings, (rule.id, name)
    for name, entry in settings.items():
        # An integer, a period ("quarter") or a bracket table: policy.py reads each as declared.
        assert isinstance(entry["value"], int | str | list), name
        assert entry["source"].strip(), name
    assert load().version.startswith(data["version"] + "+")
