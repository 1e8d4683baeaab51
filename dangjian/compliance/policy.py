"""The policy settings (policy.toml): every number a rule or report reads, with its source.

A city changes a value by editing the file (or pointing DANGJIAN_POLICY_FILE at its own)
and raising `version`; the version recorded with findings and reports also carries a digest
of the file, so a change that forgot to raise it still shows.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_FILE = Path(__file__).with_name("policy.toml")
POLICY_TEXT = Path(__file__).with_name("changsha-2015-2.txt")


@dataclass(frozen=True)
class Setting:
    name: str
    value: int
    source: str


@dataclass(frozen=True)
class Policy:
    version: str
    document: str
    effective_on: dt.date
    settings: dict[str, Setting]

    def __getitem__(self, name: str) -> int:
        return self.settings[name].value


def parse(text: str) -> Policy:
    data = tomllib.loads(text)
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    settings = {
        name: Setting(name, int(entry["value"]), str(entry["source"]))
        for name, entry in data["settings"].items()
    }
    return Policy(f"{data['version']}+{digest}", data["document"], data["effective_on"], settings)


@functools.cache
def load(path: str | None = None) -> Policy:
    file = Path(path or os.environ.get("DANGJIAN_POLICY_FILE") or DEFAULT_FILE)
    return parse(file.read_text(encoding="utf-8"))


@functools.cache
def policy_text() -> str:
    """The policy document itself, shipped with the project; rules quote it exactly."""
    return POLICY_TEXT.read_text(encoding="utf-8")
