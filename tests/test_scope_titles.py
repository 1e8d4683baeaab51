"""Titles say whose figures they are (issue 12, item 14): an area's name for an area officer
and for the system, the organizations of a unit, a Party organization or an instructor for
the others — on the dashboard, the report pages, and the reports' workbooks and JSON. And
the official table says under it where its kind columns add up to more than the total
(item 15)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from dangjian.accounts.jurisdiction import scope_label
from dangjian.orgs.models import RegistrationMode
from dangjian.reports.orgbuilding import org_building_report
from tests import factories
from tests.actors import World, build_world

pytestmark = pytest.mark.django_db

AS_OF = "2026-06-30"
DATE = dt.date.fromisoformat(AS_OF)

# What each actor's figures are of (tests/actors.py).
SCOPES = {
    "city": ("长沙市", True),
    "furong": ("芙蓉区", True),
    "wenyilu": ("文艺路街道", True),
    "registry": ("芙蓉区民政局直接登记的社会组织", False),
    "supervisor": ("长沙市教育局主管的社会组织", False),
    "secretary": ("芙蓉区书法协会党支部覆盖的社会组织", False),
    "instructor": ("指导员甲（党建工作指导员）联系的社会组织", False),
}
# The dashboard's heading for each.
DASHBOARD_TITLES = {
    "city": "长沙市社会组织党建概况",
    "furong": "芙蓉区社会组织党建概况",
    "wenyilu": "文艺路街道社会组织党建概况",
    "registry": "芙蓉区民政局直接登记的社会组织党建概况",
    "supervisor": "长沙市教育局主管的社会组织党建概况",
    "secretary": "芙蓉区书法协会党支部覆盖的社会组织党建概况",
    "instructor": "指导员甲（党建工作指导员）联系的社会组织党建概况",
}
# The note under the official table (item 15): the rows counted by Party organization or by
# person, where one counted under two kinds makes the kind columns add up to more.
OVERCOUNT = "三个类型栏之和可能大于总数"


@pytest.fixture
def world(areas: dict[str, Any]) -> World:
    w = build_world(areas)
    # A second organization registered directly by 芙蓉区民政局, in another township: the
    # registry's organizations then span 文艺路街道 and 朝阳街街道.
    w.orgs["fr_direct"] = factories.org(
        areas["chaoyang"],
        name="芙蓉区朝阳街书画协会",
        registry=w.orgs["fr_assoc"].registry,
        registration_mode=RegistrationMode.DIRECT,
    )
    return w


def client_for(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def h1(body: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)
    assert found, body[:500]
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def text_of(body: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</', body, re.S)
    assert found, element_id
    return found.group(1).strip()


def test_each_role_names_the_scope_it_counts(world):
    for name, (label, is_area) in SCOPES.items():
        scope = scope_label(world.users[name])
        assert (scope.name, scope.area) == (label, is_area), name
    # The system (a command without --user) and the operator: the top area the
    # organizations actually lie in (芙蓉区 and 天心区: 长沙市), not "全部".
    assert (scope_label(None).name, scope_label(None).area) == ("长沙市", True)
    operator = factories.user("operator", is_superuser=True, is_staff=True)
    assert scope_label(operator).name == "长沙市"


def test_an_area_asked_for_names_the_area(world, areas):
    assert scope_label(None, areas["furong"]).name == "芙蓉区"
    assert scope_label(world.users["city"], areas["wenyilu"]).name == "文艺路街道"
    registry = world.users["registry"]
    # An area holding all of the registry's organizations cuts nothing.
    assert scope_label(registry, areas["furong"]).name == "芙蓉区民政局直接登记的社会组织"
    # One township of the two: that township's share of them.
    scope = scope_label(registry, areas["wenyilu"])
    assert (scope.name, scope.area) == ("芙蓉区民政局直接登记的文艺路街道社会组织", False)
    assert scope.title("社会组织党建概况") == "芙蓉区民政局直接登记的文艺路街道社会组织党建概况"


def test_each_roles_dashboard_is_titled_with_its_scope(world):
    for name, title in DASHBOARD_TITLES.items():
        response = client_for(world, name).get("/")
        assert response.status_code == 200, name
        assert h1(response.content.decode()) == title, name


def test_each_roles_reports_are_titled_with_their_scope(world):
    for name, (label, is_area) in SCOPES.items():
        client = client_for(world, name)
        merged = label.removesuffix("社会组织")  # 长沙市教育局主管的 + 社会组织…
        body = client.get("/reports/org-building/").content.decode()
        assert text_of(body, "paper-title") == f"{merged}社会组织法人单位建立党的基层组织情况"
        line = f"填报区划：{label}" if is_area else f"统计范围：{label}"
        assert line in body, name
        body = client.get("/reports/coverage/").content.decode()
        assert h1(body) == f"{merged}社会组织党建覆盖情况", name
        body = client.get("/reports/joint/").content.decode()
        expected = f"{label}联合党组织组建方案"
        assert h1(body) == expected, name
        response = client.get("/reports/joint.xlsx")
        sheet = load_workbook(io.BytesIO(response.content))["方案"]
        assert str(sheet["A1"].value).startswith(f"{expected}（数据截至 "), name


def test_the_official_workbook_names_the_scope_it_counts(world, tmp_path):
    # The command without --area (the system): the city, not "全部".
    path = tmp_path / "org-building.xlsx"
    call_command(
        "report", "org-building", "--format", "xlsx", "-o", str(path), "--as-of", AS_OF
    )  # fmt: skip
    sheet = load_workbook(path).active
    assert sheet["A2"].value == f"填报区划：长沙市    统计截至：{AS_OF}"
    plan = tmp_path / "plan.xlsx"
    call_command("plan", "joint", "--format", "xlsx", "-o", str(plan), "--as-of", AS_OF)
    title = load_workbook(plan)["方案"]["A1"].value
    assert title == f"长沙市联合党组织组建方案（数据截至 {AS_OF}）"
    out = io.StringIO()
    call_command("report", "org-building", "--format", "json", "--as-of", AS_OF, stdout=out)
    report = json.loads(out.getvalue())
    assert (report["area"], report["area_name"]) == (None, "长沙市")
    assert report["title"] == "长沙市社会组织法人单位建立党的基层组织情况"
    # For the supervisory unit: its organizations, whatever area they lie in.
    call_command(
        "report", "org-building", "--format", "xlsx", "-o", str(path), "--as-of", AS_OF,
        "--user", "supervisor",
    )  # fmt: skip
    sheet = load_workbook(path).active
    assert sheet["A2"].value == f"统计范围：长沙市教育局主管的社会组织    统计截至：{AS_OF}"
    # The page's download says the same.
    response = client_for(world, "supervisor").get(f"/reports/org-building.xlsx?as_of={AS_OF}")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["A2"].value == f"统计范围：长沙市教育局主管的社会组织    统计截至：{AS_OF}"
    assert "长沙市教育局主管的社会组织" in unquote(response["Content-Disposition"])
    # The coverage workbook's title too.
    path = tmp_path / "coverage.xlsx"
    call_command(
        "report", "coverage", "--format", "xlsx", "-o", str(path), "--as-of", AS_OF,
        "--user", "secretary",
    )  # fmt: skip
    sheet = load_workbook(path).active
    assert sheet["A1"].value == f"芙蓉区书法协会党支部覆盖的社会组织党建覆盖情况（截至 {AS_OF}）"
    assert org_building_report(as_of=DATE, user=world.users["instructor"])["area_name"] == (
        "指导员甲（党建工作指导员）联系的社会组织"
    )


def test_the_official_table_says_its_kind_columns_may_add_up_to_more(world, tmp_path):
    body = client_for(world, "city").get("/reports/org-building/").content.decode()
    note = body.split("paper-table", 1)[1]
    assert OVERCOUNT in note
    assert "联合党支部数" in note.split(OVERCOUNT)[0].rsplit("<p", 1)[-1]
    path = tmp_path / "org-building.xlsx"
    call_command(
        "report", "org-building", "--format", "xlsx", "-o", str(path), "--as-of", AS_OF
    )  # fmt: skip
    sheet = load_workbook(path).active
    notes = [
        cell.value
        for row in sheet.iter_rows(min_row=20)
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert any(OVERCOUNT in n and "联合党支部数" in n and "党建工作指导员" in n for n in notes)
