"""Region codes for identity numbers: those that existed in a person's birth year."""

from __future__ import annotations

import random
from collections.abc import Iterable

from stdnum import numdb

from dangjian.demo.base import share


def county_years(county: str) -> list[tuple[int, int]]:
    """'[1983-1995]东区,[1996-]芙蓉区' → [(1983, 1995), (1996, 9999)]; no bracket: always."""
    spans = []
    for part in county.split(","):
        if not part.startswith("["):
            return [(0, 9999)]
        start, end = part[1:].split("]")[0].split("-")
        spans.append((int(start) if start else 0, int(end) if end else 9999))
    return spans


class Regions:
    """Region codes (first 6 digits of an identity number) that existed in a birth year,
    from python-stdnum's own table, so that every generated number validates."""

    def __init__(self, prefixes: Iterable[str]) -> None:
        loc = numdb.get("cn/loc")
        self.codes: list[tuple[str, list[tuple[int, int]]]] = []
        self.fallback: list[str] = []
        for prefix in sorted(set(prefixes)):
            for _length, low, high, _props, children in loc.prefixes:
                if low != prefix[:2] or high != prefix[:2]:
                    continue
                for _l, child_low, child_high, props, _c in children:
                    county = props.get("county", "")
                    if child_low != child_high or "市辖区" in county:
                        continue
                    if child_low == "0000" and prefix[:2] + child_low not in self.fallback:
                        self.fallback.append(prefix[:2] + child_low)
                    elif child_low[:2] == prefix[2:4]:
                        self.codes.append((prefix[:2] + child_low, county_years(county)))
        self._by_year: dict[int, list[str]] = {}

    def valid(self, year: int) -> list[str]:
        if year not in self._by_year:
            found = [
                code
                for code, spans in self.codes
                if any(start <= year <= end for start, end in spans)
            ]
            self._by_year[year] = found or self.fallback or ["430100"]
        return self._by_year[year]

    def pick(self, rng: random.Random, year: int, local: str) -> str:
        codes = self.valid(year)
        if local in codes and share(rng, 0.5):
            return local
        return rng.choice(codes)
