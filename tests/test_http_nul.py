"""A NUL character (U+0000) in any input answers the same on SQLite and PostgreSQL (which
cannot store one in a text field): a 404 in a path, a Chinese 400 page or a 422 in a
parameter or form field, the row's Chinese error in an import cell — never a 500."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from dangjian.accounts.tokens import token_create
from dangjian.areas.services import unit_ensure_registries
from dangjian.imports.models import PendingUpload
from dangjian.lib.codes import make_uscc
from dangjian.orgs.models import SocialOrganization
from tests import importing
from tests.actors import build_world
from tests.importing import write_csv, write_xlsx

pytestmark = pytest.mark.django_db

A = make_uscc("51430102MJJ000201")


@pytest.fixture
def world(areas):
    unit_ensure_registries(under=areas["city"])
    return build_world(areas)


@pytest.fixture
def officer(world) -> Client:
    client = Client()
    client.force_login(world.users["furong"])
    return client


@pytest.fixture
def bearer(world) -> Client:
    _record, token = token_create(user=world.users["furong"])
    return Client(headers={"Authorization": f"Bearer {token}"})


PAGE_PATHS = [
    "/orgs/%00/",
    "/orgs/A%00B/",
    "/party-orgs/%00/",
    "/imports/templates/%00.csv",
    "/%00",
    "/admin/orgs/socialorganization/%00/change/",
]
API_PATHS = ["/api/v1/orgs/%00", "/api/v1/party-orgs/%00", "/api/v1/orgs/51%00"]


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_a_nul_in_a_page_path_answers_the_chinese_404(officer, path):
    response = officer.get(path)
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.parametrize("path", API_PATHS)
def test_a_nul_in_an_api_path_answers_404_in_json(bearer, path):
    response = bearer.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "不存在"}


PAGE_QUERIES = [
    ("/orgs/", {"q": "\x00"}),
    ("/orgs/", {"area": "\x00"}),
    ("/orgs/", {"q\x00": "x"}),
    ("/orgs/export.xlsx", {"q": "\x00"}),
    ("/party-orgs/", {"q": "\x00"}),
    ("/findings/", {"q": "\x00"}),
    ("/reports/joint/", {"township": "\x00"}),
    ("/reports/coverage/", {"as_of": "2026-01-01\x00"}),
    ("/admin/orgs/socialorganization/", {"q": "\x00"}),
]


@pytest.mark.parametrize(("path", "query"), PAGE_QUERIES)
def test_a_nul_in_a_query_parameter_answers_a_chinese_400_page(officer, path, query):
    response = officer.get(path, query)
    assert response.status_code == 400
    body = response.content.decode()
    assert "空字符" in body and "<html" in body


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/orgs", {"q": "\x00"}),
        ("/api/v1/orgs", {"area": "\x00"}),
        ("/api/v1/party-orgs", {"area": "43\x00"}),
        ("/api/v1/findings", {"rule": "\x00"}),
        ("/api/v1/orgs", {"\x00": "1"}),
    ],
)
def test_a_nul_in_an_api_parameter_answers_422_in_chinese(bearer, path, query):
    response = bearer.get(path, query)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["type"] == "nul_character" and "空字符" in detail[0]["msg"]


def test_a_nul_in_a_form_field_answers_400_and_logs_nobody_in(world):
    client = Client()
    response = client.post("/login/", {"username": "furong\x00", "password": "x"})
    assert response.status_code == 400 and "空字符" in response.content.decode()
    response = client.post("/admin/login/", {"username": "\x00", "password": "x"})
    assert response.status_code == 400


def test_a_nul_in_an_uploaded_file_name_never_reaches_the_database(officer, bearer, tmp_path):
    """Django removes the non-printable characters of an uploaded file's name."""
    path = write_csv(tmp_path / "orgs.csv", [importing.org_row(A)], kind="orgs")
    data = path.read_bytes()
    upload = io.BytesIO(data)
    upload.name = "orgs\x00.csv"
    response = officer.post("/imports/upload/", {"kind": "orgs", "file": upload})
    assert response.status_code == 302
    assert PendingUpload.objects.get().file_name == "orgs.csv"
    upload = io.BytesIO(data)
    upload.name = "orgs\x00.csv"
    response = bearer.post("/api/v1/imports/orgs", {"file": upload, "dry_run": "true"})
    assert response.status_code == 200 and response.json()["file"] == "orgs.csv"


def test_a_nul_in_the_session_cookie_is_no_session(world):
    client = Client()
    client.cookies["sessionid"] = "\x00abcdefghijkl"
    response = client.get("/orgs/")
    assert response.status_code == 302  # to the log-in page, as with no session


COLUMNS = ["uscc", "name", "kind", "registry", "mode", "supervisor", "industry", "district"]
COLUMNS += ["township", "community", "registered_on", "status", "changed_on", "staff"]


@pytest.mark.parametrize("column", ["uscc", "name", "registry", "township", "staff"])
@pytest.mark.parametrize("writer", [write_csv, write_xlsx])
def test_a_nul_in_an_import_cell_is_the_rows_chinese_error(world, tmp_path, capsys, column, writer):
    index = COLUMNS.index(column)
    row = importing.org_row(A)
    # xlsx cannot hold U+0000 in its XML: Excel writes it as the escape _x0000_, which the
    # reader turns back into the character.
    nul = "\x00" if writer is write_csv else "_x0000_"
    row[index] = row[index][:2] + nul + row[index][2:]
    # In a CSV, a NUL among the first 64 KiB is taken for a binary file (the reader's own
    # Chinese error, tested below); after them, it is a cell like any other.
    before = [importing.org_row(make_uscc(f"51430102MJJ{n:06d}")) for n in range(1000, 1500)]
    rows = [*before, row] if writer is write_csv else [row]
    path = writer(tmp_path / f"orgs.{'csv' if writer is write_csv else 'xlsx'}", rows, kind="orgs")
    with pytest.raises(SystemExit) as info:
        call_command("import", "orgs", str(path))
    assert info.value.code == 1
    err = capsys.readouterr().err
    label = importing.header("orgs")[index]
    assert f"第{len(rows) + 1}行 {label}「" in err, err
    assert "Traceback" not in err
    assert not SocialOrganization.objects.filter(uscc=A).exists()


def test_a_nul_at_the_start_of_a_csv_is_the_readers_chinese_error(world, tmp_path, capsys):
    row = importing.org_row(A, name="芙蓉\x00书法协会")
    path = write_csv(tmp_path / "orgs.csv", [row], kind="orgs")
    with pytest.raises(SystemExit) as info:
        call_command("import", "orgs", str(path))
    assert info.value.code == 1
    assert "文件含有二进制内容" in capsys.readouterr().err
