"""No English left where a user reads: the API's 422 messages, the API docs page, the admin
(its time-zone note, its headings) and the icon of its pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from dangjian.accounts.models import User
from dangjian.accounts.tokens import token_create
from tests.actors import build_world

pytestmark = pytest.mark.django_db

ENGLISH = [
    "Field required",
    "Input should",
    "String should",
    "valid integer",
    "valid date",
    "Not Found",
    "Note: You are",
    "Model name",
    "Add link",
    "Django",
]
BAD_TRANSLATIONS = ["型号名称", "增加连接", "更改或查看清单连接"]


@pytest.fixture
def world(areas):
    return build_world(areas)


@pytest.fixture
def bearer(world) -> Client:
    _record, token = token_create(user=world.users["furong"])
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def admin_client(areas) -> Client:
    user = User.objects.create_superuser("operator", "operator@example.com", password=None)
    client = Client()
    client.force_login(user)
    return client


def english_in(text: str) -> list[str]:
    return [word for word in ENGLISH + BAD_TRANSLATIONS if word in text]


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        ("/api/v1/orgs", {"page": "0"}, "页码「0」：应不小于1"),
        ("/api/v1/orgs", {"page": "x"}, "页码「x」：应为整数"),
        ("/api/v1/orgs", {"page_size": "100000"}, "每页条数「100000」：应不大于500"),
        ("/api/v1/orgs", {"kind": "nonsense"}, "类型「nonsense」：应为以下之一：association、"),
        ("/api/v1/orgs", {"area": "12"}, "区划代码「12」：应为6、9或12位数字的区划代码"),
        ("/api/v1/orgs", {"q": "长" * 101}, "：最多100个字"),
        ("/api/v1/findings", {"as_of": "garbage"}, "检查日期「garbage」：无法识别的日期"),
        ("/api/v1/findings", {"as_of": "2026-02-30"}, "检查日期「2026-02-30」：无法识别的日期"),
        ("/api/v1/findings", {"rule": "NOPE"}, "规则编号「NOPE」：应为以下之一："),
        ("/api/v1/imports/nope", {}, "导入类别「nope」：应为以下之一：orgs、"),
    ],
)
def test_the_apis_422_names_the_field_and_the_value_in_chinese(bearer, path, query, expected):
    response = bearer.post(path) if "imports" in path else bearer.get(path, query)
    assert response.status_code == 422
    body = response.json()
    detail = body["detail"]
    assert isinstance(detail, list) and {"type", "loc", "msg"} <= set(detail[0])
    assert any(expected in error["msg"] for error in detail), detail
    assert not english_in(json.dumps(body, ensure_ascii=False))


def test_a_missing_file_is_named_in_chinese(bearer):
    detail = bearer.post("/api/v1/imports/orgs").json()["detail"]
    assert detail == [{"type": "missing", "loc": ["file", "file"], "msg": "缺少文件"}]


def test_an_api_path_that_does_not_exist_answers_in_chinese(bearer):
    response = bearer.get("/api/v1/orgs/x/y")
    assert response.status_code == 404
    assert not english_in(response.content.decode())


def test_the_api_docs_page_is_chinese_and_leads_back_to_the_system(world):
    client = Client()
    client.force_login(world.users["city"])
    page = client.get("/api/v1/docs").content.decode()
    assert "<title>接口文档 · 社会组织党建工作管理系统</title>" in page
    assert 'href="/">← 返回首页</a>' in page
    assert "Authorization: Bearer" in page and "dangjian token create" in page
    # Swagger UI from this machine, and its buttons put in Chinese by our script.
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert "/static/web/api-docs.js" in page
    found = finders.find("web/api-docs.js")
    assert isinstance(found, str)
    script = Path(found).read_text(encoding="utf-8")
    for english, chinese in (("Authorize", "认证"), ("Try it out", "试一试")):
        assert f'"{english}": "{chinese}"' in script
    assert not english_in(page)


ADMIN_PAGES = [
    "/admin/",
    "/admin/orgs/",
    "/admin/orgs/socialorganization/",
    "/admin/orgs/socialorganization/add/",
    "/admin/accounts/user/add/",
    "/admin/password_change/",
]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_the_admin_pages_are_chinese_and_carry_the_icon(admin_client, path):
    response = admin_client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-hans"' in page
    assert not english_in(page), english_in(page)
    assert 'rel="icon" href="/static/web/favicon.svg"' in page


def test_the_admin_index_names_its_columns_properly(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "数据类型" in page and "新增" in page


def test_the_admin_scripts_time_zone_note_is_chinese(admin_client):
    catalog = admin_client.get("/admin/jsi18n/").content.decode()
    for words in ("请按 %(timezone)s 时区", "您的电脑时间比它快", "您的电脑时间比它慢", "今天（"):
        assert json.dumps(words)[1:-1] in catalog, words


def test_favicon_ico_leads_to_the_systems_icon():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/web/favicon.svg"


def test_the_schema_describes_the_answers_in_chinese():
    schema = Client().get("/api/v1/openapi.json").json()
    descriptions = {
        response["description"]
        for operations in schema["paths"].values()
        for operation in operations.values()
        for response in operation["responses"].values()
    }
    assert "不存在（或不在管辖范围内）" in descriptions
    assert not {"OK", "Not Found", "Unauthorized", "Unprocessable Content"} & descriptions


def test_a_method_the_api_does_not_take_is_refused_in_chinese(bearer):
    response = bearer.delete("/api/v1/orgs")
    assert response.status_code == 405
    assert "GET" in response["Allow"]
    detail = response.json()["detail"]
    assert detail.startswith("本接口不接受 DELETE 请求") and "GET" in detail
