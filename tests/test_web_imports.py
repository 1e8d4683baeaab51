"""The import pages: upload → check (dry run) → confirm → background import → result, with
real files, the real import service, and Django's ImmediateBackend running the tasks inside
the request (one test runs the database backend's real worker command instead)."""

from __future__ import annotations

import csv
import io
import signal
from contextlib import suppress
from pathlib import Path

import pytest
from asgiref.local import Local
from django.core.management import call_command
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.tasks import task_backends
from django.test import Client
from django.urls import reverse

from dangjian.areas.services import unit_ensure_registries
from dangjian.imports import tasks
from dangjian.imports.models import ImportBatch, PendingUpload, UploadState
from dangjian.imports.registry import KINDS
from dangjian.lib.codes import make_uscc
from dangjian.orgs.models import SocialOrganization
from tests import importing
from tests.actors import build_world
from tests.importing import header, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
A = make_uscc("51430102MJJ000101")  # 社会团体 in 芙蓉区
B = make_uscc("52430102MJJ000102")  # 社会服务机构 in 芙蓉区


@receiver(setting_changed)
def _reset_task_backends(*, setting: str, **kwargs: object) -> None:
    """Django caches its task backends and does not reset them when TASKS changes."""
    if setting == "TASKS":
        with suppress(AttributeError):
            del task_backends.settings
        task_backends._connections = Local(task_backends.thread_critical)  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _tasks_and_files(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def world(areas):
    unit_ensure_registries(under=areas["city"])
    return build_world(areas)


def org_row(uscc=A, name="芙蓉区书法研究会", **over):
    return importing.org_row(uscc, name, **over)


def login(world, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def upload(client: Client, path: Path, kind: str = "orgs"):
    with path.open("rb") as fh:
        return client.post(reverse("web:import_upload"), {"kind": kind, "file": fh})


def latest() -> PendingUpload:
    return PendingUpload.objects.latest("pk")


def test_a_good_file_is_checked_then_imported_on_confirmation(world, tmp_path):
    client = login(world, "furong")
    before = SocialOrganization.objects.count()
    path = write_csv(
        tmp_path / "名录.csv",
        [org_row(), org_row(B, "芙蓉区康乐服务中心", kind="社会服务机构")],
        kind="orgs",
    )
    response = upload(client, path)
    up = latest()
    assert response.status_code == 302 and response["Location"] == reverse(
        "web:import_detail", args=[up.pk]
    )
    # The file is kept until confirmed; the check wrote nothing.
    assert up.state == UploadState.CHECKED and up.data_path.read_bytes() == path.read_bytes()
    assert SocialOrganization.objects.count() == before and not ImportBatch.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "检查通过：共 2 行，将新增 2 个" in page and "确认导入" in page
    assert up.check_summary["created"] == 2

    response = client.post(reverse("web:import_confirm", args=[up.pk]), {"skip_invalid": "0"})
    assert response.status_code == 302
    up.refresh_from_db()
    batch = ImportBatch.objects.get()
    assert up.state == UploadState.IMPORTED and up.batch == batch
    assert (batch.user, batch.file_name, batch.created) == (world.users["furong"], "名录.csv", 2)
    assert SocialOrganization.objects.filter(uscc__in=[A, B]).count() == 2
    assert not up.data_path.exists()  # imported: the records hold the data now
    page = client.get(reverse("web:import_detail", args=[up.pk])).content.decode()
    assert f"导入#{batch.pk}" in page and "导入完成" in page and "下一步：导入党组织" in page
    # The index lists the batch among the user's imports.
    assert f"导入#{batch.pk}" in client.get(reverse("web:imports")).content.decode()


def test_the_check_shows_which_fields_an_update_changes(world, tmp_path):
    client = login(world, "furong")
    org = world.orgs["fr_assoc"]
    path = write_xlsx(tmp_path / "更新.xlsx", [org_row(org.uscc, "芙蓉区书法家协会")], kind="orgs")
    upload(client, path)
    up = latest()
    assert up.state == UploadState.CHECKED and up.check_summary["updated"] == 1
    page = client.get(reverse("web:import_detail", args=[up.pk])).content.decode()
    assert "将更新的记录" in page and "第2行" in page and "社会组织名称" in page
    assert SocialOrganization.objects.get(pk=org.pk).name == "芙蓉区书法协会"


def test_a_bad_file_shows_each_error_writes_nothing_and_offers_the_rejected_rows(world, tmp_path):
    client = login(world, "furong")
    before = SocialOrganization.objects.count()
    path = write_csv(
        tmp_path / "bad.csv",
        [org_row(), org_row(B, kind="社会服务机构", township="不存在街道")],
        kind="orgs",
    )
    upload(client, path)
    up = latest()
    assert up.state == UploadState.CHECKED and up.check_summary["errors"] == 1
    page = client.get(reverse("web:import_detail", args=[up.pk])).content.decode()
    assert "第3行" in page and "所在乡镇(街道)" in page and "不存在街道" in page
    assert "下载错误行（CSV）" in page and "跳过错误行导入" in page
    # Confirming all-or-nothing is refused: nothing is queued, nothing written.
    client.post(reverse("web:import_confirm", args=[up.pk]), {"skip_invalid": "0"})
    up.refresh_from_db()
    assert up.state == UploadState.CHECKED
    assert SocialOrganization.objects.count() == before and not ImportBatch.objects.exists()
    # The rejected rows, with their row number and reason, ready to fix and upload again.
    response = client.get(reverse("web:import_errors", args=[up.pk, "check"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    text = response.getvalue().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["原行号", "错误原因"] and rows[0][2:] == header("orgs")
    assert len(rows) == 2 and rows[1][0] == "3" and "不存在街道" in rows[1]


def test_skipping_the_invalid_rows_is_an_explicit_second_choice(world, tmp_path):
    client = login(world, "furong")
    path = write_csv(
        tmp_path / "mixed.csv",
        [org_row(), org_row(B, kind="社会服务机构", registered_on="2015-13-01")],
        kind="orgs",
    )
    upload(client, path)
    up = latest()
    client.post(reverse("web:import_confirm", args=[up.pk]), {"skip_invalid": "1"})
    up.refresh_from_db()
    assert up.state == UploadState.IMPORTED and up.skip_invalid
    assert SocialOrganization.objects.filter(uscc=A).exists()
    assert not SocialOrganization.objects.filter(uscc=B).exists()
    batch = ImportBatch.objects.get()
    assert (batch.created, batch.rejected, batch.skip_invalid) == (1, 1, True)
    page = client.get(reverse("web:import_detail", args=[up.pk])).content.decode()
    assert f"导入#{batch.pk}" in page and "有错误的 1 行已跳过" in page
    assert "成立登记日期" in page and "2015-13-01" in page
    response = client.get(reverse("web:import_errors", args=[up.pk, "import"]))
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["city", "furong", "wenyilu"])
def test_area_officers_find_the_imports_in_the_menu(world, name):
    home = login(world, name).get(reverse("web:dashboard")).content.decode()
    assert f'href="{reverse("web:imports")}"' in home


@pytest.mark.parametrize("name", ["secretary", "supervisor", "instructor"])
def test_only_area_officers_may_import(world, tmp_path, name):
    client = login(world, name)
    home = client.get(reverse("web:dashboard")).content.decode()
    assert f'href="{reverse("web:imports")}"' not in home  # no menu entry to a refusal
    response = client.get(reverse("web:imports"))
    assert response.status_code == 403 and "无权导入数据" in response.content.decode()
    path = write_csv(tmp_path / "x.csv", [org_row()], kind="orgs")
    assert upload(client, path).status_code == 403
    assert not PendingUpload.objects.exists()
    assert client.get(reverse("web:import_template", args=["orgs", "csv"])).status_code == 403


def test_the_registry_imports_its_own_kinds_only(world, tmp_path):
    """Issue 18: the registry imports the registration facts, inspections and evaluations
    of the organizations it registered directly — the page offers those three kinds only."""
    client = login(world, "registry")
    home = client.get(reverse("web:dashboard")).content.decode()
    assert f'href="{reverse("web:imports")}"' in home
    page = client.get(reverse("web:imports")).content.decode()
    assert '<option value="inspections"' in page and '<option value="orgs"' in page
    assert '<option value="people"' not in page
    path = write_csv(tmp_path / "p.csv", [], kind="people")
    response = upload(client, path, kind="people")
    assert response.status_code == 200 and not PendingUpload.objects.exists()
    path = write_csv(tmp_path / "i.csv", [[world.orgs["fr_assoc"].uscc, "2025", "合格", "否",
                                           "2026-04-01"]], kind="inspections")  # fmt: skip
    upload(client, path, kind="inspections")
    up = latest()
    client.post(reverse("web:import_confirm", args=[up.pk]), {"skip_invalid": "0"})
    assert world.orgs["fr_assoc"].inspections.count() == 1


def test_the_service_refuses_an_organization_outside_the_officers_district(world, tmp_path):
    client = login(world, "outsider")  # 天心区
    path = write_csv(tmp_path / "fr.csv", [org_row()], kind="orgs")  # a 芙蓉区 organization
    upload(client, path)
    up = latest()
    page = client.get(reverse("web:import_detail", args=[up.pk])).content.decode()
    assert "文艺路街道" in page and "不在您的管辖范围" in page and "天心区" in page
    client.post(reverse("web:import_confirm", args=[up.pk]), {"skip_invalid": "0"})
    assert not SocialOrganization.objects.filter(uscc=A).exists()


def test_the_progress_partial_polls_while_busy_and_reloads_when_done(world):
    client = login(world, "furong")
    up = PendingUpload.objects.create(
        user=world.users["furong"], kind="orgs", file_name="a.csv", folder="f1",
        state=UploadState.IMPORTING,
    )  # fmt: skip
    up.path.mkdir(parents=True)
    url = reverse("web:import_progress", args=[up.pk])
    page = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in page and "<progress" in page and "value=" not in page
    up.write_progress(50, 200)
    response = client.get(url, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert 'value="25"' in page and "已完成 25%" in page and "HX-Refresh" not in response
    assert "style=" not in page  # the Content-Security-Policy forbids inline styles
    # On the detail page, the same partial.
    detail = client.get(reverse("web:import_detail", args=[up.pk])).content.decode()
    assert 'hx-get="' + url in detail and 'value="25"' in detail
    PendingUpload.objects.filter(pk=up.pk).update(state=UploadState.CHECKED)
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true" and "hx-trigger" not in response.content.decode()


def test_a_task_waiting_for_long_says_the_worker_may_not_run(world, settings, tmp_path):
    settings.TASKS = DATABASE  # queued, and no worker here
    client = login(world, "furong")
    upload(client, write_csv(tmp_path / "a.csv", [org_row()], kind="orgs"))
    up = latest()
    assert up.state == UploadState.CHECK_QUEUED and up.task_id
    url = reverse("web:import_progress", args=[up.pk])
    assert "db_worker" not in client.get(url).content.decode()
    PendingUpload.objects.filter(pk=up.pk).update(created_at=up.created_at.replace(year=2020))
    assert "db_worker" in client.get(url).content.decode()


def test_template_downloads_open_in_excel_and_as_csv(world):
    from openpyxl import load_workbook

    client = login(world, "wenyilu")
    page = client.get(reverse("web:imports")).content.decode()
    assert "社会组织 → 党组织 → 人员 → 班子成员 → 党建工作指导员" in page
    for kind in KINDS:
        response = client.get(reverse("web:import_template", args=[kind, "xlsx"]))
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
        book = load_workbook(io.BytesIO(response.content))
        first = [cell.value for cell in next(book.active.iter_rows(max_row=1))]
        assert first == header(kind)
        response = client.get(reverse("web:import_template", args=[kind, "csv"]))
        assert response.status_code == 200
        assert next(csv.reader(io.StringIO(response.content.decode("utf-8-sig")))) == header(kind)
        assert reverse("web:import_template", args=[kind, "csv"]) in page
    assert client.get("/imports/templates/orgs.xls").status_code == 404


def test_the_upload_form_says_what_is_wrong_and_keeps_the_kind(world, tmp_path, monkeypatch):
    client = login(world, "city")
    bad = tmp_path / "名录.xls"
    bad.write_bytes(b"old excel")
    response = upload(client, bad, kind="people")
    page = response.content.decode()
    assert response.status_code == 200 and "只能导入 .csv 或 .xlsx 文件" in page
    assert '<option value="people" selected>' in page
    monkeypatch.setattr("dangjian.imports.views.MAX_UPLOAD", 10)
    response = upload(client, write_csv(tmp_path / "big.csv", [org_row()], kind="orgs"))
    assert response.status_code == 200 and "文件太大" in response.content.decode()
    response = client.post(reverse("web:import_upload"), {"kind": "orgs"})
    assert "请选择要上传的文件" in response.content.decode()
    assert not PendingUpload.objects.exists()


def test_an_upload_belongs_to_its_user(world, tmp_path):
    upload(login(world, "furong"), write_csv(tmp_path / "a.csv", [org_row()], kind="orgs"))
    up = latest()
    other = login(world, "city")
    for name in ("web:import_detail", "web:import_progress"):
        assert other.get(reverse(name, args=[up.pk])).status_code == 404
    assert other.get(reverse("web:import_errors", args=[up.pk, "check"])).status_code == 404
    other.post(reverse("web:import_confirm", args=[up.pk]), {"skip_invalid": "0"})
    up.refresh_from_db()
    assert up.state == UploadState.CHECKED
    # Whose it is comes before the method: the same 404 as for one that does not exist.
    for name in ("web:import_confirm", "web:import_retry", "web:import_discard"):
        assert other.get(reverse(name, args=[up.pk])).status_code == 404
        assert login(world, "furong").get(reverse(name, args=[up.pk])).status_code == 405


def test_discarding_deletes_the_file(world, tmp_path):
    client = login(world, "furong")
    upload(client, write_csv(tmp_path / "a.csv", [org_row()], kind="orgs"))
    up = latest()
    assert up.path.is_dir()
    assert "a.csv" in client.get(reverse("web:imports")).content.decode()  # to come back to
    client.post(reverse("web:import_discard", args=[up.pk]))
    up.refresh_from_db()
    assert up.state == UploadState.DISCARDED and not up.path.exists()
    assert not SocialOrganization.objects.filter(uscc=A).exists()


def test_many_errors_are_paginated_and_listed_by_column(world, tmp_path):
    client = login(world, "furong")
    rows = [org_row(make_uscc(f"51430102MJJ{n:06d}"), f"协会{n}", staff="-1") for n in range(120)]
    rows.append(org_row(township="不存在街道"))
    upload(client, write_csv(tmp_path / "many.csv", rows, kind="orgs"))
    up = latest()
    assert up.check_summary["errors"] == 121
    url = reverse("web:import_detail", args=[up.pk])
    page = client.get(url).content.decode()
    assert "第 1 / 3 页" in page and "第2行" in page and "第60行" not in page
    page = client.get(url, {"page": 3}).content.decode()
    assert "第122行" in page and "第 3 / 3 页" in page
    page = client.get(url, {"column": "所在乡镇(街道)"}).content.decode()
    assert "第122行" in page and "第2行" not in page and "所在乡镇(街道)（1）" in page


def test_a_failed_task_says_so_and_can_be_checked_again(world, tmp_path, monkeypatch):
    client = login(world, "furong")

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(tasks, "import_file", boom)
    upload(client, write_csv(tmp_path / "a.csv", [org_row()], kind="orgs"))
    up = latest()
    assert up.state == UploadState.FAILED
    page = client.get(reverse("web:import_detail", args=[up.pk])).content.decode()
    assert "系统错误" in page and "disk on fire" not in page and "重新检查" in page
    monkeypatch.undo()
    client.post(reverse("web:import_retry", args=[up.pk]))
    up.refresh_from_db()
    assert up.state == UploadState.CHECKED and up.check_summary["created"] == 1


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_the_queued_tasks(world, settings, tmp_path):
    """The real backend and its worker command, in one-shot (`--batch`) mode. Outside a
    test transaction: the worker closes the connections it finds inside one, as obsolete."""
    settings.TASKS = DATABASE
    client = login(world, "furong")
    upload(client, write_csv(tmp_path / "a.csv", [org_row()], kind="orgs"))
    up = latest()
    assert up.state == UploadState.CHECK_QUEUED
    page = client.get(reverse("web:import_detail", args=[up.pk])).content.decode()
    assert "等待检查" in page and 'hx-trigger="every 1s"' in page

    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
        up.refresh_from_db()
        assert up.state == UploadState.CHECKED and up.check_summary["created"] == 1
        client.post(reverse("web:import_confirm", args=[up.pk]), {"skip_invalid": "0"})
        up.refresh_from_db()
        assert up.state == UploadState.IMPORT_QUEUED
        assert not SocialOrganization.objects.filter(uscc=A).exists()
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    up.refresh_from_db()
    assert up.state == UploadState.IMPORTED and up.batch is not None
    assert SocialOrganization.objects.filter(uscc=A).exists()
