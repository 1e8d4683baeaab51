"""The work bodies (POLICY 二.1, 2.3; docs/bodies.md): district and park Party-building bodies
with their staff, township cadres in charge and contact points (联系点) — the `work-bodies`,
`work-body-staff`, `township-cadres` and `contact-points` kinds written, exported and
re-imported, refused with row, column and value at each boundary, scoped to the writer's
jurisdiction; their pages and xlsx, 404 outside the jurisdiction, and the one-row forms."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.accounts.models import Role
from dangjian.areas.models import Unit, UnitKind
from dangjian.bodies.models import ContactPoint, TownshipCadre, WorkBody, WorkBodyStaff
from dangjian.imports.export import export_rows
from dangjian.imports.service import import_file
from tests import factories
from tests.importing import write_csv

pytestmark = pytest.mark.django_db

FR_BODY = "芙蓉区社会组织党建工作办公室"
TX_BODY = "天心区社会组织党建工作办公室"


def run(tmp_path, kind, rows, user=None):
    return import_file(kind, write_csv(tmp_path / f"{kind}.csv", rows, kind=kind), user=user)


@pytest.fixture
def world(areas, tmp_path):
    """A body in 芙蓉区 and one in 天心区 with a staff member each, a cadre in 文艺路街道 and
    one in 坡子街街道, an organization in each district with a contact point; the users."""
    education = factories.unit("长沙市教育局", UnitKind.SUPERVISORY, areas["city"])
    fr_org = factories.org(areas["wenyilu"], name="芙蓉区书法协会")
    tx_org = factories.org(areas["pozi"], name="天心区围棋协会")
    assert run(tmp_path, "work-bodies", [
        [FR_BODY, "芙蓉区", "区县", "2015-03-01"],
        [TX_BODY, "430103", "区县", ""],
        ["隆平高新技术产业园区社会组织党建工作站", "芙蓉区", "园区", "2018-06-01"],
    ]).ok  # fmt: skip
    assert run(tmp_path, "work-body-staff", [
        [FR_BODY, "张明", "主任", "专职", "2015-03-01", ""],
        [FR_BODY, "李华", "干事", "兼职", "2016-01-01", "2020-12-31"],
        [TX_BODY, "王强", "主任", "专职", "2019-01-01", ""],
    ]).ok  # fmt: skip
    assert run(tmp_path, "township-cadres", [
        ["芙蓉区", "文艺路街道", "赵丽", "党工委委员", "兼职", "2020-01-01", ""],
        ["430103", "430103001", "钱进", "组织委员", "专职", "2021-01-01", ""],
    ]).ok  # fmt: skip
    assert run(tmp_path, "contact-points", [
        ["长沙市教育局", "孙伟", "副局长", fr_org.uscc, "2022-01-01", ""],
        ["长沙市教育局", "周敏", "副局长", tx_org.uscc, "2022-01-01", ""],
    ]).ok  # fmt: skip
    users = {
        "city": factories.user("city", role=Role.CITY, area=areas["city"]),
        "furong": factories.user("furong", role=Role.DISTRICT, area=areas["furong"]),
        "tianxin": factories.user("tianxin", role=Role.DISTRICT, area=areas["tianxin"]),
        "wenyilu": factories.user("wenyilu", role=Role.TOWNSHIP, area=areas["wenyilu"]),
        "registry": factories.user(
            "registry", role=Role.REGISTRY, unit=Unit.objects.get(name="芙蓉区民政局")
        ),
    }
    return {"areas": areas, "fr_org": fr_org, "tx_org": tx_org, "users": users,
            "education": education}  # fmt: skip


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_four_kinds_are_written_and_export_import_export_is_identical(tmp_path, world):
    body = WorkBody.objects.get(unit__name=FR_BODY)
    assert body.unit.kind == UnitKind.WORK_BODY and body.unit.area == world["areas"]["furong"]
    assert body.history.count() == 1 and body.unit.history.count() == 1
    assert WorkBodyStaff.objects.current_on(dt.date(2026, 1, 1)).count() == 2
    assert [FR_BODY, "430102", "区县", "2015-03-01"] in list(export_rows("work-bodies"))
    assert next(iter(export_rows("township-cadres"))) == [
        "430102", "430102001", "赵丽", "党工委委员", "兼职", "2020-01-01", "",
    ]  # fmt: skip
    for kind in ("work-bodies", "work-body-staff", "township-cadres", "contact-points"):
        first = list(export_rows(kind))
        again = run(tmp_path, kind, first)
        assert again.ok and (again.created, again.updated) == (0, 0), (kind, again.changes)
        assert list(export_rows(kind)) == first
    changed = run(tmp_path, "work-body-staff", [[FR_BODY, "张明", "主任", "兼职", "2015-03-01",
                                                 "2026-01-01"]])  # fmt: skip
    assert changed.updated == 1
    staff = WorkBodyStaff.objects.get(name="张明")
    assert (staff.full_time, staff.history.count()) == (False, 2)


@pytest.mark.parametrize(
    ("kind", "row", "column", "value", "message"),
    [
        ("work-bodies", ["某机构", "文艺路街道", "区县", ""], "所在区县(市)", "文艺路街道",
         "是乡镇(街道)，不是区县(市)"),
        ("work-bodies", ["某机构", "430102001", "区县", ""], "所在区县(市)", "430102001",
         "不是区县(市)"),
        ("work-bodies", ["某机构", "长沙市", "区县", ""], "所在区县(市)", "长沙市",
         "是市，不是区县(市)"),
        ("work-bodies", ["某机构", "芙蓉区", "街道", ""], "机构类别", "街道", "不是可选值"),
        ("work-bodies", ["某机构", "芙蓉区", "区县", "2999-01-01"], "成立日期", "2999-01-01",
         "晚于今天"),
        ("work-bodies", ["长沙市教育局", "芙蓉区", "区县", ""], "机构名称", "长沙市教育局",
         "已登记为业务主管单位"),
        ("work-body-staff", ["不存在的机构", "甲", "主任", "专职", "2020-01-01", ""], "工作机构",
         "不存在的机构", "工作机构不存在"),
        ("work-body-staff", [FR_BODY, "甲", "主任", "全职", "2020-01-01", ""], "专兼职", "全职",
         "不是可选值"),
        ("work-body-staff", [FR_BODY, "甲", "主任", "专职", "2020-01-01", "2019-12-31"],
         "结束日期", "2019-12-31", "早于开始日期 2020-01-01"),
        ("work-body-staff", [FR_BODY, "甲", "主任", "专职", "2015-02-28", ""], "开始日期",
         "2015-02-28", "早于工作机构成立日期 2015-03-01"),
        ("township-cadres", ["芙蓉区", "430102001001", "甲", "委员", "专职", "2020-01-01", ""],
         "乡镇(街道)", "430102001001", "不是乡镇(街道)"),
        ("township-cadres", ["芙蓉区", "坡子街街道", "甲", "委员", "专职", "2020-01-01", ""],
         "乡镇(街道)", "坡子街街道", "没有名为「坡子街街道」的乡镇(街道)"),
        ("township-cadres", ["文艺路街道", "文艺路街道", "甲", "委员", "专职", "2020-01-01", ""],
         "所在区县(市)", "文艺路街道", "没有名为「文艺路街道」的区县(市)"),
        ("township-cadres", ["芙蓉区", "文艺路街道", "甲", "委员", "专职", "2020-01-01",
                             "2019-01-01"], "结束日期", "2019-01-01", "早于开始日期"),
        ("contact-points", ["不存在局", "甲", "局长", "FR", "2022-01-01", ""], "成员单位",
         "不存在局", "单位不存在"),
        ("contact-points", ["长沙市教育局", "甲", "局长", "51430102MJ0000000X", "2022-01-01", ""],
         "联系的社会组织统一社会信用代码", "51430102MJ0000000X", ""),
        ("contact-points", ["长沙市教育局", "甲", "局长", "FR", "2022-01-01", "2021-01-01"],
         "结束日期", "2021-01-01", "早于开始日期"),
    ],
)  # fmt: skip
def test_bad_rows_are_refused_naming_row_column_and_value(tmp_path, world, kind, row, column,
                                                          value, message):  # fmt: skip
    row = [world["fr_org"].uscc if cell == "FR" else cell for cell in row]
    result = run(tmp_path, kind, [row])
    assert not result.ok and result.created == 0
    errors = [(e.row, e.column, e.value) for e in result.errors]
    assert (2, column, value) in errors, [str(e) for e in result.errors]
    assert any(message in e.message for e in result.errors), [str(e) for e in result.errors]


def test_an_unknown_organization_is_named_as_such(tmp_path, world):
    uscc = factories.uscc_for(n=999)
    result = run(
        tmp_path, "contact-points", [["长沙市教育局", "甲", "局长", uscc, "2022-01-01", ""]]
    )
    assert [e.message for e in result.errors] == ["统一社会信用代码不存在（请先导入社会组织）"]


def test_a_writer_writes_inside_its_area_only(tmp_path, world):
    u, tx = world["users"], world["tx_org"]
    outside = run(tmp_path, "work-bodies", [["新机构", "天心区", "区县", ""]], user=u["furong"])
    assert "不在您的管辖范围（芙蓉区）内" in outside.errors[0].message
    taken = run(tmp_path, "work-bodies", [[TX_BODY, "芙蓉区", "区县", ""]], user=u["furong"])
    assert "已在您的管辖范围以外登记" in taken.errors[0].message
    staff = run(tmp_path, "work-body-staff", [[TX_BODY, "甲", "干事", "专职", "2020-01-01", ""]],
                user=u["furong"])  # fmt: skip
    assert staff.errors[0].message == "工作机构不存在（请先导入工作机构）"  # as a missing one
    point = run(tmp_path, "contact-points", [["长沙市教育局", "甲", "局长", tx.uscc,
                                              "2022-01-01", ""]], user=u["furong"])  # fmt: skip
    assert point.errors[0].message == "统一社会信用代码不存在（请先导入社会组织）"
    # A township's officer writes its own cadres, not the work bodies nor contact points.
    own = run(tmp_path, "township-cadres", [["芙蓉区", "文艺路街道", "甲", "委员", "兼职",
                                              "2024-01-01", ""]], user=u["wenyilu"])  # fmt: skip
    assert own.ok and own.created == 1
    other = run(tmp_path, "township-cadres", [["芙蓉区", "朝阳街街道", "甲", "委员", "兼职",
                                                "2024-01-01", ""]], user=u["wenyilu"])  # fmt: skip
    assert "不在您的管辖范围（文艺路街道）内" in other.errors[0].message
    refused = run(tmp_path, "work-bodies", [["新机构", "芙蓉区", "区县", ""]], user=u["wenyilu"])
    assert "您无权写入" in refused.errors[0].message
    assert run(tmp_path, "work-bodies", [["新机构", "芙蓉区", "园区", ""]], user=u["city"]).ok
    assert {r[0] for r in export_rows("work-bodies", user=u["furong"])} == {
        FR_BODY, "新机构", "隆平高新技术产业园区社会组织党建工作站",
    }  # fmt: skip
    assert list(export_rows("contact-points", user=u["registry"])) == []


def test_the_pages_show_the_area_and_export_xlsx(world):
    u = world["users"]
    furong = client(u["furong"])
    page = furong.get(reverse("web:work_bodies"))
    assert page.status_code == 200
    body = page.content.decode()
    assert FR_BODY in body and TX_BODY not in body and "新增工作机构" in body
    row = next(r for r in page.context["rows"] if r.body.unit.name == FR_BODY)
    assert (row.full_time, row.part_time) == (1, 0)
    fr = WorkBody.objects.get(unit__name=FR_BODY)
    detail = furong.get(reverse("web:work_body", kwargs={"pk": fr.pk}))
    assert detail.status_code == 200 and "张明" in detail.content.decode()
    for name in ("web:work_bodies", "web:township_cadres", "web:contact_points"):
        xlsx = furong.get(reverse(name), {"format": "xlsx"})
        assert xlsx.status_code == 200
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        cells = [c for r in sheet.iter_rows(values_only=True) for c in r]
        assert "芙蓉区" in str(cells) or "赵丽" in cells or "孙伟" in cells, name
        assert "天心区" not in str(cells) and "钱进" not in cells and "周敏" not in cells
    cadres = furong.get(reverse("web:township_cadres"), {"area": "430102001"}).content.decode()
    assert "赵丽" in cadres and "钱进" not in cadres
    points = furong.get(reverse("web:contact_points")).content.decode()
    assert "孙伟" in points and "周敏" not in points
    staff_xlsx = furong.get(reverse("web:work_body", kwargs={"pk": fr.pk}), {"format": "xlsx"})
    assert staff_xlsx.status_code == 200
    township = client(u["wenyilu"]).get(reverse("web:work_bodies")).content.decode()
    assert "新增工作机构" not in township and FR_BODY not in township


def test_outside_the_jurisdiction_is_404_as_a_missing_record(world):
    u = world["users"]
    furong = client(u["furong"])
    tx = WorkBody.objects.get(unit__name=TX_BODY)
    tx_staff = WorkBodyStaff.objects.get(name="王强")
    tx_cadre = TownshipCadre.objects.get(name="钱进")
    tx_point = ContactPoint.objects.get(leader_name="周敏")
    for url in (
        reverse("web:work_body", kwargs={"pk": tx.pk}),
        reverse("web:work_body_edit", kwargs={"pk": tx.pk}),
        reverse("web:work_body_staff_new", kwargs={"pk": tx.pk}),
        reverse("web:work_body_staff_edit", kwargs={"pk": tx_staff.pk}),
        reverse("web:township_cadre_edit", kwargs={"pk": tx_cadre.pk}),
        reverse("web:contact_point_edit", kwargs={"pk": tx_point.pk}),
        reverse("web:work_body", kwargs={"pk": 999_999}),
        reverse("web:township_cadres") + "?area=430103",
    ):
        assert furong.get(url).status_code == 404, url
    assert (
        client(u["wenyilu"]).get(reverse("web:work_body", kwargs={"pk": tx.pk})).status_code == 404
    )
    for name in ("web:work_bodies", "web:township_cadres", "web:contact_points"):
        assert client(u["registry"]).get(reverse(name)).status_code == 404
    assert client(u["wenyilu"]).get(reverse("web:work_body_new")).status_code == 403


def test_the_forms_add_and_edit_with_history(world):
    u = world["users"]
    furong = client(u["furong"])
    fr = WorkBody.objects.get(unit__name=FR_BODY)
    url = reverse("web:work_body_staff_new", kwargs={"pk": fr.pk})
    form = furong.get(url)
    assert form.status_code == 200 and form.context["form"]["body"].value() == FR_BODY
    data = {"body": FR_BODY, "name": "陈新", "post": "干事", "full_time": "专职",
            "started_on": "2025-05-01", "ended_on": ""}  # fmt: skip
    saved = furong.post(url, data)
    assert saved.status_code == 302, saved.context["form"].errors if saved.context else None
    new = WorkBodyStaff.objects.get(name="陈新")
    assert new.history.get().history_type == "+"
    again = furong.post(url, data)
    assert again.status_code == 422 and "已登记" in again.content.decode()
    edit = reverse("web:work_body_staff_edit", kwargs={"pk": new.pk})
    form = furong.get(edit).context["form"]
    values = {k: form[k].value() or "" for k in form.fields if not form.fields[k].disabled}
    values.update(post="副主任", reason="职务调整")
    assert furong.post(edit, values).status_code == 302
    new.refresh_from_db()
    assert new.post == "副主任" and new.history.count() == 2
    bad = furong.post(reverse("web:work_body_new"), {"name": "某机构", "district": "天心区",
                                                      "kind": "区县"})  # fmt: skip
    assert bad.status_code == 422 and "不在您的管辖范围" in bad.content.decode()
    ok = furong.post(reverse("web:work_body_new"), {"name": "芙蓉区园区党建站",
                                                     "district": "芙蓉区", "kind": "园区"})  # fmt: skip
    assert ok.status_code == 302 and WorkBody.objects.filter(unit__name="芙蓉区园区党建站").exists()
    cadre = TownshipCadre.objects.get(name="赵丽")
    township = client(u["wenyilu"])
    edit = reverse("web:township_cadre_edit", kwargs={"pk": cadre.pk})
    form = township.get(edit).context["form"]
    values = {k: form[k].value() or "" for k in form.fields if not form.fields[k].disabled}
    values.update(full_time="专职")
    assert township.post(edit, values).status_code == 302
    cadre.refresh_from_db()
    assert cadre.full_time is True and cadre.history.count() == 2
    point = ContactPoint.objects.get(leader_name="孙伟")
    edit = reverse("web:contact_point_edit", kwargs={"pk": point.pk})
    form = furong.get(edit).context["form"]
    values = {k: form[k].value() or "" for k in form.fields if not form.fields[k].disabled}
    values.update(ended_on="2026-01-01")
    assert furong.post(edit, values).status_code == 302
    point.refresh_from_db()
    assert point.ended_on == dt.date(2026, 1, 1)


def test_the_demo_draws_bodies_staff_cadres_and_contact_points():
    """`dangjian.bodies.demo.work_bodies` on a small city: pure, unsaved rows (no database)."""
    import random
    from types import SimpleNamespace

    from dangjian.bodies.demo import work_bodies
    from dangjian.orgs.models import SocialOrganization

    city = SimpleNamespace(name="长沙市", districts=[])
    for d in range(3):
        district = SimpleNamespace(pk=10 + d, name=f"第{d}区", townships=[])
        district.townships = [SimpleNamespace(pk=100 + 10 * d + t) for t in range(4)]
        city.districts.append(district)
    unit = Unit(name="长沙市教育局", kind=UnitKind.SUPERVISORY, area_id=1)
    orgs = [SocialOrganization(name=f"组织{i}", status="active", registered_on=dt.date(2014, 1, 1))
            for i in range(60)]  # fmt: skip
    ctx = SimpleNamespace(
        rng=random.Random(7), city=city, demo=SimpleNamespace(units={"第0区社会组织党建工作办公室": unit}),
        rows=SimpleNamespace(units=[unit], orgs=orgs),
    )  # fmt: skip
    rows = work_bodies(ctx)  # type: ignore[arg-type]
    again = work_bodies(SimpleNamespace(**{**vars(ctx), "rng": random.Random(7)}))  # type: ignore[arg-type]
    assert [s.name for s in rows.staff] == [s.name for s in again.staff]  # its draws alone
    assert len(rows.work_bodies) == 5 and {b.kind for b in rows.work_bodies} == {"district", "park"}
    assert rows.units[0].name == "长沙市第0区社会组织党建工作办公室"  # the name was taken
    assert len({u.name for u in rows.units}) == 5
    for body in rows.work_bodies:
        staff = [s for s in rows.staff if s.body is body]
        assert len({(s.name, s.started_on) for s in staff}) >= 2
        established = body.established_on
        assert established is not None and all(s.started_on >= established for s in staff)
        assert all(s.ended_on is None or s.ended_on >= s.started_on for s in staff)
    townships = {c.township_id for c in rows.cadres}
    assert townships == {t.pk for d in city.districts for t in d.townships}
    assert 24 <= len(rows.contact_points) <= 48
    assert len({p.org.name for p in rows.contact_points}) == len(rows.contact_points)
    assert all(p.pk is None for p in [*rows.work_bodies, *rows.staff, *rows.contact_points])


def test_a_batch_of_work_bodies_is_undone_by_its_district_officer(tmp_path, world):
    """The body, its unit and its staff, created by one batch each, are undone (the staff
    first: the body's batch refuses while a later batch's staff refers to it)."""
    from dangjian.imports.models import ImportBatch
    from dangjian.imports.undo import BatchUndoRefused, batch_undo

    furong = world["users"]["furong"]
    made = run(tmp_path, "work-bodies", [["芙蓉区新园区党建站", "芙蓉区", "园区", ""]], user=furong)
    staff = run(tmp_path, "work-body-staff", [["芙蓉区新园区党建站", "甲", "干事", "兼职",
                                               "2024-01-01", ""]], user=furong)  # fmt: skip
    assert made.ok and staff.ok
    with pytest.raises(BatchUndoRefused):
        batch_undo(user=furong, batch=ImportBatch.objects.get(pk=made.batch_id))
    batch_undo(user=furong, batch=ImportBatch.objects.get(pk=staff.batch_id))
    batch_undo(user=furong, batch=ImportBatch.objects.get(pk=made.batch_id))
    assert not WorkBody.objects.filter(unit__name="芙蓉区新园区党建站").exists()
    assert not Unit.objects.filter(name="芙蓉区新园区党建站").exists()
    tianxin = world["users"]["tianxin"]
    from dangjian.imports.undo import may_see_batch

    batch = ImportBatch.objects.get(pk=run(tmp_path, "township-cadres", [["芙蓉区", "文艺路街道",
        "乙", "委员", "兼职", "2024-01-01", ""]]).batch_id)  # fmt: skip
    assert may_see_batch(furong, batch) and not may_see_batch(tianxin, batch)
