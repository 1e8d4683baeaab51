"""The users' pages: create, deactivate, reset a password, change one's own — each audited
and in the user's history; messages in Chinese next to their fields, what was typed kept."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.accounts.models import Role, User
from dangjian.core.models import AuditAction, AuditEvent
from tests.actors import build_world

pytestmark = pytest.mark.django_db
PASSWORD = "Test-password-123"


@pytest.fixture
def world(areas):
    return build_world(areas)


def officer(world: Any) -> Client:
    client = Client()
    client.force_login(world.users["furong"])
    return client


def shown_password(response: Any) -> str:
    found = re.search(r'id="shown-password">([^<]+)<', response.content.decode())
    assert found, response.content.decode()[:3000]
    return found.group(1)


def field_error(response: Any, field: str) -> str:
    found = re.search(rf'id="id_{field}_error">([^<]*)<', response.content.decode())
    assert found, f"no message next to {field}"
    return found.group(1)


def can_log_in(username: str, password: str) -> bool:
    return (
        Client()
        .post(reverse("web:login"), {"username": username, "password": password})
        .status_code
        == 302
    )


def test_a_district_officer_creates_a_township_user_who_can_log_in(world):
    response = officer(world).post(
        reverse("web:user_add"),
        {"username": "wy2", "full_name": "钱二", "role": "township", "area_code": "430102001"},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = shown_password(response)
    user = User.objects.get(username="wy2")
    assert (user.role, user.area.code, user.first_name) == ("township", "430102001", "钱二")
    assert can_log_in("wy2", password)
    event = AuditEvent.objects.get(action=AuditAction.USER_CREATE)
    assert event.user == world.users["furong"] and "wy2" in event.detail
    record = user.history.earliest("history_date")
    assert record.history_user == world.users["furong"]
    assert record.history_change_reason == "新建用户"
    assert password not in str(record.__dict__)  # no password field in the history


def test_the_form_keeps_what_was_typed_and_says_what_is_wrong_next_to_it(world):
    client = officer(world)
    response = client.post(
        reverse("web:user_add"),
        {"username": "wenyilu", "full_name": "重名", "role": "township", "area_code": "430103001"},
    )
    assert response.status_code == 200
    assert field_error(response, "username") == "用户名「wenyilu」已存在"
    # 坡子街街道 is 天心区's: for 芙蓉区's officer it does not exist.
    assert field_error(response, "area_code") == "区划代码「430103001」不存在"
    body = response.content.decode()
    assert 'value="重名"' in body and 'value="430103001"' in body
    assert '<option value="township" selected>' in body
    # The roles offered are those the officer may create.
    assert '<option value="city"' not in body and '<option value="district"' not in body
    missing = client.post(reverse("web:user_add"), {"username": "x1", "role": "org"})
    assert field_error(missing, "party_org_code") == "角色「党组织书记」须指定所在党组织"
    # A role the officer may not create: 403 with the reason, nothing written.
    refused = client.post(
        reverse("web:user_add"), {"username": "d2", "role": "district", "area_code": "430102"}
    )
    assert refused.status_code == 403
    assert "您不能新建角色为「区级管理员」的用户" in refused.content.decode()
    assert not User.objects.filter(username__in=["x1", "d2"]).exists()
    assert not AuditEvent.objects.exists()


def test_a_deactivated_user_cannot_log_in_and_the_reason_is_recorded(world):
    client = officer(world)
    target = world.users["wenyilu"]
    assert can_log_in("wenyilu", PASSWORD)
    url = reverse("web:user_deactivate", kwargs={"pk": target.pk})
    empty = client.post(url, {"reason": ""})
    assert field_error(empty, "reason") == "请填写停用原因"
    response = client.post(url, {"reason": "调离岗位"})
    assert response.status_code == 302
    assert "已停用用户「wenyilu」" in client.get(response["Location"]).content.decode()
    target.refresh_from_db()
    assert not target.is_active
    assert not can_log_in("wenyilu", PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.USER_DEACTIVATE)
    assert event.user == world.users["furong"] and "调离岗位" in event.detail
    latest = target.history.latest("history_date")
    assert latest.history_change_reason == "停用：调离岗位" and not latest.is_active
    # The user's page shows it, and its history.
    page = client.get(reverse("web:user", kwargs={"pk": target.pk})).content.decode()
    assert "停用：调离岗位" in page and "status-off" in page
    again = client.post(url, {"reason": "再次"})
    assert field_error(again, "reason") == "用户「wenyilu」已经停用"
    # A session already open ends with the account.
    session = Client()
    session.force_login(target)
    assert session.get(reverse("web:dashboard")).status_code == 302


def test_a_reset_password_works_and_the_old_one_does_not(world):
    client = officer(world)
    target = world.users["secretary"]
    url = reverse("web:user_reset_password", kwargs={"pk": target.pk})
    assert "生成新密码" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = shown_password(response)
    assert can_log_in("secretary", password)
    assert not can_log_in("secretary", PASSWORD)
    target.refresh_from_db()
    assert target.is_active and target.party_org == world.party_orgs["fr"]
    assert AuditEvent.objects.filter(action=AuditAction.USER_RESET_PASSWORD).count() == 1
    assert target.history.filter(history_change_reason="重置密码").count() == 1


def test_everyone_changes_their_own_password(world):
    client = Client()
    client.force_login(world.users["instructor"])
    url = reverse("web:password_change")
    wrong = client.post(
        url,
        {"old_password": "nope", "new_password1": "Fresh-pass-789", "new_password2": "x"},
    )
    assert "旧密码不正确" in field_error(wrong, "old_password")
    weak = client.post(
        url, {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert "全部为数字" in field_error(weak, "new_password2") or "数字" in weak.content.decode()
    done = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "Fresh-pass-789",
            "new_password2": "Fresh-pass-789",
        },
    )
    assert done.status_code == 302
    assert "密码已修改" in client.get(done["Location"]).content.decode()  # still logged in
    assert can_log_in("instructor", "Fresh-pass-789") and not can_log_in("instructor", PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGE)
    assert event.user == world.users["instructor"]
    changed = world.users["instructor"].history.get(history_change_reason="修改本人密码")
    assert changed.history_user == world.users["instructor"]


def test_the_list_shows_the_columns_and_the_city_officer_manages_district_officers(world):
    client = Client()
    client.force_login(world.users["city"])
    body = client.get(reverse("web:users")).content.decode()
    for column in ("用户名", "姓名", "角色", "管辖范围", "状态", "最近登录"):
        assert column in body
    assert "furong" in body and "芙蓉区" in body and "天心区" in body
    assert ">wenyilu<" not in body
    found = client.get(reverse("web:users"), {"state": "inactive"}).content.decode()
    assert "共 0 个用户" in found
    export = client.get(reverse("web:users_export"))
    assert export.status_code == 200 and "spreadsheet" in export["Content-Type"]


def test_the_command_and_the_page_share_one_validation(world):
    from django.core.exceptions import ValidationError

    from dangjian.accounts.services import UserPermissionDenied, user_create

    furong = world.users["furong"]
    with pytest.raises(ValidationError) as outside:
        user_create(
            username="t",
            role=Role.TOWNSHIP,
            password="Good-pass-123",
            area_code="430103001",
            actor=furong,
        )
    assert outside.value.message_dict["area"] == ["区划代码「430103001」不存在"]
    with pytest.raises(UserPermissionDenied):
        user_create(
            username="t",
            role=Role.CITY,
            password="Good-pass-123",
            area_code="430100",
            actor=furong,
        )
    # The command (no actor) may create anywhere.
    user_create(username="t", role=Role.TOWNSHIP, password="Good-pass-123", area_code="430103001")
    assert AuditEvent.objects.get(action=AuditAction.USER_CREATE).user is None
