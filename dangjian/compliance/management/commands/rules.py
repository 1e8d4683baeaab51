"""`dangjian rules [--format json|text]`: the rule catalogue (CONTRACT.md)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from dangjian.compliance import policy as policy_module
from dangjian.compliance.engine import RULES
from dangjian.compliance.policy import Policy
from dangjian.compliance.rules.base import SEVERITY_LABEL
from dangjian.core.cli import DangjianCommand


def _policy() -> Policy:
    """The settings in force today — the shipped ones where there is no database yet (the
    catalogue needs none)."""
    from django.db import DatabaseError, connection

    from dangjian.core.cli import database_initialised
    from dangjian.policies.models import PolicyVersion

    try:
        if database_initialised() and (
            PolicyVersion._meta.db_table in connection.introspection.table_names()
        ):
            return policy_module.in_force()
    except DatabaseError:
        pass  # no server: the catalogue is still the code and the shipped settings
    return policy_module.load()


class Command(DangjianCommand):
    database = None  # the catalogue is the code and the policy settings file
    help = "列出政策规则：编号、条款、政策原文、严重程度、使用的政策设置"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        policy = _policy()
        catalogue: list[dict[str, Any]] = [
            {
                "id": rule.id,
                "clause": rule.clause,
                "title": rule.title,
                "quote": rule.quote,
                "severity": rule.severity,
                "subject": rule.subject,
                "action": rule.action,
                "settings": {
                    name: {
                        "value": policy.settings[name].shown,
                        "source": policy.settings[name].source,
                    }
                    for name in rule.settings
                },
            }
            for rule in sorted(RULES.values(), key=lambda r: r.id)
        ]
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {"policy_version": policy.version, "rules": catalogue},
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        self.stdout.write(f"政策设置版本 {policy.version}\n")
        for entry in catalogue:
            self.stdout.write(
                f"{entry['id']}  [{entry['clause']}]  {entry['title']}"
                f"（严重程度：{SEVERITY_LABEL[entry['severity']]}）"
            )
            self.stdout.write(f"    原文：「{entry['quote']}」")
            self.stdout.write(f"    要求：{entry['action']}")
            for name, setting in entry["settings"].items():
                self.stdout.write(f"    设置 {name} = {setting['value']}（{setting['source']}）")
            self.stdout.write("")
