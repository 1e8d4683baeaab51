"""The sizes the demo comes in: `city`, `province`, `national`, or a number of organizations."""

from __future__ import annotations

from dataclasses import dataclass

from dangjian.demo.base import CHANGSHA, HUNAN


@dataclass(frozen=True)
class Scale:
    name: str  # city / province / national / a number
    orgs: int
    root: str  # the area whose districts receive organizations
    label: str
    communities: bool = True  # communities are loaded and used
    chunked: bool = False  # one transaction per city (national) instead of one for all


SCALES = {
    "city": Scale("city", 8_000, CHANGSHA, "长沙市"),
    "province": Scale("province", 35_000, HUNAN, "湖南省"),
    "national": Scale("national", 890_000, "", "全国", communities=False, chunked=True),
}


def parse_scale(value: str | int | Scale) -> Scale:
    """city / province / national, or a number of organizations (in Changsha)."""
    if isinstance(value, Scale):
        return value
    text = str(value).strip()
    if text in SCALES:
        return SCALES[text]
    if text.isdigit() and int(text) > 0:
        return Scale(text, int(text), CHANGSHA, f"长沙市（{int(text)}个社会组织）")
    raise ValueError(f"规模「{value}」无效：应为 city、province、national 或正整数（社会组织数）")
