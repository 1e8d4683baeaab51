"""`dangjian check [--as-of DATE] [--area CODE] [--rule ID]… [--format json|text|xlsx]
[-o FILE] [--explain USCC|CODE] [--record] [--settings REVISED.toml [--compare]]`
(CONTRACT.md; the what-if: docs/policy-versions.md)."""

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
from dangjian.compliance.policy import Policy
from dangjian.core.cli import DangjianCommand, add_user_argument, user_and_area
from dangjian.policies import whatif
from dangjian.policies.services import revision_check
from dangjian.policies.whatif import compare


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期「{value}」格式不正确，应为 YYYY-MM-DD", returncode=2) from None


REVISED_OPTION = "--revised-settings"


class Command(DangjianCommand):
    help = "按政策规则检查，列出问题（待办）"

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

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
        # `--settings` here is a revised policy file, not Django's settings module (whose
        # option this one replaces: `create_parser`; `dangjian.manage` passes it through).
        parser.add_argument(
            "--settings",
            REVISED_OPTION,
            dest="revised",
            type=Path,
            metavar="REVISED.toml",
            help="按修订后的政策设置文件检查（不记入问题库）",
        )
        parser.set_defaults(settings=None)
        parser.add_argument(
            "--compare",
            action="store_true",
            help="与 --settings 同用：列出修订将新出现和将消失的问题（与检查日期施行的版本比较）",
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
        revised = self._revised(options)
        if options["compare"]:
            if revised is None:
                raise CommandError("--compare 须与 --settings 同用", returncode=2)
            if options["record"] or options["rule"]:
                raise CommandError(
                    "--compare 比较全部规则，不与 --record、--rule 同用", returncode=2
                )
            self._compare(revised, as_of, area, user, options)
            return
        if revised is not None and options["record"]:
            raise CommandError("按未采用的修订检查的结果不记入问题库", returncode=2)
        try:
            result = evaluate(
                as_of=as_of, area=area, rules=options["rule"], user=user, policy=revised
            )
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

    def _revised(self, options: dict[str, Any]) -> Policy | None:
        path = options["revised"]
        if path is None:
            return None
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取政策设置文件「{path}」：{exc}", returncode=2) from None
        checked = revision_check(text)
        if not checked.ok:
            raise CommandError("；".join(checked.errors["text"]), returncode=2)
        policy: Policy = checked.record
        return policy

    def _compare(
        self, revised: Policy, as_of: dt.date, area: Area | None, user: Any, options: Any
    ) -> None:
        result = compare(revised, as_of=as_of, area=area, user=user)
        fmt, out = options["format"], options["output"]
        if fmt == "xlsx":
            if out is None:
                raise CommandError("--format xlsx 须用 -o 指定输出文件", returncode=2)
            whatif.write_xlsx(result, out)
            self.stderr.write(
                f"已写入 {out}：将出现 {len(result.appeared)}，将消失 {len(result.disappeared)}"
            )
            return
        text = (
            json.dumps(result.as_dict(), ensure_ascii=False, indent=2) + "\n"
            if fmt == "json"
            else whatif.as_text(result)
        )
        if out:
            out.write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

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
