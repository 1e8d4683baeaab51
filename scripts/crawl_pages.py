"""Crawl the pages as every demo user, to compare two trees' pages (a refactoring's check).

    DANGJIAN_VAR_DIR=/tmp/a PYTHONPATH=. .venv/bin/python scripts/crawl_pages.py crawl OUT [--limit N]
    .venv/bin/python scripts/crawl_pages.py compare OLD NEW

`crawl` logs in as each demo user of the database (`dangjian demo`), follows the links of
every page from the dashboard (breadth first, at most `--limit` pages per user, exports,
the admin and the API left out), asks each list page also for its HTMX results region
(and for one that keeps nothing), and saves every answer with the CSRF tokens and CSP
nonces blanked. `compare` pairs the pages both crawls saved and prints those that differ
beyond white space, grouped by their difference. Run `crawl` with the same seed's demo in
two checkouts (PYTHONPATH chooses the tree) and `compare` the two folders: issue 13 was
held to it.
"""

from __future__ import annotations

import argparse
import collections
import difflib
import hashlib
import json
import os
import re
import sys
from collections import deque
from pathlib import Path

USERS = [
    "city_admin",
    "furong_admin",
    "wenyilu_cadre",
    "furong_registry",
    "supervisor_edu",
    "org_secretary",
    "instructor",
    "admin",
]
SKIP = re.compile(r"/(logout|static|admin|api)/|export|\.xlsx|\.csv|format=")
LISTS = ("/orgs/", "/party-orgs/", "/people/", "/findings/")
NOTHING = "q=zzzz不存在"  # a search that keeps nothing: the empty state


def normalize(text: str) -> str:
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    text = re.sub(r'nonce="[^"]+"', "NONCE", text)
    return re.sub(r'"csrfToken": ?"[^"]+"', "CSRF", text)


def crawl(out: Path, limit: int) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    django.setup()
    from django.conf import settings
    from django.test import Client

    from dangjian.accounts.models import User

    settings.ALLOWED_HOSTS = ["*"]
    out.mkdir(parents=True, exist_ok=True)
    index: dict[str, list[object]] = {}

    def save(key: str, status: int, body: str) -> None:
        name = hashlib.sha1(key.encode()).hexdigest()[:16]
        index[key] = [status, name]
        (out / f"{name}.html").write_text(normalize(body))

    for username in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        seen: set[str] = set()
        queue = deque(["/"])
        while queue and len(seen) < limit:
            url = queue.popleft()
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            html = response.get("Content-Type", "").startswith("text/html")
            body = response.content.decode("utf-8", "replace") if html else ""
            save(f"{username} {url}", response.status_code, body)
            if url.split("?")[0] in LISTS:
                for asked in (url, url + ("&" if "?" in url else "?") + NOTHING):
                    part = client.get(asked, headers={"HX-Request": "true"})
                    save(f"{username} HX {asked}", part.status_code, part.content.decode())
            for link in sorted(set(re.findall(r'href="(/[^"#]*)"', body))):
                link = link.replace("&amp;", "&")
                if not SKIP.search(link) and link not in seen:
                    queue.append(link)
    (out / "index.json").write_text(json.dumps(index, ensure_ascii=False, sort_keys=True))
    print(f"{len(index)} 个页面已保存到 {out}")
    return 0


def _lines(path: Path) -> list[str]:
    text = re.sub(r"\s+", " ", path.read_text())
    text = re.sub(r"> <", "><", text)
    return [line.strip() for line in text.replace(">", ">\n").splitlines() if line.strip()]


def compare(old: Path, new: Path, shown: int) -> int:
    a = json.loads((old / "index.json").read_text())
    b = json.loads((new / "index.json").read_text())
    for key in sorted(set(a) ^ set(b)):
        print(f"只在{'旧' if key in a else '新'}版中：{key}")
    groups: dict[str, list[str]] = collections.defaultdict(list)
    both = sorted(set(a) & set(b))
    for key in both:
        before, after = _lines(old / f"{a[key][1]}.html"), _lines(new / f"{b[key][1]}.html")
        if a[key][0] != b[key][0] or before != after:
            diff = difflib.unified_diff(before, after, lineterm="", n=0)
            changed = [line for line in diff if line[:1] in "+-" and line[:3] not in "+++---"]
            groups[f"状态 {a[key][0]} → {b[key][0]}\n" + "\n".join(changed)[:3000]].append(key)
    differing = sum(len(keys) for keys in groups.values())
    print(f"{len(both)} 个页面两版都有，{differing} 个不同（{len(groups)} 种差异）")
    for difference, keys in sorted(groups.items(), key=lambda g: -len(g[1]))[:shown]:
        print(f"===== {len(keys)} 个页面，例如 {keys[:3]}\n{difference}")
    return 1 if differing or set(a) ^ set(b) else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("crawl")
    c.add_argument("out", type=Path)
    c.add_argument("--limit", type=int, default=450, help="pages per user")
    d = sub.add_parser("compare")
    d.add_argument("old", type=Path)
    d.add_argument("new", type=Path)
    d.add_argument("--shown", type=int, default=20, help="differences printed")
    args = parser.parse_args(argv)
    if args.command == "crawl":
        return crawl(args.out, args.limit)
    return compare(args.old, args.new, args.shown)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
