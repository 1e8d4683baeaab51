"""`dangjian plan joint [--area CODE] [--format json|xlsx|text] [-o FILE] [--save]` and
`dangjian plan apply PROPOSAL GROUP --code CODE --name NAME [--founded-on DATE]`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.compliance.management.commands.check import parse_date
from dangjian.core.cli import DangjianCommand, add_user_argument, user_and_area
from dangjian.reports.models import JointProposal
from dangjian.reports.output import industry_label, plan_xlsx
from dangjian.reports.planner import JointPlan, plan_joint, same_industry
from dangjian.reports.services import proposal_apply, proposal_save


class Command(DangjianCommand):
    help = "联合党组织组建方案：joint 生成方案；apply 按方案组建联合党组织"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        joint = sub.add_parser(
            "joint", help="为1至2名正式党员、尚无党组织的社会组织提出联合党组织方案"
        )
        joint.add_argument("--area", help="区划代码")
        joint.add_argument("--as-of", help="数据日期 YYYY-MM-DD（默认今天）")
        joint.add_argument("--format", choices=["json", "xlsx", "text"], default="text")
        joint.add_argument("-o", "--output", type=Path)
        joint.add_argument("--save", action="store_true", help="保存方案，以便日后按方案组建")
        add_user_argument(joint)
        apply = sub.add_parser("apply", help="按已保存方案的某一组组建联合党组织")
        apply.add_argument("proposal", type=int, help="方案编号")
        apply.add_argument("group", type=int, help="组号（从1开始）")
        apply.add_argument("--code", required=True, help="新党组织编码")
        apply.add_argument("--name", required=True, help="新党组织名称")
        apply.add_argument("--founded-on", help="成立日期 YYYY-MM-DD（默认今天）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "apply":
            self._apply(options)
            return
        as_of = parse_date(options["as_of"]) if options["as_of"] else timezone.localdate()
        user, area = user_and_area(options)
        plan = plan_joint(as_of=as_of, area=area, user=user)
        fmt, out = options["format"], options["output"]
        if fmt == "xlsx":
            if out is None:
                raise CommandError("--format xlsx 须用 -o 指定输出文件", returncode=2)
            plan_xlsx(plan, out, scope=Jurisdiction(user).scope(area))
        else:
            text = (
                json.dumps(plan.as_dict(), ensure_ascii=False, indent=2) + "\n"
                if fmt == "json"
                else plan_text(plan)
            )
            if out is None:
                self.stdout.write(text, ending="")
            else:
                out.write_text(text, encoding="utf-8")
        if options["save"]:
            proposal = proposal_save(plan=plan, area=area, user=user)
            self.stderr.write(
                f"方案已保存为 方案#{proposal.pk}；按第N组组建：dangjian plan apply {proposal.pk} N --code … --name …"
            )

    def _apply(self, options: dict[str, Any]) -> None:
        proposal = JointProposal.objects.filter(pk=options["proposal"]).first()
        if proposal is None:
            raise CommandError(f"方案#{options['proposal']} 不存在", returncode=1)
        founded = (
            parse_date(options["founded_on"]) if options["founded_on"] else timezone.localdate()
        )
        try:
            party_org = proposal_apply(
                proposal=proposal,
                group=options["group"],
                code=options["code"],
                name=options["name"],
                founded_on=founded,
            )
        except ValidationError as exc:
            lines = [m for messages in exc.message_dict.values() for m in messages]
            raise CommandError("未组建：" + "；".join(lines), returncode=1) from None
        self.stdout.write(
            f"已组建 {party_org.name}（{party_org.code}），覆盖 {party_org.coverages.count()} 个社会组织"
        )


def plan_text(plan: JointPlan) -> str:
    lines = [f"联合党组织组建方案（数据截至 {plan.as_of}）", ""]
    number = {id(g): i for i, g in enumerate(plan.groups, start=1)}
    total_same = same_industry(plan.groups)
    for t in plan.townships:
        groups = [g for g in t.groups]
        same = same_industry(groups)
        share = f"{same / len(groups) * 100:.0f}%" if groups else "—"
        lines.append(
            f"{t.name}（{t.code}）：符合条件 {t.ones + t.twos} 个（1名正式党员 {t.ones} 个，2名 {t.twos} 个），"
            f"最多可组建 {t.bound} 个，方案 {len(groups)} 个，同行业 {same} 个（{share}）"
        )
        for g in groups:
            flag = "（跨乡镇）" if g.cross_township else ""
            lines.append(
                f"  第{number[id(g)]}组{flag} {industry_label(g.industry)}，正式党员 {g.formal_members} 名："
                + "、".join(f"{c.name}（{c.uscc}）" for c in g.orgs)
            )
        for uscc, why in t.leftovers:
            lines.append(f"  未在本乡镇成组：{uscc}，{why}")
    cross = [
        g
        for g in plan.groups
        if g.cross_township and not any(g in t.groups for t in plan.townships)
    ]
    if cross:
        lines.append("")
        lines.append("跨乡镇(街道)联合（同一区县内）：")
        for g in cross:
            lines.append(
                f"  第{number[id(g)]}组 {industry_label(g.industry)}，正式党员 {g.formal_members} 名："
                + "、".join(f"{c.name}（{c.uscc}）" for c in g.orgs)
            )
    if plan.unplaced:
        lines.append("")
        lines.append("无法安排：")
        for c, why in plan.unplaced:
            lines.append(f"  {c.name}（{c.uscc}）：{why}")
    share = f"{total_same / len(plan.groups) * 100:.0f}%" if plan.groups else "—"
    lines.append("")
    lines.append(
        f"合计：{len(plan.groups)} 个联合党组织，其中同行业 {total_same} 个（{share}），"
        f"无法安排 {len(plan.unplaced)} 个社会组织"
    )
    return "\n".join(lines) + "\n"
