"""The organization and Party-organization pages: lists (filters, sorting, pages, the HTMX
table region, Excel export), the pages of one object, and the jurisdiction gate on both."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.accounts.models import Role
from dangjian.areas.models import AreaLevel
from dangjian.compliance.rules.base import RULES
from dangjian.orgs.models import OrgStatus
from dangjian.partyorgs.models import PartyOrgForm, PartyOrgLevel
from tests import factories
from tests.actors import build_world

pytestmark = pytest.mark.django_db

MISSING_USCC = "51430102MJJ0000000"


@pytest.fixture
def world(areas):
    w = build_world(areas)
    # One formal member and no Party organization nor instructor: 有正式党员未覆盖, 无覆盖.
    w.orgs["fr_few"] = factories.org_with_members(
        areas["wenyilu"], formal=1, name="芙蓉区少数党员协会"
    )
    # Covered by a joint Party organization.
    w.orgs["fr_joint"] = factories.org_with_members(
        areas["chaoyang"], formal=1, name="芙蓉区联合覆盖促进会", industry="science"
    )
    w.party_orgs["joint"] = factories.party_org(
        areas["chaoyang"],
        form=PartyOrgForm.JOINT,
        code="D-FR-J",
        name="朝阳街街道社会组织联合党支部",
        covers=[w.orgs["fr_joint"]],
    )
    # Deregistered and uncovered: in no coverage state of the active organizations.
    w.orgs["fr_gone"] = factories.org(
        areas["wenyilu"],
        name="芙蓉区已注销研究会",
        status=OrgStatus.DEREGISTERED,
        status_changed_on=dt.date(2020, 5, 1),
    )
    return w


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def furong(world) -> Client:
    return client_for(world.users["furong"])


def usccs(response) -> list[str]:
    assert response.status_code == 200
    return [row["org"].uscc for row in response.context["rows"]]


def codes(response) -> list[str]:
    assert response.status_code == 200
    return [row["party_org"].code for row in response.context["rows"]]


def workbook_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


# --- organization list ----------------------------------------------------------------------


def test_it_lists_the_organizations_of_the_jurisdiction_only(world, furong):
    response = furong.get("/orgs/")
    page = response.content.decode()
    assert set(usccs(response)) == {
        world.orgs[k].uscc for k in ("fr_assoc", "fr_school", "fr_few", "fr_joint", "fr_gone")
    }
    assert "天心区助学基金会" not in page
    assert "共 5 个社会组织" in page
    # Labels of choices, the covering Party organization linked, the 操作 column.
    assert "社会服务机构" in page and "注销" in page
    assert 'href="/party-orgs/D-FR-1/"' in page
    assert f'href="/orgs/{world.orgs["fr_assoc"].uscc}/"' in page
    assert "导出Excel" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "service_agency"}, {"fr_school"}),
        ({"kind": "association"}, {"fr_assoc", "fr_few", "fr_joint", "fr_gone"}),
        ({"status": "deregistered"}, {"fr_gone"}),
        ({"industry": "science"}, {"fr_joint"}),
        ({"coverage": "standalone"}, {"fr_assoc"}),
        ({"coverage": "joint"}, {"fr_joint"}),
        ({"coverage": "functional"}, set()),
        ({"coverage": "uncovered"}, {"fr_school", "fr_few"}),
        ({"coverage": "uncovered_formal"}, {"fr_few"}),
        ({"coverage": "none"}, {"fr_few"}),  # fr_school has an instructor
        ({"q": "书法"}, {"fr_assoc"}),
        ({"area": "430102001"}, {"fr_assoc", "fr_few", "fr_gone"}),
        ({"area": "430102002"}, {"fr_school", "fr_joint"}),
        ({"area": "430102002", "coverage": "uncovered"}, {"fr_school"}),
        ({"party_org": "D-FR-J"}, {"fr_joint"}),
        ({"kind": "bogus", "coverage": "bogus"}, None),  # unknown values: no filter
    ],
)
def test_it_filters_organizations(world, furong, query, expected):
    got = set(usccs(furong.get("/orgs/", query)))
    if expected is None:
        expected = {"fr_assoc", "fr_school", "fr_few", "fr_joint", "fr_gone"}
    assert got == {world.orgs[k].uscc for k in expected}


def test_a_community_area_gives_the_organizations_registered_in_it(world, furong, areas):
    org = factories.org(areas["wenyilu"], name="识字里社区志愿者协会", community=areas["community"])
    assert usccs(furong.get("/orgs/", {"area": "430102001001"})) == [org.uscc]


def test_odd_input_never_fails(world, furong):
    for url in (
        "/orgs/?page=abc&sort=&kind=nonsense",
        "/orgs/?page=-1&q=" + "长" * 300,
        "/party-orgs/?page=99999999999999999999&status=x",
        "/orgs/export.xlsx?sort=-nope",
    ):
        assert furong.get(url).status_code == 200, url
    for url in ("/orgs/abc/", "/orgs/%E4%B8%AD/", "/party-orgs/%20/", "/orgs/?area=abc"):
        assert furong.get(url).status_code == 404, url
    # A NUL character is refused alike on every database (PostgreSQL cannot store one):
    # a Chinese 400 page (tests/test_http_nul.py).
    response = furong.get("/orgs/?page=abc&sort=&kind=%00")
    assert response.status_code == 400 and "空字符" in response.content.decode()


def test_it_finds_an_organization_by_part_of_its_code(world, furong):
    uscc = world.orgs["fr_school"].uscc
    assert usccs(furong.get("/orgs/", {"q": uscc[-6:].lower()})) == [uscc]
    assert usccs(furong.get("/orgs/", {"q": uscc})) == [uscc]


def test_an_area_outside_the_jurisdiction_is_not_found(world, furong):
    assert furong.get("/orgs/", {"area": "430103"}).status_code == 404
    assert furong.get("/party-orgs/", {"area": "430103001"}).status_code == 404
    assert furong.get("/orgs/", {"party_org": "D-TX-1"}).status_code == 404


def test_the_area_select_offers_the_districts_and_townships_the_user_sees(world, furong):
    areas = furong.get("/orgs/").context["areas"]
    assert [a["code"] for a in areas] == ["430102", "430102001", "430102002"]
    city = client_for(world.users["city"]).get("/orgs/").context["areas"]
    assert {a["code"] for a in city} >= {"430102", "430103", "430103001"}


def test_it_sorts_by_each_column_both_ways(world, furong):
    by_name = usccs(furong.get("/orgs/", {"sort": "name"}))
    names = {world.orgs[k].uscc: world.orgs[k].name for k in world.orgs}
    assert [names[u] for u in by_name] == sorted(names[u] for u in by_name)
    assert usccs(furong.get("/orgs/", {"sort": "-name"})) == by_name[::-1]
    formal = usccs(furong.get("/orgs/", {"sort": "-formal"}))
    assert formal[0] == world.orgs["fr_assoc"].uscc  # 3 formal members
    assert usccs(furong.get("/orgs/", {"sort": "registered_on"}))
    # An unknown column falls back to the default order, never an error.
    assert usccs(furong.get("/orgs/", {"sort": "-password"})) == sorted(by_name)
    response = furong.get("/orgs/", {"sort": "name", "kind": "association"})
    page = response.content.decode()
    assert 'aria-sort="ascending"' in page
    assert "kind=association&amp;sort=-name" in page  # the sort link keeps the filter


def test_it_pages_the_list_and_the_links_keep_the_filter(world, furong, areas):
    for n in range(35):
        factories.org(areas["wenyilu"], name=f"分页测试协会{n:02d}")
    first = furong.get("/orgs/", {"q": "分页测试"})
    assert len(usccs(first)) == 30
    second = furong.get("/orgs/", {"q": "分页测试", "page": 2})
    assert len(usccs(second)) == 5
    assert not set(usccs(first)) & set(usccs(second))
    page = first.content.decode()
    assert "q=%E5%88%86%E9%A1%B5%E6%B5%8B%E8%AF%95&amp;page=2" in page
    assert 'hx-target="#results"' in page
    # Beyond the last page: the last page, not an error.
    assert usccs(furong.get("/orgs/", {"q": "分页测试", "page": 99})) == usccs(second)


def test_an_htmx_request_gets_only_the_table_region(world, furong):
    response = furong.get("/orgs/", {"kind": "service_agency"}, headers={"HX-Request": "true"})
    body = response.content.decode().strip()
    assert response.status_code == 200
    assert body.startswith('<section id="results"')
    assert "<html" not in body and "主菜单" not in body and 'id="org-filters"' not in body
    assert world.orgs["fr_school"].name in body
    assert world.orgs["fr_assoc"].name not in body
    assert "HX-Request" in response["Vary"]
    # The full page carries the same region, and the filter form that targets it.
    full = furong.get("/orgs/").content.decode()
    assert "<html" in full and 'id="results"' in full and 'hx-get="/orgs/"' in full
    # Restoring the browser history asks for the whole page.
    restore = furong.get(
        "/orgs/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.content.decode()
    party = furong.get("/party-orgs/", headers={"HX-Request": "true"}).content.decode().strip()
    assert party.startswith('<section id="results"') and "<html" not in party


def test_the_export_holds_exactly_the_filtered_rows_of_every_page(world, furong, areas):
    uncovered = workbook_rows(furong.get("/orgs/export.xlsx", {"coverage": "uncovered"}))
    assert {r[0] for r in uncovered[1:]} == {
        world.orgs["fr_school"].uscc,
        world.orgs["fr_few"].uscc,
    }
    assoc = workbook_rows(furong.get("/orgs/export.xlsx", {"q": "书法"}))
    assert assoc[1][2] == "社会团体" and assoc[1][14] == 3 and assoc[1][15] == "D-FR-1"
    # The link on the page is the export of what the page shows.
    page = furong.get("/orgs/", {"coverage": "uncovered"}).content.decode()
    assert 'href="/orgs/export.xlsx?coverage=uncovered"' in page
    # All pages, in the order of the list.
    for n in range(35):
        factories.org(areas["wenyilu"], name=f"导出测试协会{n:02d}")
    rows = workbook_rows(furong.get("/orgs/export.xlsx", {"q": "导出测试", "sort": "-name"}))
    assert rows[0][:2] == ("统一社会信用代码", "社会组织名称")
    assert len(rows) == 1 + 35
    assert [r[1] for r in rows[1:]] == [f"导出测试协会{n:02d}" for n in range(34, -1, -1)]


def test_the_outsider_exports_nothing_of_another_jurisdiction(world):
    rows = workbook_rows(client_for(world.users["outsider"]).get("/orgs/export.xlsx"))
    assert [r[0] for r in rows[1:]] == [world.orgs["tx_fund"].uscc]
    party = workbook_rows(client_for(world.users["outsider"]).get("/party-orgs/export.xlsx"))
    assert [r[0] for r in party[1:]] == ["D-TX-1"]


def test_an_empty_jurisdiction_says_what_to_do_next(world):
    city = world.areas["city"]
    yuelu = factories.area("430104", "岳麓区", AreaLevel.DISTRICT, city)
    user = factories.user("yuelu", role=Role.DISTRICT, area=yuelu)
    page = client_for(user).get("/orgs/").content.decode()
    assert "尚无数据：请先导入社会组织名录" in page
    assert 'href="/imports/"' in page
    party = client_for(user).get("/party-orgs/").content.decode()
    assert "尚无数据：请先导入党组织名录" in party


def test_a_filter_with_no_rows_offers_to_clear_it(world, furong):
    page = furong.get("/orgs/", {"q": "没有这个名称"}).content.decode()
    assert "没有符合条件的社会组织" in page and "清除全部筛选" in page
    assert "尚无数据" not in page


def test_the_dashboard_links_lead_to_the_rows_they_count(world, furong):
    assert usccs(furong.get("/orgs/?coverage=uncovered_formal")) == [world.orgs["fr_few"].uscc]
    assert usccs(furong.get("/orgs/?coverage=none")) == [world.orgs["fr_few"].uscc]
    active = set(usccs(furong.get("/orgs/?status=active")))
    assert world.orgs["fr_gone"].uscc not in active and len(active) == 4


def make_orgs(areas, n: int, start: int = 0) -> None:
    """Organizations with members, coverage and an instructor: every per-row figure."""
    for i in range(start, start + n):
        org = factories.org_with_members(areas["wenyilu"], formal=1, name=f"计数协会{i:03d}")
        if i % 3 == 0:
            factories.party_org(areas["wenyilu"], covers=[org])
        if i % 4 == 0:
            factories.instructor_assignment(org)


@pytest.mark.parametrize(
    "query",
    [{}, {"coverage": "uncovered_formal", "sort": "-formal"}, {"q": "计数", "sort": "township"}],
)
def test_the_list_makes_as_many_queries_for_forty_organizations_as_for_five(
    areas, django_assert_max_num_queries, query
):
    user = factories.user("counter", role=Role.DISTRICT, area=areas["furong"])
    client = client_for(user)
    make_orgs(areas, 5)
    client.get("/orgs/", query)  # the session, once
    with CaptureQueriesContext(connection) as small:
        assert client.get("/orgs/", query).status_code == 200
    make_orgs(areas, 35, start=5)
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as large:
        assert client.get("/orgs/", query).status_code == 200
    assert len(large) == len(small)
    with CaptureQueriesContext(connection) as party:
        assert client.get("/party-orgs/", query).status_code == 200
    assert len(party) <= 12


# --- organization page ----------------------------------------------------------------------


def test_the_organization_page_shows_registration_management_coverage_and_staff(world, furong):
    org = world.orgs["fr_assoc"]
    page = furong.get(f"/orgs/{org.uscc}/").content.decode()
    for text in (
        org.name,
        org.uscc,
        "社会团体",
        "芙蓉区民政局",  # registry, and the 管理主体 of a direct registration
        "直接登记",
        "党建工作管理主体",
        "文艺路街道",
        "芙蓉区书法协会党支部",
        'href="/party-orgs/D-FR-1/"',
        "覆盖中",
        "正式党员",
        "中共党员",
        world.people["fr_member"].id_masked,
        "规则检查",
        "✓ 符合",
        "政策原文",
        RULES["COV-STANDALONE"].quote,
        "变更记录",
    ):
        assert text in page, text


def test_the_management_body_of_a_supervised_organization_is_its_supervisor(world, furong):
    org = world.orgs["fr_school"]
    page = furong.get(f"/orgs/{org.uscc}/").content.decode()
    assert "长沙市教育局" in page and "业务主管单位" in page
    assert "指导员甲" in page and world.people["instructor"].id_masked in page
    assert "在派" in page and "未被任何党组织覆盖" in page


def test_a_failing_rule_reads_like_a_to_do(world, furong):
    page = furong.get(f"/orgs/{world.orgs['fr_few'].uscc}/").content.decode()
    rule = RULES["COV-JOINT"]
    assert "✗ 不符合" in page
    assert rule.title in page and rule.action in page and rule.quote in page
    assert "<details>" in page and "政策原文（三.1）" in page


def test_the_history_shows_who_changed_which_fields_and_why(world, furong):
    org = world.orgs["fr_assoc"]
    org.name = "芙蓉区书法家协会"
    org.staff_count = 12
    org._change_reason = "更正名称"
    org._history_user = world.users["furong"]
    org.save()
    page = furong.get(f"/orgs/{org.uscc}/").content.decode()
    assert "更正名称" in page and "furong" in page
    assert "社会组织名称：</span>芙蓉区书法协会 → 芙蓉区书法家协会" in page
    assert "从业人员数：</span>（空） → 12" in page
    assert "建立记录" in page


def test_the_history_names_related_records(world, furong, areas):
    org = world.orgs["fr_school"]
    org.township = areas["wenyilu"]
    org.save()
    page = furong.get(f"/orgs/{org.uscc}/").content.decode()
    assert "所在乡镇(街道)：</span>朝阳街街道 → 文艺路街道" in page


# --- Party organizations --------------------------------------------------------------------


def test_it_lists_the_party_organizations_of_the_jurisdiction_only(world, furong):
    response = furong.get("/party-orgs/")
    assert set(codes(response)) == {"D-FR-1", "D-FR-J"}
    page = response.content.decode()
    assert "天心区助学基金会党支部" not in page
    assert "单独组建" in page and "联合组建" in page and "党支部" in page
    assert "已届满" in page  # founded 2018, a 3-year term
    # Covered organizations lead to their rows.
    assert 'href="/orgs/?party_org=D-FR-1"' in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"form": "joint"}, {"D-FR-J"}),
        ({"form": "social"}, {"D-FR-1", "D-FR-J", "D-FR-C", "D-FR-X"}),
        ({"form": "township", "status": "active"}, {"D-FR-T"}),
        ({"form": "standalone"}, {"D-FR-1", "D-FR-C", "D-FR-X"}),
        ({"level": "committee"}, {"D-FR-C"}),
        ({"status": "dissolved"}, {"D-FR-X"}),
        ({"q": "d-fr-"}, {"D-FR-1", "D-FR-J", "D-FR-C", "D-FR-X", "D-FR-T"}),
        ({"q": "书法"}, {"D-FR-1"}),
        ({"area": "430102002"}, {"D-FR-J", "D-FR-X"}),
    ],
)
def test_it_filters_party_organizations(world, furong, areas, query, expected):
    factories.party_org(
        areas["wenyilu"], code="D-FR-C", name="芙蓉区某协会党委", level=PartyOrgLevel.COMMITTEE
    )
    factories.party_org(
        areas["chaoyang"],
        code="D-FR-X",
        name="芙蓉区某撤销党支部",
        status="dissolved",
        dissolved_on=dt.date(2020, 1, 1),
    )
    factories.party_org(
        areas["wenyilu"], code="D-FR-T", name="文艺路街道党工委", form=PartyOrgForm.TOWNSHIP
    )
    assert set(codes(furong.get("/party-orgs/", query))) == expected


def test_it_sorts_and_exports_party_organizations(world, furong, areas):
    for _ in range(3):
        factories.member(None, relation=world.party_orgs["joint"])
    assert codes(furong.get("/party-orgs/", {"sort": "-code"})) == ["D-FR-J", "D-FR-1"]
    assert codes(furong.get("/party-orgs/", {"sort": "-members"}))[0] == "D-FR-J"
    assert codes(furong.get("/party-orgs/", {"sort": "members"}))[0] == "D-FR-1"
    rows = workbook_rows(furong.get("/party-orgs/export.xlsx", {"form": "joint"}))
    assert rows[0][0] == "党组织编码"
    assert [r[0] for r in rows[1:]] == ["D-FR-J"]
    assert rows[1][12:] == (1, 3, 0)  # covers 1 organization, 3 formal, 0 probationary


def test_the_party_organization_page_shows_committee_coverage_members_and_term(world, furong):
    party_org = world.party_orgs["fr"]
    factories.member(None, relation=party_org)
    probationary = factories.member(
        world.orgs["fr_assoc"], confirmed_on=None, joined_on=dt.date(2026, 1, 1), relation=party_org
    )
    page = furong.get("/party-orgs/D-FR-1/").content.decode()
    secretary = world.people["fr_member"]
    for text in (
        party_org.name,
        "D-FR-1",
        "党支部",
        "单独组建",
        "文艺路街道",
        "书记",
        secretary.name,
        secretary.id_masked,
        world.orgs["fr_assoc"].name,
        f'href="/orgs/{world.orgs["fr_assoc"].uscc}/"',
        "正式党员 1 人，预备党员 1 人",
        probationary.id_masked,
        "2021-01-01（已届满",
        "✗ 不符合",
        RULES["ORG-TERM"].title,
        RULES["ORG-TERM"].action,
        "政策原文",
        "变更记录",
    ):
        assert text in page, text
    assert "芙蓉区书法协会" in page  # where the probationary member works


def test_the_page_of_one_object_has_its_title_breadcrumbs_and_the_day_of_its_rules(world, furong):
    today = timezone.localdate()
    org = world.orgs["fr_assoc"]
    party_org = world.party_orgs["fr"]
    for url, name, list_url, list_label in (
        (f"/orgs/{org.uscc}/", org.name, "/orgs/", "社会组织"),
        ("/party-orgs/D-FR-1/", party_org.name, "/party-orgs/", "党组织"),
    ):
        page = " ".join(furong.get(url).content.decode().split())
        assert f"<title>{name} · 社会组织党建工作管理系统</title>" in page, url
        assert f'<a href="{list_url}">{list_label}</a>' in page, url
        assert f'<li class="breadcrumb-item active" aria-current="page">{name}</li>' in page, url
        assert f"规则检查（截至 {today.year}年{today.month}月{today.day}日）" in page, url


# --- the jurisdiction gate and identity numbers ---------------------------------------------


def test_an_outsider_gets_404_exactly_as_for_a_missing_object(world):
    outsider = client_for(world.users["outsider"])
    fr = world.orgs["fr_assoc"]
    for url, missing in (
        (f"/orgs/{fr.uscc}/", f"/orgs/{MISSING_USCC}/"),
        ("/party-orgs/D-FR-1/", "/party-orgs/NOPE/"),
    ):
        response, nothing = outsider.get(url), outsider.get(missing)
        assert response.status_code == nothing.status_code == 404
        body = response.content.decode()
        assert fr.name not in body and "D-FR-1" not in body and "芙蓉区书法协会党支部" not in body
        assert [t.name for t in response.templates] == [t.name for t in nothing.templates]
    assert usccs(outsider.get("/orgs/")) == [world.orgs["tx_fund"].uscc]
    assert codes(outsider.get("/party-orgs/")) == ["D-TX-1"]
    # Their own pages work.
    assert outsider.get(f"/orgs/{world.orgs['tx_fund'].uscc}/").status_code == 200
    assert outsider.get("/party-orgs/D-TX-1/").status_code == 200


def test_the_pages_need_a_login(world):
    for url in ("/orgs/", "/orgs/export.xlsx", "/party-orgs/", "/party-orgs/D-FR-1/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_identity_numbers_appear_only_masked(world, furong):
    people = [world.people["fr_member"], world.people["instructor"]]
    factories.member(None, relation=world.party_orgs["fr"])
    pages = [
        furong.get(f"/orgs/{world.orgs['fr_assoc'].uscc}/"),
        furong.get(f"/orgs/{world.orgs['fr_school'].uscc}/"),
        furong.get("/party-orgs/D-FR-1/"),
        furong.get("/orgs/"),
        furong.get("/party-orgs/"),
    ]
    exports = [furong.get("/orgs/export.xlsx"), furong.get("/party-orgs/export.xlsx")]
    for person in people:
        clear = person.id_number
        assert len(clear) == 18
        for response in pages:
            assert clear not in response.content.decode()
        for response in exports:
            assert clear not in str(workbook_rows(response))
    assert people[0].id_masked in pages[0].content.decode()
    assert people[1].id_masked in pages[1].content.decode()


def test_the_secretary_sees_their_own_party_organization_and_what_it_covers(world):
    secretary = client_for(world.users["secretary"])
    assert codes(secretary.get("/party-orgs/")) == ["D-FR-1"]
    assert usccs(secretary.get("/orgs/")) == [world.orgs["fr_assoc"].uscc]
    assert secretary.get(f"/orgs/{world.orgs['fr_school'].uscc}/").status_code == 404
    assert secretary.get("/party-orgs/D-FR-1/").status_code == 200


def test_the_pages_of_one_object_make_as_many_queries_for_forty_people_as_for_five(
    world, furong, areas
):
    org, party_org = world.orgs["fr_few"], world.party_orgs["fr"]

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert furong.get(url).status_code == 200
        return len(queries)

    furong.get("/orgs/")
    for _ in range(4):
        factories.member(org, relation=party_org)
        factories.office(party_org, role="member")
    small = count(f"/orgs/{org.uscc}/"), count("/party-orgs/D-FR-1/")
    for _ in range(35):
        factories.member(org, relation=party_org, confirmed_on=None)
        factories.office(party_org, role="member")
    assert (count(f"/orgs/{org.uscc}/"), count("/party-orgs/D-FR-1/")) == small


def test_long_lists_on_a_page_are_paged(world, furong, monkeypatch):
    from dangjian.web import details as views_orgs

    monkeypatch.setattr(views_orgs, "LIST_CAP", 2)
    for _ in range(3):
        factories.member(world.orgs["fr_assoc"], relation=world.party_orgs["fr"])
    first = furong.get("/party-orgs/D-FR-1/")
    assert len(first.context["members"]["items"]) == 2
    page = first.content.decode()
    assert "?members_page=2#members" in page and 'aria-label="党员分页"' in page
    second = furong.get("/party-orgs/D-FR-1/", {"members_page": 2})
    assert len(second.context["members"]["items"]) == 1
    staff = furong.get(f"/orgs/{world.orgs['fr_assoc'].uscc}/", {"staff_page": 3})
    assert len(staff.context["staff"]["items"]) == 2  # 6 people: the last page
    assert "?staff_page=2#staff" in staff.content.decode()


def test_the_browser_history_is_not_cached_so_the_filter_bar_matches_the_rows(world, furong):
    page = furong.get("/orgs/").content.decode()
    assert 'hx-history="false"' in page
    assert 'form="org-filters"' in page  # the sort, kept by the next filter


# --- people list ---------------------------------------------------------------------------


def test_the_people_export_holds_the_filtered_rows_masked(world, furong, areas):
    page = furong.get("/people/", {"member": "formal"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/people/export.xlsx?member=formal"' in html
    rows = workbook_rows(furong.get("/people/export.xlsx", {"member": "formal"}))
    assert rows[0] == ("姓名", "公民身份号码（部分）", "工作单位", "组织关系所在党组织", "党员状态")
    names = [r[0] for r in rows[1:]]
    assert f'data-count="{len(names)}"' in html
    assert "芙蓉甲党员" in names and "天心乙党员" not in names
    assert {r[4] for r in rows[1:]} == {"正式党员"}
    member = world.people["fr_member"]
    cells = [str(c) for r in rows for c in r if c is not None]
    assert member.id_masked in cells and member.id_number not in cells
    # More rows than a page, in the list's order.
    for n in range(60):
        person = factories.member(world.orgs["fr_assoc"])
        person.name = f"导出人员{n:02d}"
        person.save()
    rows = workbook_rows(furong.get("/people/export.xlsx", {"q": "导出人员", "sort": "-name"}))
    assert [r[0] for r in rows[1:]] == [f"导出人员{n:02d}" for n in range(59, -1, -1)]


def test_the_outsider_exports_no_one_of_another_jurisdiction(world):
    rows = workbook_rows(client_for(world.users["outsider"]).get("/people/export.xlsx"))
    assert [r[0] for r in rows[1:]] == ["天心乙党员"]
