"""What a revision of the settings would change before it is adopted
(docs/policy-versions.md): every rule evaluated twice over the same facts — with the
settings in force on the date and with the revision — and the findings that would appear
and disappear, per rule, per area and row by row.

The facts are read once and shared by both evaluations (they are the data, not the
settings: what depends on the settings, such as the checked periods of 三会一课, is
computed per settings and cached under them), so a what-if costs a little more than one
check, not two."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dangjian.accounts.jurisdiction import Jurisdiction
from dangjian.accounts.models import User
from dangjian.areas.models import Area
from dangjian.compliance.engine import evaluate, finding_dict, identity
from dangjian.compliance.facts import Facts
from dangjian.compliance.facts.life import add_months
from dangjian.compliance.policy import Policy, in_force
from dangjian.compliance.rules.base import RULES, Finding
from dangjian.lib.bulk import key_batches

DUES_SETTINGS = ("dues_employed_rates", "dues_retired_rates", "dues_flat_amount")


@dataclass(frozen=True)
class DuesEffect:
    """The month's dues payments in scope (the last month before the date) under the
    settings in force and under the revision: how many, their amount due in all, how many
    would be due another amount, and how many paid less than due (短缴)."""

    month: dt.date
    payments: int
    due_in_force: Decimal
    due_revised: Decimal
    changed: int
    short_in_force: int
    short_revised: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": f"{self.month.year:04d}-{self.month.month:02d}",
            "payments": self.payments,
            "due_in_force": str(self.due_in_force),
            "due_revised": str(self.due_revised),
            "changed": self.changed,
            "short_in_force": self.short_in_force,
            "short_revised": self.short_revised,
        }


@dataclass
class Comparison:
    as_of: dt.date
    area: Area | None
    base: Policy
    revised: Policy
    appeared: list[Finding] = field(default_factory=list)
    disappeared: list[Finding] = field(default_factory=list)
    unchanged: int = 0
    # (child area code, name) -> (appearing, disappearing), in code order
    areas: list[tuple[str, str, int, int]] = field(default_factory=list)
    # What a revision of the dues settings does to the amounts due (no rule reads them):
    # None when it changes none of them.
    dues: DuesEffect | None = None

    @property
    def settings_changed(self) -> list[tuple[str, Any, Any, str]]:
        """(setting, value in force, revised value, the revision's source) of every
        setting the revision changes."""
        out = []
        for name, setting in self.revised.settings.items():
            old = self.base.settings.get(name)
            if old is None or old.value != setting.value:
                out.append((name, old.shown if old else None, setting.shown, setting.source))
        return out

    @property
    def by_rule(self) -> list[tuple[str, int, int]]:
        """(rule, appearing, disappearing) of every rule either list names, by id."""
        counts: dict[str, list[int]] = {}
        for f in self.appeared:
            counts.setdefault(f.rule, [0, 0])[0] += 1
        for f in self.disappeared:
            counts.setdefault(f.rule, [0, 0])[1] += 1
        return [(rule, a, d) for rule, (a, d) in sorted(counts.items())]

    def rows(self) -> list[tuple[str, Finding]]:
        """Every moving finding: ("出现", f) then ("消失", f), each by rule and subject."""
        return [("出现", f) for f in self.appeared] + [("消失", f) for f in self.disappeared]

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "area": self.area.code if self.area else None,
            "policy_version": self.base.version,
            "revised_version": self.revised.version,
            "settings_changed": [
                {"setting": n, "in_force": old, "revised": new, "source": source}
                for n, old, new, source in self.settings_changed
            ],
            "summary": {rule: {"appearing": a, "disappearing": d} for rule, a, d in self.by_rule},
            "areas": [
                {"area": code, "name": name, "appearing": a, "disappearing": d}
                for code, name, a, d in self.areas
            ],
            "unchanged": self.unchanged,
            "dues": self.dues.as_dict() if self.dues else None,
            "appearing": [finding_dict(f) for f in self.appeared],
            "disappearing": [finding_dict(f) for f in self.disappeared],
        }


def compare(
    revised: Policy,
    *,
    as_of: dt.date,
    area: Area | None = None,
    user: User | None = None,
    base: Policy | None = None,
) -> Comparison:
    """The findings on `as_of` over `area` (as `user` may see them) with the settings in
    force on that date (`base`) and with `revised`: those only the revision finds appear,
    those only the settings in force find disappear (a finding is the same when its rule,
    subject and occurrence are)."""
    base = base or in_force(as_of)
    gate = Jurisdiction(user)
    facts = Facts(as_of, area if area is not None or gate.everything else gate.facts_area())
    before = evaluate(as_of=as_of, area=area, policy=base, facts=facts, user=user)
    after = evaluate(as_of=as_of, area=area, policy=revised, facts=facts, user=user)
    old = {identity(f): f for f in before.findings}
    new = {identity(f): f for f in after.findings}
    result = Comparison(as_of, area, base, revised)
    result.appeared = [f for key, f in new.items() if key not in old]
    result.disappeared = [f for key, f in old.items() if key not in new]
    result.unchanged = sum(1 for key in new if key in old)
    result.areas = _by_area(result, area or gate.area)
    if any(base.settings[n].value != revised.settings[n].value for n in DUES_SETTINGS):
        result.dues = dues_effect(base, revised, as_of=as_of, area=area, gate=gate)
    return result


def dues_effect(
    base: Policy, revised: Policy, *, as_of: dt.date, area: Area | None, gate: Jurisdiction
) -> DuesEffect:
    """The payments of the last month before `as_of` of the members the gate sees (whose
    relation is held in `area` when given), grouped by category, base and amount paid: one
    GROUP BY, the amounts due computed once per group under each settings."""
    from django.db.models import Count

    from dangjian.dues.amounts import amount_due
    from dangjian.dues.models import DuesPayment

    month = add_months(as_of.replace(day=1), -1)
    qs = DuesPayment.objects.filter(month=month)
    if not gate.everything:
        qs = qs.filter(person__in=gate.people().values("pk"))
    if area is not None:
        qs = qs.filter(person__membership__relation_party_org__township__path__startswith=area.path)
    payments, changed, short_before, short_after = 0, 0, 0, 0
    due_before, due_after = Decimal(0), Decimal(0)
    groups = qs.order_by().values_list("category", "base", "paid").annotate(n=Count("pk"))
    for category, amount, paid, n in groups:
        before = amount_due(base, category, amount)
        after = amount_due(revised, category, amount)
        payments += n
        due_before += before * n
        due_after += after * n
        changed += n if before != after else 0
        short_before += n if paid < before else 0
        short_after += n if paid < after else 0
    return DuesEffect(month, payments, due_before, due_after, changed, short_before, short_after)


def _by_area(result: Comparison, scope: Area | None) -> list[tuple[str, str, int, int]]:
    """The moving findings counted by the areas one level below `scope` (below the city
    when the scope is everything and there is one city)."""
    children = list(Area.objects.filter(parent=scope).order_by("code"))
    while len(children) == 1:  # a province of one city: its districts
        below = list(Area.objects.filter(parent=children[0]).order_by("code"))
        if not below:
            break
        children = below
    codes = sorted({f.area for f in result.appeared + result.disappeared})
    paths: dict[str, str] = {}
    for batch in key_batches(codes):
        paths.update(Area.objects.filter(code__in=batch).values_list("code", "path"))
    counts = {c.code: [0, 0] for c in children}
    for index, findings in ((0, result.appeared), (1, result.disappeared)):
        for f in findings:
            path = paths.get(f.area, "")
            for child in children:
                if path.startswith(child.path):
                    counts[child.code][index] += 1
                    break
    return [(c.code, c.name, counts[c.code][0], counts[c.code][1]) for c in children]


def write_xlsx(result: Comparison, target: Any) -> None:
    """The comparison as a workbook: the settings changed, the counts per rule and area,
    and every moving finding."""
    from openpyxl.styles import Font

    from dangjian.compliance.output import SUBJECT_LABEL, area_names
    from dangjian.compliance.rules.base import SEVERITY_LABEL
    from dangjian.lib import sheets

    bold = Font(bold=True)
    book = sheets.workbook(write_only=True)
    summary = book.create_sheet("汇总")
    sheets.append(
        summary,
        [f"政策设置修订对比（{result.as_of}）：现行版本 {result.base.version}，"
         f"修订版本 {result.revised.version}"],
    )  # fmt: skip
    sheets.append(summary, ["调整的设置", "现行值", "修订值", "依据"], font=bold)
    for name, old, new, source in result.settings_changed:
        sheets.append(summary, [name, str(old), str(new), source])
    sheets.append(summary, [])
    sheets.append(summary, ["规则编号", "规则", "将出现", "将消失"], font=bold)
    for rule, a, d in result.by_rule:
        sheets.append(summary, [rule, RULES[rule].title, a, d])
    if result.dues is not None:
        e = result.dues
        sheets.append(summary, [])
        sheets.append(summary, ["党费月份", "笔数", "现行应缴合计（元）", "修订后应缴合计（元）",
                                "应缴金额改变（笔）", "现行短缴（笔）", "修订后短缴（笔）"],
                      font=bold)  # fmt: skip
        sheets.append(summary, [f"{e.month:%Y-%m}", e.payments, e.due_in_force, e.due_revised,
                                e.changed, e.short_in_force, e.short_revised])  # fmt: skip
    sheets.append(summary, [])
    sheets.append(summary, ["地区代码", "地区", "将出现", "将消失"], font=bold)
    for code, name, a, d in result.areas:
        sheets.append(summary, [code, name, a, d])
    sheet = book.create_sheet("变化清单")
    names = area_names({f.area for _, f in result.rows()})
    header = ["变化", "规则编号", "条款", "严重程度", "对象类型", "对象编码", "对象名称",
              "所在区划代码", "所在区划", "问题", "整改期限"]  # fmt: skip
    sheets.append(sheet, header, font=bold)
    for change, f in result.rows():
        spec = RULES[f.rule]
        sheets.append(sheet, [
            change, f.rule, spec.clause, SEVERITY_LABEL[spec.severity],
            SUBJECT_LABEL[f.subject.type], f.subject.key, f.subject.name, f.area,
            names.get(f.area, ""), f.message, f.due,
        ])  # fmt: skip
    sheets.save(book, target, policy_version=result.revised.version)


def as_text(result: Comparison) -> str:
    lines = [
        f"比较日期 {result.as_of}    现行版本 {result.base.version}    修订版本 "
        f"{result.revised.version}",
        "",
        "调整的设置：",
    ]
    for name, old, new, _source in result.settings_changed:
        lines.append(f"  {name}: {old} → {new}")
    if not result.settings_changed:
        lines.append("  （无）")
    lines += ["", "各规则将出现 / 将消失的问题数："]
    for rule, a, d in result.by_rule:
        lines.append(f"  {rule:<24} +{a:<7} -{d:<7} {RULES[rule].title}")
    lines.append(
        f"  合计 +{len(result.appeared)} -{len(result.disappeared)}（不变 {result.unchanged}）"
    )
    if result.dues is not None:
        e = result.dues
        lines += [
            "",
            f"党费（{e.month:%Y-%m}，{e.payments} 笔）：应缴合计 {e.due_in_force} → "
            f"{e.due_revised} 元，应缴金额改变 {e.changed} 笔，实缴少于应缴 {e.short_in_force} → "
            f"{e.short_revised} 笔",
        ]
    if result.areas:
        lines += ["", "各地区："]
        for code, name, a, d in result.areas:
            lines.append(f"  {code} {name} +{a} -{d}")
    if result.appeared or result.disappeared:
        lines += ["", "变化清单："]
        for change, f in result.rows():
            lines.append(f"  {change} {f.rule} {f.subject.key} {f.subject.name}：{f.message}")
    return "\n".join(lines) + "\n"
