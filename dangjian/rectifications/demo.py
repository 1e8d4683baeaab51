"""The demo's rectifications of weak and lax Party organizations (docs/demo-data.md,
"Inspections, rectifications and venues"; issue 18 item 5): about 5% of the active Party
organizations of social organizations, in every state — 整顿中 (identified in the last five
months, six months to go), 逾期 (identified 8 to 14 months ago, past its deadline: rule
DYN-WEAK-OVERDUE), 待验收 (reported done, awaiting the level above) and 已完成 (resolved and
reviewed) — with a plan and a few progress notes each; 40% identified from the system's
suggestion.

Drawn after every earlier table, from the city's random sequence."""

from __future__ import annotations

import datetime as dt

from dangjian.demo.base import DEMO_TODAY, date_between, share
from dangjian.demo.context import CityContext
from dangjian.partyorgs.models import COVERING_FORMS, PartyOrgStatus
from dangjian.rectifications.models import Origin, Rectification, RectificationNote

PROBLEMS = (
    "组织生活不正常，连续两个季度未召开支部党员大会",
    "班子不健全，书记长期空缺",
    "党员教育管理松散，多名党员长期未交纳党费",
    "党组织作用发挥不明显，与业务工作脱节",
    "软弱涣散，党员参加组织生活积极性不高",
)
PLANS = (
    "调整充实支部班子，由乡镇(街道)党建指导员全程指导；每月召开支委会，按季度召开党员大会",
    "选派党建工作指导员驻点帮扶，建立整顿工作台账，逐项销号",
    "开展党员集中教育，清理党费收缴情况，建立组织生活签到制度",
)
NOTES = (
    "已召开支部党员大会，通报整顿方案",
    "补选支部委员1名，班子配齐",
    "党建工作指导员到会指导，检查组织生活记录",
    "补交党费，建立党费收缴台账",
    "开展主题党日活动，党员参加率明显提高",
)


def rectifications(ctx: CityContext) -> None:
    rng, rows, today = ctx.rng, ctx.rows, DEMO_TODAY
    for po in rows.party_orgs:
        if po.form not in COVERING_FORMS or po.status != PartyOrgStatus.ACTIVE:
            continue
        if not share(rng, 0.05):
            continue
        r = rng.random()
        if r < 0.3:  # 整顿中
            identified = date_between(rng, today - dt.timedelta(days=150), today)
        else:
            identified = date_between(rng, today - dt.timedelta(days=430),
                                      today - dt.timedelta(days=240))  # fmt: skip
        identified = max(identified, po.founded_on)
        deadline = identified + dt.timedelta(days=rng.choice((180, 180, 270)))
        case = Rectification(
            party_org=po, identified_on=identified, problem=rng.choice(PROBLEMS),
            deadline=deadline, plan=rng.choice(PLANS),
            origin=Origin.SUGGESTED if share(rng, 0.4) else Origin.MANUAL,
        )  # fmt: skip
        last = today - dt.timedelta(days=1)
        if 0.55 <= r < 0.7:  # 待验收
            case.completion_submitted_on = date_between(rng, today - dt.timedelta(days=20), last)
            case.completion_summary = "整顿措施已全部落实，申请验收"
        elif r >= 0.7:  # 已完成
            done = date_between(rng, identified + dt.timedelta(days=60),
                                min(deadline, last))  # fmt: skip
            case.completion_submitted_on = done
            case.completion_summary = "整顿措施已全部落实，申请验收"
            case.resolved_on = min(done + dt.timedelta(days=rng.randint(3, 20)), last)
        rows.rectifications.append(case)
        end = case.resolved_on or last
        for _ in range(rng.randint(1, 3)):
            rows.rectification_notes.append(
                RectificationNote(rectification=case, text=rng.choice(NOTES),
                                  written_on=date_between(rng, identified, end))
            )  # fmt: skip
