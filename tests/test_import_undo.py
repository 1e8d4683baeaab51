"""Undoing an import batch (撤销导入): real files through the import service, then the undo,
and every table of the data compared with what it held before the import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.areas.models import Unit
from dangjian.areas.services import unit_ensure_registries
from dangjian.imports.models import ImportBatch
from dangjian.imports.service import import_file
from dangjian.imports.undo import BatchUndoRefused, batch_undo, undo_reason
from dangjian.lib.codes import make_id_number, make_uscc
from dangjian.orgs.models import SocialOrganization
from dangjian.people.models import Employment, Membership, Person
from tests import factories, importing
from tests.importing import write_csv

pytestmark = pytest.mark.django_db

A = make_uscc("51430102MJJ000201")  # 社会团体 in 芙蓉区
B = make_uscc("52430102MJJ000202")  # 社会服务机构 in 芙蓉区
C = make_uscc("51430102MJJ000203")
D = make_uscc("51430102MJJ000204")
P1 = make_id_number("43010219800101011")
P2 = make_id_number("43010219900202012")
P3 = make_id_number("43010219600404014")
P4 = make_id_number("43010219700505015")

# Tables that legitimately change with an import and its undo: history, the batches and
# uploads, the findings store, the tasks, the data version, Django's own.
LEFT_OUT_APPS = ("compliance", "tasks", "sessions", "admin", "contenttypes", "django_tasks")
LEFT_OUT = {"imports.ImportBatch", "imports.PendingUpload", "core.DataVersion"}


DATA_APPS = ("areas", "orgs", "people", "partyorgs")


def data_snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """The tables of the data only (not the users, whom logging in changes)."""
    return {k: v for k, v in snapshot().items() if k.split(".")[0] in DATA_APPS}


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the data (all fields), by model."""
    out = {}
    for model in apps.get_models():
        label = model._meta.label
        if (
            label in LEFT_OUT
            or model._meta.app_label.startswith(LEFT_OUT_APPS)
            or hasattr(model, "instance_type")  # a history table
        ):
            continue
        names = [f.attname for f in model._meta.concrete_fields]
        out[label] = list(model._base_manager.order_by("pk").values_list(*names))
    return out


def org(uscc: str, name: str, **over: str) -> list[str]:
    return importing.org_row(uscc, name, **over)


FILES: dict[str, tuple[list[list[Any]], list[list[Any]]]] = {
    # kind: (the first file, the second: one row changed, one new, one left alone)
    "orgs": (
        [
            org(A, "芙蓉区书法协会"),
            org(B, "芙蓉区康乐养老服务中心", kind="民办非企业单位"),
            org(C, "芙蓉区象棋协会"),
        ],
        [
            org(A, "芙蓉区书法家协会", staff="20"),
            org(B, "芙蓉区康乐养老服务中心", kind="民办非企业单位"),
            org(C, "芙蓉区象棋协会"),
            org(
                D,
                "芙蓉区围棋协会",
                mode="业务主管单位",
                supervisor="芙蓉区体育局",
                industry="体育",
            ),
        ],
    ),
    "party-orgs": (
        [
            ["D001", "芙蓉区社会组织综合党委", "党委", "行业党委", "", "", "文艺路街道", "2010-01-01", "", "正常", ""],
            ["D002", "芙蓉区书法协会党支部", "党支部", "单独组建", "D001", A, "文艺路街道", "2017-07-01", "2023-07-01", "正常", ""],
        ],
        [
            ["D001", "芙蓉区社会组织综合党委", "党委", "行业党委", "", "", "文艺路街道", "2010-01-01", "", "正常", ""],
            ["D002", "芙蓉区书法家协会党支部", "党支部", "单独组建", "D001", B, "文艺路街道", "2017-07-01", "2023-07-01", "正常", ""],
            ["D003", "芙蓉区象棋协会党支部", "党支部", "单独组建", "D001", C, "文艺路街道", "2020-01-01", "", "正常", ""],
        ],
    ),
    "people": (
        [
            ["张三", P1, A, "负责人", "2015-03-01", "", "中共党员", "2005-07-01", "2006-07-01", "D002"],
            ["李四", P2, A, "一线员工", "2018-01-01", "", "中共预备党员", "2026-03-01", "", "D002"],
        ],
        [
            ["张三", P1, A, "管理层", "2015-03-01", "", "中共党员", "2005-07-01", "2006-07-01", "D002"],
            ["李四", P2, A, "一线员工", "2018-01-01", "", "群众", "", "", ""],
            ["王五", P4, B, "一线员工", "2019-01-01", "", "中共党员", "2001-07-01", "2002-07-01", "D001"],
        ],
    ),
    "committees": (
        [["D002", P1, "书记", "2023-07-01", "", "是"]],
        [["D002", P1, "书记", "2023-07-01", "", "否"], ["D001", P1, "委员", "2024-01-01", "", "否"]],
    ),
    "instructors": (
        [["赵六", P3, "离退休干部", A, "2020-01-01", "2024-06-01"]],
        [
            ["赵六", P3, "离退休干部", A, "2020-01-01", "2024-07-01"],
            ["赵六", P3, "离退休干部", B, "2025-01-01", ""],
        ],
    ),
}  # fmt: skip
ORDER = list(FILES)


