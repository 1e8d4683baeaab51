"""`dangjian user add USERNAME --role ROLE …` (CONTRACT.md)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from dangjian.accounts.models import Role
from dangjian.accounts.services import generate_password, user_create
from dangjian.core.cli import DangjianCommand


class Command(DangjianCommand):
    help = "用户管理：user add 新建用户（角色决定管辖范围）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="新建用户")
        add.add_argument("username")
        add.add_argument("--role", required=True, choices=Role.values, help="角色")
        add.add_argument("--area", help="区划代码：city / district / township 角色必填")
        add.add_argument("--unit", help="单位名称：registry / supervisor 角色必填")
        add.add_argument("--party-org", help="党组织编码：org 角色必填")
        add.add_argument("--instructor", help="指导员的公民身份号码：instructor 角色必填")
        add.add_argument(
            "--password-stdin",
            action="store_true",
            help="从标准输入读取密码（否则生成随机密码并显示一次）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
            generated = False
        else:
            password = generate_password()
            generated = True
        try:
            user = user_create(
                username=options["username"],
                role=options["role"],
                password=password,
                area_code=options["area"],
                unit_name=options["unit"],
                party_org_code=options["party_org"],
                instructor_id_number=options["instructor"],
            )
        except ValidationError as exc:
            lines = [message for messages in exc.message_dict.values() for message in messages]
            raise CommandError("未创建用户：\n" + "\n".join(lines), returncode=1) from None
        self.stdout.write(f"已创建用户 {user.username}（{user.jurisdiction_label()}）")
        if generated:
            self.stdout.write(f"初始密码（仅显示这一次）：{password}")
