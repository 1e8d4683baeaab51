"""双培 and 关怀帮扶 (docs/care.md): recorded through their form (one service: the person and
the Party organization through the writer's jurisdiction, each check a Chinese message
naming the value, nothing written on an error, the change history), listed per area with
counts by child area and xlsx; a reader may not write them (403); outside the jurisdiction
they are not seen."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from dangjian.accounts.models import Role
from dangjian.care.models import CareRecord, Cultivation
from dangjian.people.models import Employment, PoliticalStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(areas):
    org = factories.org(areas["wenyilu"], name="文艺路丁协会")
    po = factories.party_org(areas["wenyilu"], code="P-W", name="文艺路丁协会党支部", covers=[org])
    staff = factories.person("骨干甲", political_status=PoliticalStatus.MASSES)
    Employment.objects.create(person=staff, org=org, started_on=dt.date(2015, 1, 1))
    other = factories.party_org(areas["pozi"], code="P-Z", name="坡子街丁协会党支部")
    return {
        "po": po, "other": other,
        "member": factories.member(
            None, relation=po, joined_on=dt.date(2018, 7, 1), confirmed_on=dt.date(2019, 7, 1)
        ),
        "staff": staff,
        "sec": factories.user("sec_w", role=Role.ORG, party_org=po),
        "furong": factories.user("furong", role=Role.DISTRICT, area=areas["furong"]),
        "pozi": factories.user("pozi", role=Role.TOWNSHIP, area=areas["pozi"]),
    }  # fmt: skip


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def cultivate(w: dict[str, Any], by: Any = None, **over: str) -> Any:
    data = {"id_number": w["staff"].id_number, "party_org": "P-W", "direction": "to_member",
            "started_on": "2025-03-01", "note": "安排入党积极分子培训", **over}  # fmt: skip
    return client(by or w["furong"]).post(reverse("web:cultivation_new"), data)


def care(w: dict[str, Any], by: Any = None, **over: str) -> Any:
    data = {"id_number": w["member"].id_number, "party_org": "P-W", "given_on": "2026-01-20",
            "kind": "illness", "help": "春节慰问，送慰问金", "amount": "800.50",
            "from_fund": "on", **over}  # fmt: skip
    return client(by or w["sec"]).post(reverse("web:care_new"), data)


def test_a_cultivation_and_its_checks(w):
    assert cultivate(w).status_code == 302
    c = Cultivation.objects.get()
    assert (c.person, c.party_org, c.direction, c.status) == (
        w["staff"], w["po"], "to_member", "ongoing",
    )  # fmt: skip
    assert c.history.count() == 1
    member = w["member"].id_number
    for over, message in (
        ({"direction": "to_backbone"}, "还不是党员"),
        ({"id_number": member, "started_on": "2025-03-02"}, "已是党员"),
        ({"id_number": "430102199001011234"}, "校验位"),
        ({"party_org": "P-Z"}, "「P-Z」: 党组织编码不存在"),
        ({"started_on": "2025-13-01"}, "「2025-13-01」不是日期"),
        ({"started_on": "2999-01-01"}, "晚于今天"),
    ):
        response = cultivate(w, **over)
        assert response.status_code == 422 and message in response.text, over
    # The member's own cultivation into a backbone (a member on its first day).
    assert cultivate(w, id_number=member, direction="to_backbone").status_code == 302
    assert Cultivation.objects.count() == 2


def test_care_and_its_checks(w):
    assert care(w).status_code == 302
    r = CareRecord.objects.get()
    assert r.amount == Decimal("800.50") and r.from_fund and r.kind == "illness"
    for over, message in (
        ({"amount": "1.234"}, "「1.234」不是金额"),
        ({"help": " "}, "帮扶内容"),
        ({"id_number": w["staff"].id_number, "given_on": "2026-01-21"}, "不是党员"),
        ({"given_on": "2017-01-01"}, "不是党员"),
        ({"kind": "x"}, "选择一个有效的选项"),
    ):
        response = care(w, **over)
        assert response.status_code == 422 and message in response.text, over
    assert CareRecord.objects.count() == 1
    assert care(w).status_code == 422  # the same member on the same day
    assert CareRecord.objects.count() == 1


def test_listed_per_area_with_xlsx_and_only_inside_the_jurisdiction(w):
    assert cultivate(w).status_code == 302 and care(w).status_code == 302
    page = client(w["furong"]).get(reverse("web:care") + "?what=care")
    assert page.status_code == 200
    areas = page.text.split('id="care-areas"')[1].split("</table>")[0]
    assert "文艺路街道" in areas and '<td class="text-end">1</td>' in areas
    xlsx = client(w["furong"]).get(reverse("web:care") + "?what=cultivations&format=xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("姓名", "公民身份号码", "党组织", "所在区划", "培养方向")
    assert rows[1][0] == "骨干甲" and rows[1][1] == w["staff"].id_masked
    assert rows[1][4] == "把业务骨干培养成党员"
    outside = client(w["pozi"]).get(reverse("web:care") + "?what=care")
    assert w["member"].name not in outside.text
    # Writing into a Party organization outside the jurisdiction: as one that does not exist.
    response = cultivate(w, by=w["pozi"])
    assert response.status_code == 422 and "党组织编码不存在" in response.text


def test_a_reader_may_not_write(w, areas):
    registry = factories.unit("芙蓉区民政局", "civil_affairs", areas["furong"])
    reader = factories.user("reg", role=Role.REGISTRY, unit=registry)
    assert client(reader).get(reverse("web:care_new")).status_code == 403
    assert cultivate(w, by=reader).status_code == 403
    assert not Cultivation.objects.exists()