@pytest.fixture
def base(areas):
    unit_ensure_registries(under=areas["city"])
    return areas


@pytest.fixture
def root(base):
    return factories.user("root", is_superuser=True, is_staff=True)


def run(tmp_path: Path, kind: str, rows: list[list[Any]], name: str = "", **kw: Any) -> int:
    path = write_csv(tmp_path / f"{name or kind}.csv", rows, kind=kind)
    result = import_file(kind, path, **kw)
    assert result.ok, result.errors
    assert result.batch_id is not None
    return result.batch_id


def first_files(tmp_path: Path, upto: str, **kw: Any) -> dict[str, int]:
    """The first file of every kind before `upto` (and of `upto` itself)."""
    batches = {}
    for kind in ORDER[: ORDER.index(upto) + 1]:
        batches[kind] = run(tmp_path, kind, FILES[kind][0], f"{kind}-1", **kw)
    return batches


@pytest.mark.parametrize("kind", ORDER)
def test_an_import_of_creates_and_updates_is_undone_and_every_table_is_as_before(
    kind, tmp_path, root
):
    first_files(tmp_path, kind)
    before = snapshot()
    batch = ImportBatch.objects.get(pk=run(tmp_path, kind, FILES[kind][1], f"{kind}-2"))
    assert batch.created and batch.updated
    assert snapshot() != before
    result = batch_undo(user=root, batch=batch)
    assert result.deleted and result.restored + result.recreated
    assert snapshot() == before
    batch.refresh_from_db()
    assert batch.undone_at is not None


@pytest.mark.parametrize("kind", ORDER)
def test_a_first_import_of_each_kind_is_undone_to_nothing_of_it(kind, tmp_path, root):
    if kind != "orgs":
        first_files(tmp_path, ORDER[ORDER.index(kind) - 1])
    before = snapshot()
    batch = ImportBatch.objects.get(pk=run(tmp_path, kind, FILES[kind][0], f"{kind}-1"))
    batch_undo(user=root, batch=batch)
    assert snapshot() == before


def test_the_undo_is_in_the_history_attributed_to_the_user(tmp_path, root):
    batch = ImportBatch.objects.get(pk=run(tmp_path, "orgs", FILES["orgs"][0]))
    batch_undo(user=root, batch=batch)
    rows = SocialOrganization.history.filter(history_change_reason=undo_reason(batch))
    assert {(r.uscc, r.history_type, r.history_user_id) for r in rows} == {
        (A, "-", root.pk),
        (B, "-", root.pk),
        (C, "-", root.pk),
    }
    assert undo_reason(batch) == f"撤销导入#{batch.pk}"


def test_the_units_an_import_created_go_with_it(tmp_path, root):
    first_files(tmp_path, "orgs")
    batch = ImportBatch.objects.get(pk=run(tmp_path, "orgs", FILES["orgs"][1], "orgs-2"))
    assert Unit.objects.filter(name="芙蓉区体育局").exists()
    batch_undo(user=root, batch=batch)
    assert not Unit.objects.filter(name="芙蓉区体育局").exists()


def test_an_object_changed_afterwards_by_a_save_is_named_in_the_refusal(tmp_path, root):
    batch = ImportBatch.objects.get(pk=run(tmp_path, "orgs", FILES["orgs"][0]))
    editor = factories.user("editor", first_name="张三", role=Role.CITY, area=root_area())
    a = SocialOrganization.objects.get(uscc=A)
    a.staff_count = 99
    a._history_user = editor  # type: ignore[attr-defined]
    a.save()
    before = snapshot()
    with pytest.raises(BatchUndoRefused) as refused:
        batch_undo(user=root, batch=batch)
    when = timezone.localtime(a.history.latest().history_date).strftime("%Y-%m-%d %H:%M")
    assert refused.value.message == (
        f"社会组织 芙蓉区书法协会（统一社会信用代码{A}）在导入之后于{when}由张三修改，不能撤销"
    )
    assert snapshot() == before
    batch.refresh_from_db()
    assert batch.undone_at is None


