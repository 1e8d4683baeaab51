"""The demo split by app gives the same data for the same seed (issue 13 item 4).

Compares the fingerprint of every table the demo writes (`tests/demo_fingerprint.py`) with
the one stored in `tests/demo_fingerprint.json`, taken on the generator before the split.
When the demo changes on purpose, regenerate the stored fingerprints with
`DEMO_FINGERPRINT_WRITE=1 .venv/bin/pytest tests/test_demo_fingerprint.py` and say why in
the commit.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.db import transaction
from django.test import override_settings

from dangjian import demo
from tests.demo_fingerprint import fingerprint

STORED = Path(__file__).with_name("demo_fingerprint.json")
# The scales and seeds of tests/test_demo.py.
CASES = [("300", 1), ("300", 2), pytest.param("4000", 1, marks=pytest.mark.slow)]


def generated(scale: str, seed: int) -> dict[str, str]:
    with (
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        demo.generate(scale, seed=seed)
        result = fingerprint()
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
@pytest.mark.parametrize(("scale", "seed"), CASES)
def test_the_same_seed_gives_the_same_data_as_before_the_split(scale, seed):
    key = f"{scale}:{seed}"
    found = generated(scale, seed)
    stored = json.loads(STORED.read_text(encoding="utf-8")) if STORED.exists() else {}
    if os.environ.get("DEMO_FINGERPRINT_WRITE"):
        stored[key] = found
        STORED.write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert found == stored[key]
