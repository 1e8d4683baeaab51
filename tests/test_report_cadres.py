"""书记与党务干部 (`reports.cadres`, `/reports/cadres/`): 负责人兼任书记 and 双向进入、交叉任职
per area, each figure linking to its rows, the Excel downloads, the jurisdiction, and a
constant number of queries."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.accounts.models import Role
from dangjian.areas.models import AreaLevel
from dangjian.partyorgs.models import PartyOrgForm, SecretarySource
from dangjian.people.models import Position
from dangjian.reports.cadres import cadres_report
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date(2025, 6, 30)
DAY = dt.timedelta(days=1)


def employ(who: Any, where: Any, position: str, ended_on: dt.date | None = None) -> None:
    job = factories.employ(who, where, ended_on=ended_on)
    job.position = position
    job.save()


def secretary(of: Any, name: str, *, source: str = "", **fields: Any) -> Any:
    office = factories.office(of, factories.person(name), **fields)
    office.source = source
    office.full_clean()
    office.save()
    return office.person


@pytest.fixture
def data(areas: dict[str, Any]) -> dict[str, Any]:
    wenyilu, chaoyang, pozi = areas["wenyilu"], areas["chaoyang"], areas["pozi"]
    o = {
        k: factories.org(t, name=f"{k}协会")
        for k, t in (
            ("甲", wenyilu),
            ("乙", wenyilu),
            ("丙", wenyilu),
            ("丁", chaoyang),
            ("戊", chaoyang),
            ("己", chaoyang),
            ("庚", pozi),
            ("辛", pozi),
            ("壬", chaoyang),
        )
    }
    po = {
        1: factories.party_org(wenyilu, covers=[o["甲"]], name="甲协会党支部"),
        2: factories.party_org(
            wenyilu, form=PartyOrgForm.JOINT, covers=[o["乙"], o["丙"]], name="乙丙联合党支部"
        ),
        3: factories.party_org(chaoyang, covers=[o["丁"]], name="丁协会党支部"),
        4: factories.party_org(chaoyang, covers=[o["己"]], name="己协会党支部"),
        # Dissolved before D and of a form not counted: neither is in the report.
        5: factories.party_org(
            chaoyang,
            covers=[o["壬"]],
            name="壬协会党支部",
            status="dissolved",
            dissolved_on=D - 10 * DAY,
        ),
        6: factories.party_org(
            chaoyang, form=PartyOrgForm.INDUSTRY, covers=[o["壬"]], name="行业党委"
        ),
        7: factories.party_org(pozi, covers=[o["庚"]], name="庚协会党支部"),
        8: factories.party_org(pozi, covers=[o["辛"]], name="辛协会党支部"),
    }
    p: dict[str, Any] = {}
    # 1: leads the organization covered, source recorded: leader, source, cross.
    p["s1"] = secretary(po[1], "书记一", source=SecretarySource.LEADER)
    employ(p["s1"], o["甲"], Position.LEADER)
    # 2: the secretary's leadership ends on D (no longer holds); a 委员 is 管理层: cross only.
    p["s2"] = secretary(po[2], "书记二")
    employ(p["s2"], o["乙"], Position.LEADER, ended_on=D)
    p["m2"] = factories.office(po[2], factories.person("委员二"), role="member").person
    employ(p["m2"], o["丙"], Position.MANAGER)
    # 3: leads an organization its Party organization does not cover: source only.
    p["s3"] = secretary(po[3], "书记三", source=SecretarySource.LEADER)
    employ(p["s3"], o["戊"], Position.LEADER)
    # 4: the leadership ends the day after D: still holds on D.
    p["s4"] = secretary(po[4], "书记四")
    employ(p["s4"], o["己"], Position.LEADER, ended_on=D + DAY)
    # A former secretary of 4, office ended on D: not counted.
    old = secretary(po[4], "前任书记", ended_on=D)
    employ(old, o["己"], Position.LEADER)
    # Not counted Party organizations.
    for n in (5, 6):
        s = secretary(po[n], f"不计书记{n}", started_on=dt.date(2016, 1, 1))
        employ(s, o["壬"], Position.LEADER)
    # 7 (天心区): the secretary leads it; a 副书记 is staff.
    p["s7"] = secretary(po[7], "书记七")
    employ(p["s7"], o["庚"], Position.LEADER)
    deputy = factories.office(po[7], factories.person("副书记七"), role="deputy").person
    employ(deputy, o["庚"], Position.STAFF)
    # 8: no secretary, an ordinary employee as 委员.
    staff = factories.office(po[8], factories.person("委员八"), role="member").person
    employ(staff, o["辛"], Position.STAFF)
    users = {
        "city": factories.user("city", role=Role.CITY, area=areas["city"]),
        "furong": factories.user("furong", role=Role.DISTRICT, area=areas["furong"]),
        "tianxin": factories.user("tianxin", role=Role.DISTRICT, area=areas["tianxin"]),
    }
    return {"areas": areas, "orgs": o, "po": po, "people": p, "users": users}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


FIGS = ["party_orgs", "secretaries", "leader", "source", "cross"]


def figures(row: dict[str, Any]) -> tuple[Any, ...]:
    return (*(row[k] for k in FIGS), row["leader_rate"], row["cross_rate"])


def test_counts_and_shares_per_area_and_total(data: dict[str, Any]) -> None:
    report = cadres_report(user=data["users"]["city"], area=data["areas"]["city"], as_of=D)
    by_name = {r["name"]: figures(r) for r in report["rows"]}
    assert by_name == {
        "芙蓉区": (4, 4, 2, 2, 3, 0.5, 0.75),
        "天心区": (2, 1, 1, 0, 1, 1.0, 0.5),
    }
    assert figures(report["total"]) == (6, 5, 3, 2, 4, 0.6, 0.6667)
    # A district's townships.
    furong = cadres_report(user=data["users"]["city"], area=data["areas"]["furong"], as_of=D)
    assert {r["name"]: figures(r) for r in furong["rows"]} == {
        "文艺路街道": (2, 2, 1, 1, 2, 0.5, 1.0),
        "朝阳街街道": (2, 2, 1, 1, 1, 0.5, 0.5),
    }
    assert figures(furong["total"]) == (4, 4, 2, 2, 3, 0.5, 0.75)


def test_employment_ending_on_the_date(data: dict[str, Any]) -> None:
    """书记二's leadership ends on D: counted the day before, not on D; 书记四's ends on D+1:
    counted on D, not the day after (the day before, 前任书记's office, ended on D, counts
    too)."""
    city = data["users"]["city"]

    def leaders(on: dt.date) -> dict[str, int]:
        report = cadres_report(user=city, area=data["areas"]["furong"], as_of=on)
        return {r["name"]: r["leader"] for r in report["rows"]}

    assert leaders(D - DAY) == {"文艺路街道": 2, "朝阳街街道": 2}
    assert leaders(D) == {"文艺路街道": 1, "朝阳街街道": 1}
    assert leaders(D + DAY) == {"文艺路街道": 1, "朝阳街街道": 0}


def rows_page(client: Client, url: str) -> list[dict[str, Any]]:
    response = client.get(url)
    assert response.status_code == 200
    return response.context["found"]


def test_each_figure_links_to_exactly_its_rows(data: dict[str, Any]) -> None:
    client = client_for(data["users"]["city"])
    response = client.get(reverse("web:report_cadres"), {"as_of": D.isoformat()})
    assert response.status_code == 200
    body = response.content.decode()
    items = [*response.context["table"], {"cells": response.context["total_cells"]}]
    checked = 0
    for item in items:
        for cell in item["cells"]:
            assert f'href="{cell["url"]}"'.replace("&", "&amp;") in body
            found = rows_page(client, cell["url"])
            if isinstance(cell["value"], int):
                assert len(found) == cell["value"], cell
                checked += 1
    assert checked == 3 * 5
    furong = data["areas"]["furong"].code
    base = reverse("web:report_cadres_rows")

    def names(figure: str, area: str = furong) -> set[str]:
        found = rows_page(client, f"{base}?area={area}&as_of={D}&figure={figure}")
        return {r.get("name") or r["party_org_name"] for r in found}

    assert names("leader") == {"书记一", "书记四"}
    assert names("source") == {"书记一", "书记三"}
    assert names("secretaries") == {"书记一", "书记二", "书记三", "书记四"}
    assert names("cross") == {"甲协会党支部", "乙丙联合党支部", "己协会党支部"}
    assert names("party_orgs") == {"甲协会党支部", "乙丙联合党支部", "丁协会党支部", "己协会党支部"}
    leader_rows = rows_page(client, f"{base}?area={furong}&as_of={D}&figure=leader")
    first = next(r for r in leader_rows if r["name"] == "书记一")
    assert first["orgs"] == "甲协会（负责人）"
    assert "*" in first["id_masked"]
    assert first["id_masked"] != data["people"]["s1"].id_number
    page = client.get(f"{base}?area={furong}&as_of={D}&figure=leader").content.decode()
    assert reverse("web:party_org", kwargs={"code": data["po"][1].code}) in page
    assert data["people"]["s1"].id_number not in page
    cross = rows_page(client, f"{base}?area={furong}&as_of={D}&figure=cross")
    po2 = next(r for r in cross if r["party_org_name"] == "乙丙联合党支部")
    assert po2["holders"] == "委员二（委员，丙协会管理层）"
    assert client.get(f"{base}?area={furong}&as_of={D}&figure=nope").status_code == 404


def xlsx_rows(response: Any) -> list[list[Any]]:
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_xlsx_equals_the_table(data: dict[str, Any]) -> None:
    client = client_for(data["users"]["city"])
    params = {"as_of": D.isoformat()}
    page = client.get(reverse("web:report_cadres"), params)
    rows = xlsx_rows(client.get(reverse("web:report_cadres_xlsx"), params))
    assert rows[1] == ["区划", *page.context["headers"]]
    shown = [[i["row"]["name"], *(c["value"] for c in i["cells"])] for i in page.context["table"]]
    shown.append(["合计", *(c["value"] for c in page.context["total_cells"])])
    assert rows[2:] == shown
    assert shown[-1] == ["合计", 6, 5, 3, "60.0%", 2, 4, "66.7%"]
    # The rows' workbook is the rows page's list.
    q = {"area": data["areas"]["furong"].code, "as_of": D.isoformat(), "figure": "leader"}
    found = rows_page(
        client,
        f"{reverse('web:report_cadres_rows')}?area={q['area']}&as_of={q['as_of']}&figure=leader",
    )
    sheet = xlsx_rows(client.get(reverse("web:report_cadres_rows_xlsx"), q))
    assert sheet[1][0] == "姓名"
    assert [r[0] for r in sheet[2:]] == [r["name"] for r in found]
    assert [r[1] for r in sheet[2:]] == [r["id_masked"] for r in found]


def test_another_district_sees_neither_rows_nor_people(data: dict[str, Any]) -> None:
    client = client_for(data["users"]["tianxin"])
    furong = data["areas"]["furong"].code
    assert client.get(reverse("web:report_cadres"), {"area": furong}).status_code == 404
    assert client.get(reverse("web:report_cadres_xlsx"), {"area": furong}).status_code == 404
    for figure in FIGS:
        url = reverse("web:report_cadres_rows")
        assert client.get(url, {"area": furong, "figure": figure}).status_code == 404
        found = rows_page(client, f"{url}?as_of={D}&figure={figure}")
        text = repr(found)
        for name in ("书记一", "书记二", "书记三", "书记四", "甲协会", "乙丙联合"):
            assert name not in text
    page = client.get(reverse("web:report_cadres"), {"as_of": D.isoformat()})
    assert [i["row"]["name"] for i in page.context["table"]] == ["坡子街街道"]
    assert [c["value"] for c in page.context["total_cells"]] == [2, 1, 1, "100.0%", 0, 1, "50.0%"]


def test_menu_links_to_the_report(data: dict[str, Any]) -> None:
    page = client_for(data["users"]["furong"]).get(reverse("web:report_cadres"))
    assert page.status_code == 200
    assert f'href="{reverse("web:report_cadres")}"' in page.content.decode()


def _add_cluster(district: Any, n: int) -> None:
    township = factories.area(
        f"{district.code}{900 + n}", f"新增街道{n}", AreaLevel.TOWNSHIP, district
    )
    a, b = factories.org(township), factories.org(township)
    po = factories.party_org(township, covers=[a, b])
    s = secretary(po, f"新增书记{n}", source=SecretarySource.LEADER)
    employ(s, a, Position.LEADER)
    m = factories.office(po, factories.person(f"新增委员{n}"), role="member").person
    employ(m, b, Position.MANAGER)


def test_constant_number_of_queries(data: dict[str, Any]) -> None:
    client = client_for(data["users"]["city"])
    urls = [
        f"{reverse('web:report_cadres')}?as_of={D}",
        f"{reverse('web:report_cadres')}?area={data['areas']['furong'].code}&as_of={D}",
        *(f"{reverse('web:report_cadres_rows')}?as_of={D}&figure={f}" for f in FIGS),
    ]

    def counts() -> list[int]:
        out = []
        for url in urls:
            client.get(url)  # warm the caches (the jurisdiction's area, the frame)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    before = counts()
    for n in range(6):  # 1× → 4×: two Party organizations per district per step
        _add_cluster(data["areas"]["furong"] if n % 2 else data["areas"]["tianxin"], n)
        _add_cluster(data["areas"]["furong"] if n % 2 == 0 else data["areas"]["tianxin"], n + 10)
    report = cadres_report(user=data["users"]["city"], area=data["areas"]["city"], as_of=D)
    assert report["total"]["party_orgs"] == 6 + 12
    assert counts() == before