def root_area():
    from dangjian.areas.models import Area

    return Area.objects.get(code="430100")


def test_an_object_changed_afterwards_by_a_second_import_is_refused(tmp_path, root):
    first = ImportBatch.objects.get(pk=run(tmp_path, "orgs", FILES["orgs"][0], "orgs-1"))
    second = run(tmp_path, "orgs", FILES["orgs"][1], "orgs-2")
    with pytest.raises(BatchUndoRefused) as refused:
        batch_undo(user=root, batch=first)
    assert f"由导入#{second}（系统）修改" in refused.value.message
    assert "芙蓉区书法家协会" in refused.value.message  # as it is named now
    # Once the second is undone, the first can be too: the data is as before both.
    batch_undo(user=root, batch=ImportBatch.objects.get(pk=second))
    batch_undo(user=root, batch=first)
    assert not SocialOrganization.objects.exists()


def test_a_person_created_by_the_batch_and_employed_by_a_later_import_is_refused(tmp_path, root):
    batches = first_files(tmp_path, "people")
    later = [["张三", P1, B, "一线员工", "2020-01-01", "", "中共党员", "2005-07-01", "2006-07-01", "D002"]]  # fmt: skip
    run(tmp_path, "people", later, "people-later")
    assert Employment.objects.filter(person__name="张三").count() == 2
    with pytest.raises(BatchUndoRefused) as refused:
        batch_undo(user=root, batch=ImportBatch.objects.get(pk=batches["people"]))
    assert "人员 张三" in refused.value.message
    assert (
        "由本次导入新增，之后被从业情况 张三 @ 芙蓉区康乐养老服务中心引用" in refused.value.message
    )


def test_many_causes_are_named_up_to_ten(tmp_path, root):
    rows = [org(make_uscc(f"51430102MJJ{n:06d}"), f"芙蓉区协会{n}") for n in range(300, 312)]
    batch = ImportBatch.objects.get(pk=run(tmp_path, "orgs", rows))
    SocialOrganization.objects.all().update(staff_count=1)  # no history: not seen
    for o in SocialOrganization.objects.all():
        o.save()
    with pytest.raises(BatchUndoRefused) as refused:
        batch_undo(user=root, batch=batch)
    assert refused.value.count == 12 and len(refused.value.reasons) == 10
    assert refused.value.message.count("在导入之后") == 10
    assert refused.value.message.endswith("；等12项，不能撤销")


def test_an_undone_batch_is_not_undone_twice_nor_a_running_one(tmp_path, root):
    batch = ImportBatch.objects.get(pk=run(tmp_path, "orgs", FILES["orgs"][0]))
    batch_undo(user=root, batch=batch)
    with pytest.raises(BatchUndoRefused, match=r"已于.*撤销，不能再次撤销"):
        batch_undo(user=root, batch=batch)
    running = ImportBatch.objects.create(
        kind="orgs", file_name="x.csv", file_sha256="0", started_at=timezone.now()
    )
    with pytest.raises(BatchUndoRefused, match="尚未完成"):
        batch_undo(user=root, batch=running)


def test_a_membership_the_import_removed_comes_back(tmp_path, root):
    first_files(tmp_path, "people")
    li = Person.objects.by_id_number(P2).get()
    membership = Membership.objects.get(person=li)
    batch = ImportBatch.objects.get(pk=run(tmp_path, "people", FILES["people"][1], "people-2"))
    assert not Membership.objects.filter(person=li).exists()
    batch_undo(user=root, batch=batch)
    back = Membership.objects.get(person=li)
    assert (back.pk, back.joined_on, back.relation_party_org_id) == (
        membership.pk,
        membership.joined_on,
        membership.relation_party_org_id,
    )


# --- who may, and the page ---------------------------------------------------------------------


@pytest.fixture
def officers(base):
    return {
        "furong": factories.user("furong", role=Role.DISTRICT, area=base["furong"]),
        "furong2": factories.user("furong2", role=Role.DISTRICT, area=base["furong"]),
        "outsider": factories.user("outsider", role=Role.DISTRICT, area=base["tianxin"]),
    }


