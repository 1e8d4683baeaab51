"""`dangjian check [--as-of DATE] [--area CODE] [--rule ID]… [--format json|text|xlsx]
[-o FILE] [--explain USCC|CODE] [--record]` (CONTRACT.md)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from dangjian.areas.models import Area
from dangjian.compliance.engine import RULES, RecordingOrderError, evaluate, record
from dangjian.compliance.explain import SubjectNotFound, explain
from dangjian.compliance.output import as_text, write_xlsx
from dangjian.core.cli import DangjianCommand, add_user_argument, user_and_area


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期「{value}」格式不正确，应为 YYYY-MM-DD", returncode=2) from None


class Command(DangjianCommand):
    help = "按政策规则检查，列出问题（待办）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="检查日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--area", help="区划代码：只检查该区划")
        parser.add_argument("--rule", action="append", help="只检查该规则（可重复）")
        parser.add_argument("--format", choices=["json", "text", "xlsx"], default="text")
        parser.add_argument("-o", "--output", type=Path, help="输出文件")
        parser.add_argument(
            "--explain", metavar="USCC|CODE", help="解释一个社会组织或党组织适用的每条规则"
        )
        parser.add_argument(
            "--record", action="store_true", help="记入待办问题库（仅限全部规则、全部区划的检查）"
        )
        parser.add_argument(
            "--system",
            action="store_true",
            help="运行 Django 的系统检查（本命令替代了 Django 自带的 check）",
        )
        parser.add_argument(
            "--deploy", action="store_true", help="与 --system 同用：检查生产部署设置"
        )
        add_user_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["system"]:
            from django.core.management.commands.check import Command as SystemCheck

            call_command(SystemCheck(), deploy=options["deploy"])
            return
        as_of = parse_date(options["as_of"]) if options["as_of"] else timezone.localdate()
        user, area = user_and_area(options)
        if options["explain"]:
            self._explain(options["explain"], as_of, area, options["format"], user)
            return
        try:
            result = evaluate(as_of=as_of, area=area, rules=options["rule"], user=user)
        except KeyError as exc:
            raise CommandError(
                f"规则 {'、'.join(exc.args[0])} 不存在，可用的规则：{'、'.join(RULES)}",
                returncode=2,
            ) from None
        if options["record"]:
            if area is not None or options["rule"] or user is not None:
                raise CommandError("--record 只用于全部规则、全部区划的检查", returncode=2)
            try:
                run = record(result)
            except RecordingOrderError as exc:
                raise CommandError(str(exc), returncode=1) from None
            self.stderr.write(
                f"已记入待办问题库：新发现 {run.opened}，已解决 {run.resolved}，未解决 {run.open}"
            )
        self._write(result, options)

    def _write(self, result: Any, options: dict[str, Any]) -> None:
        fmt, out = options["format"], options["output"]
        if fmt == "xlsx":
            if out is None:
                raise CommandError("--format xlsx 须用 -o 指定输出文件", returncode=2)
            write_xlsx(result, out)
            self.stderr.write(f"已写入 {out}：{len(result.findings)} 个问题")
            return
        text = (
            json.dumps(result.as_dict(), ensure_ascii=False, indent=2) + "\n"
            if fmt == "json"
            else as_text(result)
        )
        if out:
            out.write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def _explain(
        self, key: str, as_of: dt.date, area: Area | None, fmt: str, user: Any = None
    ) -> None:
        try:
            explanation = explain(key, as_of=as_of, area=area, user=user)
        except SubjectNotFound:
            raise CommandError(
                f"没有统一社会信用代码或党组织编码为「{key}」的对象", returncode=1
            ) from None
        if fmt == "json":
            self.stdout.write(json.dumps(explanation.as_dict(), ensure_ascii=False, indent=2))
            return
        e = explanation
        self.stdout.write(
            f"{e.name}（{e.key}）在 {e.as_of} 的情况（政策设置版本 {e.policy_version}）"
        )
        for name, value in e.facts.items():
            if isinstance(value, bool):
                value = "是" if value else "否"
            elif isinstance(value, list):
                value = "、".join(value) or "无"
            self.stdout.write(f"  {name}：{value}")
        self.stdout.write("")
        for v in e.verdicts:
            mark = "符合" if v.holds else "不符合"
            settings = "，".join(f"{k}={val}" for k, val in v.settings.items())
            self.stdout.write(f"[{mark}] {v.rule.id} {v.rule.title}（{v.rule.clause}；{settings}）")
            for finding in v.findings:
                due = f"，整改期限 {finding.due}" if finding.due else ""
                self.stdout.write(f"    问题：{finding.message}{due}")
                self.stdout.write(f"    要求：{v.rule.action}")
