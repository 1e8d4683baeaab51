"""`dangjian token create USERNAME [--name NAME]`, `token list USERNAME`, `token revoke PREFIX`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from dangjian.accounts.models import ApiToken, User
from dangjian.accounts.tokens import token_create, token_revoke
from dangjian.core.cli import DangjianCommand


class Command(DangjianCommand):
    help = "API 令牌：create 新建（只显示一次）、list 列出、revoke 撤销"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为用户新建 API 令牌")
        create.add_argument("username")
        create.add_argument("--name", default="", help="用途说明")
        listing = sub.add_parser("list", help="列出用户的令牌")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="撤销令牌")
        revoke.add_argument("prefix", help="令牌前缀（list 显示的前10个字符）")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "revoke":
            tokens = list(
                ApiToken.objects.filter(prefix=options["prefix"], revoked_at__isnull=True)
            )
            if len(tokens) != 1:
                raise CommandError(f"没有前缀为「{options['prefix']}」的有效令牌", returncode=1)
            token_revoke(token=tokens[0])
            self.stdout.write(f"已撤销令牌 {tokens[0].prefix}…")
            return
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"用户「{options['username']}」不存在", returncode=1)
        if action == "create":
            _record, token = token_create(user=user, name=options["name"])
            self.stdout.write(token)
            self.stderr.write(
                "请妥善保存：该令牌只显示这一次。调用 API 时使用 Authorization: Bearer <令牌>"
            )
            return
        for t in ApiToken.objects.filter(user=user):
            state = "已撤销" if t.revoked_at else "有效"
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "从未使用"
            self.stdout.write(
                f"{t.prefix}…  {state}  创建于 {t.created_at:%Y-%m-%d %H:%M}  最近使用 {used}  {t.name}"
            )