def test_the_page_undoes_a_batch_for_its_importer_and_is_404_for_an_outsider(tmp_path, officers):
    before = data_snapshot()
    batch_id = run(tmp_path, "orgs", FILES["orgs"][0], user=officers["furong"])
    outsider = Client()
    outsider.force_login(officers["outsider"])
    assert outsider.get(reverse("web:import_batch", args=[batch_id])).status_code == 404
    assert outsider.post(reverse("web:import_batch_undo", args=[batch_id])).status_code == 404
    assert SocialOrganization.objects.count() == 3

    client = Client(enforce_csrf_checks=True)
    client.force_login(officers["furong"])
    page = client.get(reverse("web:import_batch", args=[batch_id]))
    text = page.content.decode()
    assert page.status_code == 200 and "撤销本次导入" in text and "新增 3" in text
    confirm = client.get(reverse("web:import_batch", args=[batch_id]) + "?undo=1")
    assert "确认撤销" in confirm.content.decode()
    token = confirm.cookies["csrftoken"].value if "csrftoken" in confirm.cookies else None
    assert client.post(reverse("web:import_batch_undo", args=[batch_id])).status_code == 403
    answer = client.post(
        reverse("web:import_batch_undo", args=[batch_id]),
        {"csrfmiddlewaretoken": token or client.cookies["csrftoken"].value},
        follow=True,
    )
    text = answer.content.decode()
    assert answer.status_code == 200
    assert f"已撤销导入#{batch_id}" in text and "已撤销（" in text
    assert "撤销本次导入" not in text
    assert data_snapshot() == before
    assert client.get(reverse("web:imports")).content.decode().count("已撤销") == 1


def test_an_officer_whose_area_holds_everything_may_undo_and_a_refusal_is_shown(tmp_path, officers):
    batch_id = run(tmp_path, "orgs", FILES["orgs"][0], user=officers["furong"])
    a = SocialOrganization.objects.get(uscc=A)
    a.staff_count = 3
    a.save()
    client = Client()
    client.force_login(officers["furong2"])
    answer = client.post(reverse("web:import_batch_undo", args=[batch_id]))
    assert answer.status_code == 409
    text = answer.content.decode()
    assert "不能撤销" in text and "芙蓉区书法协会" in text
    assert SocialOrganization.objects.count() == 3


def test_a_user_who_may_not_import_is_refused_the_page(tmp_path, officers, base):
    batch_id = run(tmp_path, "orgs", FILES["orgs"][0], user=officers["furong"])
    registry = factories.user(
        "registry", role=Role.REGISTRY, unit=Unit.objects.get(name="芙蓉区民政局")
    )
    supervisor = factories.user(
        "supervisor", role=Role.SUPERVISOR, unit=factories.unit("芙蓉区教育局", "supervisory",
                                                               Unit.objects.get(name="芙蓉区民政局").area)
    )  # fmt: skip
    client = Client()
    client.force_login(supervisor)  # writes nothing
    assert client.get(reverse("web:import_batch", args=[batch_id])).status_code == 403
    assert client.post(reverse("web:import_batch_undo", args=[batch_id])).status_code == 403
    # The registry writes organizations in forms, and sees its own saves only: another's
    # batch answers as one that does not exist.
    client.force_login(registry)
    assert client.get(reverse("web:import_batch", args=[batch_id])).status_code == 404
    assert client.post(reverse("web:import_batch_undo", args=[batch_id])).status_code == 404
    assert ImportBatch.objects.get(pk=batch_id).undone_at is None


# --- the findings store follows ------------------------------------------------------------------


def open_in_store() -> dict[tuple[Any, ...], tuple[Any, ...]]:
    from dangjian.compliance.models import FindingRecord

    return {
        (r.rule, r.subject_type, r.subject_pk, r.occurrence): (r.message, r.due)
        for r in FindingRecord.objects.filter(resolved_on__isnull=True)
    }


def found_by_check() -> dict[tuple[Any, ...], tuple[Any, ...]]:
    from dangjian.compliance.engine import evaluate

    return {
        (f.rule, f.subject.type, f.subject.pk, f.occurrence): (f.message, f.due)
        for f in evaluate(as_of=timezone.localdate()).findings
    }


@pytest.mark.django_db(transaction=True)
def test_the_findings_store_follows_the_undo(tmp_path, root):
    from dangjian.compliance.engine import evaluate, record

    record(evaluate(as_of=timezone.localdate()))
    first_files(tmp_path, "instructors")
    assert open_in_store() == found_by_check()
    before = open_in_store()
    batch_id = run(tmp_path, "party-orgs", FILES["party-orgs"][1], "party-orgs-2")
    assert open_in_store() != before  # the import changed the findings
    assert open_in_store() == found_by_check()
    batch_undo(user=root, batch=ImportBatch.objects.get(pk=batch_id))
    assert open_in_store() == found_by_check() == before
