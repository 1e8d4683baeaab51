"""`dangjian user add` (CONTRACT.md): the role fixes the jurisdiction."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.accounts.models import Role, User
from tests import factories

pytestmark = pytest.mark.django_db


def _add(*args, stdin=None):
    out = io.StringIO()
    if stdin is not None:
        sys_stdin, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        call_command("user", "add", *args, stdout=out)
    finally:
        if stdin is not None:
            sys.stdin = sys_stdin
    return out.getvalue()


def test_it_adds_a_district_officer_with_a_generated_password(areas):
    out = _add("furong", "--role", "district", "--area", "430102")
    user = User.objects.get(username="furong")
    assert user.role == Role.DISTRICT and user.area == areas["furong"]
    password = out.split("：")[-1].strip()
    assert user.check_password(password)
    assert "芙蓉区 · 区级管理员" in out


def test_it_reads_the_password_from_stdin(areas):
    _add(
        "wenyilu",
        "--role",
        "township",
        "--area",
        "430102001",
        "--password-stdin",
        stdin="Sq7-gh2k-wq9\n",
    )
    assert User.objects.get(username="wenyilu").check_password("Sq7-gh2k-wq9")


def test_it_adds_unit_and_party_org_roles(areas):
    registry = factories.unit("芙蓉区民政局", "civil_affairs", areas["furong"])
    factories.unit("长沙市教育局", "supervisory", areas["city"])
    po = factories.party_org(areas["wenyilu"], code="D0000000001")
    _add("reg", "--role", "registry", "--unit", "芙蓉区民政局")
    _add("sup", "--role", "supervisor", "--unit", "长沙市教育局")
    _add("sec", "--role", "org", "--party-org", "D0000000001")
    assert User.objects.get(username="reg").unit == registry
    assert User.objects.get(username="sec").party_org == po


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "district", "--area", "430102001"], r"管辖区划应为区县\(市\)"),
        (["--role", "city"], "须指定管辖区划"),
        (["--role", "district", "--area", "999999"], "区划代码「999999」不存在"),
        (["--role", "registry", "--unit", "不存在的局"], "单位「不存在的局」不存在"),
        (["--role", "org", "--party-org", "NOPE"], "党组织编码「NOPE」不存在"),
        (["--role", "org"], "须指定所在党组织"),
        (["--role", "city", "--area", "430100", "--unit", "芙蓉区民政局"], "请勿指定 --unit"),
    ],
)
def test_it_refuses_a_jurisdiction_that_does_not_fit_the_role(areas, args, message):
    factories.unit("芙蓉区民政局", "civil_affairs", areas["furong"])
    with pytest.raises(CommandError, match=message) as info:
        _add("x", *args)
    assert info.value.returncode == 1
    assert not User.objects.filter(username="x").exists()


def test_it_refuses_a_weak_password_and_a_taken_username(areas):
    with pytest.raises(CommandError, match="密码"):
        _add("weak", "--role", "city", "--area", "430100", "--password-stdin", stdin="123\n")
    _add("taken", "--role", "city", "--area", "430100")
    with pytest.raises(CommandError, match="用户名「taken」已存在"):
        _add("taken", "--role", "city", "--area", "430100")


def test_the_console_script_exits_2_on_a_usage_error():
    result = subprocess.run(
        [sys.executable, "-m", "dangjian.manage", "user", "add", "x", "--role", "nobody"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "invalid choice" in result.stderr or "无效" in result.stderr
