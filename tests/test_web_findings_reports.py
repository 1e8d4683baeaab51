"""The pages of 待办问题 and 统计报表: what they show to whom, their filters, sorting and
pages, and the Excel downloads of exactly what they show."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.areas.models import AreaLevel
from dangjian.compliance.engine import evaluate, record
from dangjian.compliance.models import FindingRecord
from dangjian.compliance.rules.base import RULES
from dangjian.reports.coverage import coverage_report
from dangjian.reports.models import JointProposal
from dangjian.reports.orgbuilding import ROWS, org_building_report
from dangjian.reports.planner import plan_joint
from tests import factories
from tests.actors import build_world

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def world(areas):
    """The actors' world, plus what makes the pages worth reading in 芙蓉区: small
    organizations to join (文艺路街道 can form a group; 朝阳街街道 and 韭菜园街道 only across
    townships), organizations with no member at all (more than a page of 待办), and one
    small organization in 天心区."""
    w = build_world(areas)
    for party_org in w.party_orgs.values():  # no finding of LIFE-MEETINGS, LIFE-REVIEW
        factories.life_kept(party_org, TODAY)
    factories.venue_kept(*w.party_orgs.values())  # nor VEN-SIX
    jiucaiyuan = factories.area("430102003", "韭菜园街道", AreaLevel.TOWNSHIP, areas["furong"])
    w.areas["jiucaiyuan"] = jiucaiyuan
    small: dict[str, Any] = {}
    for name, township, formal in (
        ("文艺路甲协会", areas["wenyilu"], 1),
        ("文艺路乙协会", areas["wenyilu"], 2),
        ("文艺路丙协会", areas["wenyilu"], 1),
        ("朝阳街甲协会", areas["chaoyang"], 1),
        ("朝阳街乙协会", areas["chaoyang"], 1),
        ("韭菜园甲协会", jiucaiyuan, 1),
        ("坡子街甲协会", areas["pozi"], 1),
    ):
        org = factories.org(township, name=name, industry="trade")
        for _ in range(formal):
            factories.member(org)
        small[name] = org
    w.orgs.update(small)
    for i in range(32):
        w.orgs[f"empty{i}"] = factories.org(areas["chaoyang"], name=f"朝阳街空壳协会{i:02d}")
    record(evaluate(as_of=TODAY))
    return w


def client_for(world: Any, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def shown(response: Any) -> list[Any]:
    return [row["record"] for row in response.context["rows"]]


def workbook_rows(response: Any) -> list[tuple[Any, ...]]:
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = load_workbook(io.BytesIO(response.content))
    return list(book.worksheets[0].iter_rows(values_only=True))


# --- 待办问题 ---------------------------------------------------------------------------


def test_the_findings_page_reads_like_a_to_do_list(world):
    response = client_for(world, "furong").get("/findings/?area=430102001")
    assert response.status_code == 200
    body = response.content.decode()
    term = FindingRecord.objects.get(rule="ORG-TERM", subject_key="D-FR-1")
    # What, where, by when, why (the quote on demand), what to do.
    assert term.message in body
    assert 'href="/party-orgs/D-FR-1/"' in body
    assert "文艺路街道" in body
    assert term.due.isoformat() in body
    rule = RULES["ORG-TERM"]
    assert f"长办发〔2015〕2号 {rule.clause}</summary>" in body
    assert re.search(r"<details>\s*<summary>[^<]*</summary>\s*<blockquote", body)
    assert rule.quote in body
    assert rule.action in body
    org = world.orgs["文艺路甲协会"]
    assert f'href="/orgs/{org.uscc}/"' in body
    # Open findings of 芙蓉区 only, the most urgent first.
    response = client_for(world, "furong").get("/findings/")
    records = FindingRecord.objects.filter(area_path__startswith="/430000/430100/430102/")
    assert response.context["total"] == records.filter(resolved_on__isnull=True).count()
    dues = [r.due for r in shown(response)]
    assert dues == sorted(dues)


def test_an_overdue_finding_is_marked_in_words_not_only_in_red(world):
    term = FindingRecord.objects.get(rule="ORG-TERM", subject_key="D-FR-1")
    assert term.due is not None
    days = (TODAY - term.due).days
    assert days > 0
    body = client_for(world, "furong").get("/findings/?rule=ORG-TERM").content.decode()
    assert re.search(
        rf'<span class="overdue">{term.due.isoformat()}<br>已逾期 {days} 天</span>', body
    )
    FindingRecord.objects.filter(pk=term.pk).update(due=TODAY + dt.timedelta(days=10))
    body = client_for(world, "furong").get("/findings/?rule=ORG-TERM").content.decode()
    assert "已逾期 " not in body.split("<tbody>")[1]


def test_an_officer_of_another_district_never_sees_its_findings(world):
    client = client_for(world, "outsider")
    response = client.get("/findings/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "D-TX-1" in body and "坡子街甲协会" in body
    for secret in ("D-FR-1", "芙蓉区书法协会党支部", "文艺路甲协会", "朝阳街空壳协会"):
        assert secret not in body
    assert {r.area_path[:22] for r in shown(response)} == {"/430000/430100/430103/"}
    assert client.get("/findings/?area=430102").status_code == 404
    assert client.get("/findings/?area=430102001").status_code == 404
    assert client.get("/findings/export.xlsx?area=430102").status_code == 404
    rows = workbook_rows(client.get("/findings/export.xlsx"))
    assert len(rows) - 1 == response.context["total"]
    assert all("芙蓉" not in str(cell) for row in rows for cell in row)


def test_the_filters_narrow_the_list(world):
    client = client_for(world, "furong")
    by_rule = client.get("/findings/?rule=COV-JOINT")
    assert {r.rule for r in shown(by_rule)} == {"COV-JOINT"}
    assert by_rule.context["total"] == 6  # the six small organizations of 芙蓉区
    by_area = client.get("/findings/?area=430102002")
    assert by_area.context["total"] > 30
    assert {r.area for r in shown(by_area)} == {"430102002"}
    by_severity = client.get("/findings/?severity=low")
    assert {r.severity for r in shown(by_severity)} == {"low"}
    by_text = client.get("/findings/?q=文艺路乙")
    assert [r.subject_name for r in shown(by_text)] == ["文艺路乙协会"]
    FindingRecord.objects.filter(rule="COV-JOINT").update(due=TODAY - dt.timedelta(days=1))
    overdue = client.get("/findings/?overdue=1&area=430102001")
    assert shown(overdue) and all(r.due < TODAY for r in shown(overdue))
    assert overdue.context["total"] == overdue.context["overdue"]
    # The dashboard's links, and nonsense that filters nothing.
    assert (
        client.get("/findings/?rule=NOPE&severity=worst").context["total"]
        == (client.get("/findings/").context["total"])
    )


def test_the_list_sorts_by_due_date_severity_and_rule(world):
    client = client_for(world, "furong")
    rank = {"high": 0, "medium": 1, "low": 2}
    severities = [rank[r.severity] for r in shown(client.get("/findings/?sort=severity"))]
    assert severities == sorted(severities)
    severities = [rank[r.severity] for r in shown(client.get("/findings/?sort=-severity"))]
    assert severities == sorted(severities, reverse=True)
    dues = [r.due for r in shown(client.get("/findings/?sort=-due"))]
    assert dues == sorted(dues, reverse=True)
    rules = [r.rule for r in shown(client.get("/findings/?sort=rule"))]
    assert rules == sorted(rules)
    body = client.get("/findings/?sort=rule&rule=COV-JOINT").content.decode()
    assert 'aria-sort="ascending"' in body
    assert "?rule=COV-JOINT&amp;sort=-rule" in body  # the header turns the order round


def test_the_list_is_paged_and_every_page_costs_the_same_queries(world):
    client = client_for(world, "furong")
    first = client.get("/findings/")
    total = first.context["total"]
    assert total > 30
    assert len(shown(first)) == 30
    with CaptureQueriesContext(connection) as on_first:
        client.get("/findings/")
    with CaptureQueriesContext(connection) as on_second:
        second = client.get("/findings/?page=2")
    assert len(shown(second)) == total - 30
    assert not {r.pk for r in shown(first)} & {r.pk for r in shown(second)}
    assert "第 2 / 2 页" in second.content.decode()
    assert len(on_first) <= 12
    assert len(on_second) == len(on_first)


def test_the_export_holds_exactly_the_filtered_rows(world):
    client = client_for(world, "furong")
    response = client.get("/findings/?area=430102002&sort=due")
    rows = workbook_rows(client.get("/findings/export.xlsx?area=430102002&sort=due"))
    assert rows[0][:4] == ("规则编号", "规则", "严重程度", "问题")
    expected = list(response.context["page"].paginator.object_list)
    assert len(rows) - 1 == len(expected) == response.context["total"] > 30
    assert [(r[0], r[6], r[8]) for r in rows[1:]] == [
        (f.rule, f.subject_name, "朝阳街街道") for f in expected
    ]
    only = workbook_rows(client.get("/findings/export.xlsx?rule=ORG-TERM"))
    assert len(only) == 2 and only[1][0] == "ORG-TERM" and only[1][6] == "芙蓉区书法协会党支部"
    assert only[1][11].startswith("已逾期")
    assert only[1][12] == RULES["ORG-TERM"].clause


def test_the_empty_list_says_what_to_do(areas):
    world = build_world(areas)
    client = client_for(world, "furong")
    body = client.get("/findings/").content.decode()
    assert "暂无待办问题" in body and "dangjian check --record" in body
    record(evaluate(as_of=TODAY))
    body = client.get("/findings/?rule=COV-STANDALONE").content.decode()
    assert "暂无待办问题" in body and "dangjian check --record" not in body
    assert "清除筛选" in body


def test_a_secretary_sees_the_findings_of_their_party_organization_only(world):
    response = client_for(world, "secretary").get("/findings/")
    assert {(r.rule, r.subject_key) for r in shown(response)} == {("ORG-TERM", "D-FR-1")}


# --- 覆盖情况 ---------------------------------------------------------------------------


def test_the_coverage_report_shows_the_townships_of_the_district(world):
    response = client_for(world, "furong").get("/reports/coverage/")
    assert response.status_code == 200
    body = response.content.decode()
    report = coverage_report(as_of=TODAY, area=world.areas["furong"])
    rows = {r["area"]: r for r in report["rows"]}
    assert [item["row"]["area"] for item in response.context["table"]] == [
        "430102001",
        "430102002",
        "430102003",
    ]
    assert response.context["top"] == rows["430102"]
    wenyilu = rows["430102001"]
    assert f'href="/orgs/?area=430102001&amp;status=active">{wenyilu["orgs_active"]}</a>' in body
    assert "coverage=uncovered_formal" in body and "coverage=none" in body
    rate = wenyilu["org_coverage_rate"]
    assert f"{rate * 100:.1f}%" in body
    assert "芙蓉区合计" in body
    # The bar chart of the townships by rate, as a data block the page's script draws.
    assert 'data-source="coverage-chart"' in body
    assert '<script id="coverage-chart" type="application/json">' in body
    chart = response.context["chart"]
    assert chart["series"][0]["data"] == sorted(chart["series"][0]["data"], reverse=True)
    assert "天心区" not in body and "坡子街街道" not in body


def test_the_city_officer_drills_down_from_districts_to_townships(world):
    client = client_for(world, "city")
    response = client.get("/reports/coverage/")
    assert [item["row"]["name"] for item in response.context["table"]] == ["芙蓉区", "天心区"]
    body = response.content.decode()
    assert 'href="/reports/coverage/?area=430102&amp;as_of=' in body
    drilled = client.get("/reports/coverage/?area=430102")
    assert [item["row"]["name"] for item in drilled.context["table"]] == [
        "文艺路街道",
        "朝阳街街道",
        "韭菜园街道",
    ]
    crumbs = [c["label"] for c in drilled.context["breadcrumbs"]]
    assert crumbs[-2:] == ["覆盖情况", "芙蓉区"]


def test_a_null_rate_shows_a_dash_and_a_past_date_links_to_the_lists_of_that_date(world):
    dingwangtai = factories.area(
        "430102004", "定王台街道", AreaLevel.TOWNSHIP, world.areas["furong"]
    )
    factories.org(dingwangtai, name="定王台无党员协会")
    client = client_for(world, "furong")
    response = client.get("/reports/coverage/")
    [row] = [i for i in response.context["table"] if i["row"]["name"] == "定王台街道"]
    assert row["row"]["org_coverage_rate"] is None
    body = response.content.decode()
    cells = re.search(r"定王台街道</th>(.*?)</tr>", body, re.S)
    assert cells and ">—<" in cells.group(1)
    assert "没有有正式党员的社会组织" in body and "定王台街道" in body.split("chart-table")[-1]
    past = client.get("/reports/coverage/?as_of=2016-06-01").content.decode()
    # Every figure of a past date leads to the list of that date (issue 12 item 13).
    links = re.findall(r'href="(/(?:orgs|party-orgs|people)/\?[^"]*)"', past.split("<tbody>")[1])
    assert links and all("as_of=2016-06-01" in link for link in links)
    assert (
        "没有正常登记的社会组织"
        in client.get("/reports/coverage/?as_of=2014-06-01").content.decode()
    )


def test_another_district_cannot_see_the_coverage_of_furong(world):
    client = client_for(world, "outsider")
    body = client.get("/reports/coverage/").content.decode()
    assert "文艺路街道" not in body and "坡子街街道" in body
    for url in (
        "/reports/coverage/?area=430102",
        "/reports/coverage.xlsx?area=430102",
        "/reports/org-building/?area=430102",
        "/reports/org-building.xlsx?area=430102",
        "/reports/joint/?area=430102",
        "/reports/joint.xlsx?area=430102",
        "/reports/joint/?township=430102001",
    ):
        assert client.get(url).status_code == 404, url


def test_the_coverage_download_is_the_report(world):
    response = client_for(world, "furong").get("/reports/coverage.xlsx")
    rows = workbook_rows(response)
    report = coverage_report(as_of=TODAY, area=world.areas["furong"])
    assert TODAY.isoformat() in rows[0][0]
    body = rows[2:]
    assert [r[0] for r in body] == [r["area"] for r in report["rows"]]
    assert [r[3] for r in body] == [r["orgs_active"] for r in report["rows"]]
    assert [r[9] for r in body] == [r["org_coverage_rate"] for r in report["rows"]]


# --- 建立党组织情况表 -------------------------------------------------------------------


def test_the_official_table_is_laid_out_as_on_paper(world):
    response = client_for(world, "furong").get("/reports/org-building/")
    body = response.content.decode()
    assert "芙蓉区社会组织法人单位建立党的基层组织情况" in body
    assert f"统计截至：{TODAY.year}年{TODAY.month}月{TODAY.day}日" in body
    assert re.search(r'<th scope="col" colspan="2" rowspan="2"[^>]*>项目</th>', body)
    assert re.search(r'<th scope="colgroup" colspan="4">社会组织法人单位（个）</th>', body)
    for label, span in (
        ("已单独建立党组织", 3),
        ("联合建立", 3),
        ("未建立党组织", 4),
        ("补充情况", 4),
    ):
        assert re.search(rf'rowspan="{span}"[^>]*>{label}</th>', body), label
    assert re.search(r'<th scope="row" colspan="2"[^>]*>单位数</th>', body)
    report = org_building_report(as_of=TODAY, area=world.areas["furong"])
    for key, _label, _indent in ROWS:
        row = re.search(rf'<tr class="row-{key}">(.*?)</tr>', body, re.S)
        assert row, key
        cells = re.findall(r'<td class="num">(?:<a [^>]*>)?(\d+)', row.group(1))
        assert [int(c) for c in cells] == report["rows"][key], key
    assert report["rows"]["units"][0] == 2 + 6 + 32  # the world's two and the fixture's
    assert "天心区" not in body.split("paper-title")[1]


def test_the_official_table_downloads_as_its_workbook(world):
    response = client_for(world, "city").get("/reports/org-building.xlsx?area=430102")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert "A3:B4" in {str(r) for r in sheet.merged_cells.ranges}
    assert "芙蓉区" in sheet["A2"].value
    report = org_building_report(as_of=TODAY, area=world.areas["furong"])
    for index, (key, _label, _indent) in enumerate(ROWS):
        values = [sheet.cell(row=5 + index, column=c).value for c in range(3, 7)]
        assert values == report["rows"][key], key


# --- 联合党组织方案 ---------------------------------------------------------------------


def test_the_joint_plan_is_shown_per_township(world):
    client = client_for(world, "furong")
    response = client.get("/reports/joint/")
    assert response.status_code == 200
    towns = {t["code"]: t for t in response.context["townships"]}
    assert set(towns) == {"430102001", "430102002", "430102003"}
    assert towns["430102001"]["bound"] == 1 and towns["430102001"]["groups"] == 1
    assert towns["430102002"]["bound"] == 0
    detail = client.get("/reports/joint/?township=430102001")
    selected = detail.context["selected"]
    assert selected["name"] == "文艺路街道"
    [group] = selected["group_views"]
    assert {o["name"] for o in group["orgs"]} == {"文艺路甲协会", "文艺路乙协会", "文艺路丙协会"}
    assert group["same"] and group["industry"] == "行业协会商会"
    body = detail.content.decode()
    assert f'href="/orgs/{world.orgs["文艺路乙协会"].uscc}/"' in body
    # 朝阳街街道 and 韭菜园街道 cannot reach 3 alone: joined across townships, with the why.
    cross = client.get("/reports/joint/?township=430102002")
    selected = cross.context["selected"]
    assert not selected["group_views"]
    assert {o["name"] for o in selected["leftover_views"]} == {"朝阳街甲协会", "朝阳街乙协会"}
    assert all("不足3名" in o["why"] and o["placed_in"] for o in selected["leftover_views"])
    assert selected["cross_views"] and all(g["cross"] for g in selected["cross_views"])
    assert "跨乡镇(街道)" in cross.content.decode()
    plan = plan_joint(as_of=TODAY, area=world.areas["furong"])
    assert response.context["summary"]["groups"] == len(plan.groups)
    assert client.get("/reports/joint/?township=430102999").status_code == 404


def test_the_joint_plan_downloads_and_is_saved(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["furong"])
    page = client.get("/reports/joint/?township=430102001")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token
    save_url = page.context["save_url"]
    assert client.post(save_url).status_code == 403  # no CSRF token, nothing saved
    assert not JointProposal.objects.exists()
    response = client.post(save_url, {"csrfmiddlewaretoken": token.group(1)}, follow=True)
    proposal = JointProposal.objects.get()
    assert proposal.user == world.users["furong"] and proposal.area == "430102"
    plan = plan_joint(as_of=TODAY, area=world.areas["furong"])
    assert proposal.plan["groups"] == plan.as_dict()["groups"]
    body = response.content.decode()
    assert f"方案已保存：方案#{proposal.pk}" in body
    assert response.context["selected"]["code"] == "430102001"
    assert client.get("/reports/joint/save/").status_code == 405
    rows = workbook_rows(client.get("/reports/joint.xlsx"))
    assert len(rows) - 2 == sum(len(g.orgs) for g in plan.groups)
    assert {r[6] for r in rows[2:]} >= {"文艺路甲协会", "朝阳街甲协会", "韭菜园甲协会"}
    assert all("坡子街" not in str(r[6]) for r in rows[2:])


def test_an_outsider_cannot_save_a_plan_of_furong(world):
    client = client_for(world, "outsider")
    assert client.post("/reports/joint/save/?area=430102").status_code == 404
    assert not JointProposal.objects.exists()


def test_a_registry_reports_on_its_own_organizations(world):
    client = client_for(world, "registry")
    response = client.get("/reports/org-building/")
    assert response.status_code == 200
    # The area select's first option: the whole jurisdiction, selected.
    assert response.context["area_options"].startswith(
        '<option value="" selected>本人管辖范围</option>'
    )
    report = org_building_report(as_of=TODAY, user=world.users["registry"])
    assert response.context["report"]["rows"] == report["rows"]
    # Every organization of 芙蓉区 but the school, which its supervisor registered.
    assert report["rows"]["units"][0] == 1 + 6 + 32
    assert client.get("/reports/joint/").status_code == 200
    assert client.get("/reports/coverage/").status_code == 200
