"""Every URL pattern and every API operation, walked as an actor of another jurisdiction:
nothing of the first jurisdiction ever appears (404 or a redirect, never the data)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from dangjian.accounts.tokens import token_create
from tests.actors import add_cross_jurisdiction_links, build_world

pytestmark = pytest.mark.django_db


def patterns(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """Every route of the project, as a regex source joined from its parts."""
    resolver = resolver or get_resolver()
    out = []
    for entry in resolver.url_patterns:
        part = entry.pattern.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")
        if isinstance(entry, URLResolver):
            out.extend(patterns(entry, prefix + part))
        elif isinstance(entry, URLPattern):
            out.append(prefix + part)
    return out


def fill(route: str, values: dict[str, str]) -> str | None:
    """Turn a route regex into a URL with the first jurisdiction's keys; None if a group
    has no value to give."""
    missing = []

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            missing.append(name)
            return ""
        return values[name]

    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", value, route)
    if missing or "(" in url or "[" in url or "*" in url:
        return None
    return "/" + url.replace("\\", "").lstrip("/")


@pytest.fixture
def world(areas):
    world = build_world(areas)
    add_cross_jurisdiction_links(world)
    return world


def outsider_client(world: Any) -> Client:
    """The 天心区 officer, given staff status and every view permission, so that only the
    jurisdiction gate stands between them and 芙蓉区."""
    outsider = world.users["outsider"]
    outsider.is_staff = True
    outsider.save()
    outsider.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    client = Client()
    client.force_login(outsider)
    return client


def secrets_of(world: Any) -> list[str]:
    fr = world.orgs["fr_assoc"]
    member = world.people["fr_member"]
    return [fr.uscc, fr.name, "D-FR-1", "芙蓉区书法协会党支部", member.id_masked, member.name]


def test_no_page_shows_anything_of_another_jurisdiction(world):
    client = outsider_client(world)
    fr = world.orgs["fr_assoc"]
    values = {
        "uscc": fr.uscc,
        "code": "D-FR-1",
        "object_id": str(fr.pk),
        "pk": str(fr.pk),
        "kind": "orgs",
        "app_label": "orgs",
        "model_name": "socialorganization",
        "area": "430102",
    }
    nowhere = {
        **values,
        "uscc": "51430102MJJ0000000",
        "code": "NOPE",
        "object_id": "999999",
        "pk": "999999",
    }
    walked = 0
    for route in patterns():
        url = fill(route, values)
        if url is None:
            continue
        response = client.get(url)
        walked += 1
        body = response.content.decode(errors="replace")
        for secret in secrets_of(world):
            assert secret not in body, f"{url} shows {secret!r} (status {response.status_code})"
        if re.search(r"\(\?P<(object_id|pk|uscc|code)>", route):
            # Exactly as for an object that does not exist.
            missing = client.get(fill(route, nowhere) or "")
            assert response.status_code == missing.status_code, (url, response.status_code)
            assert response.status_code in (302, 403, 404, 405), (url, response.status_code)
    assert walked > 50
    # The admin pages of every model, for the first jurisdiction's objects.
    for model, pk in (
        ("orgs/socialorganization", fr.pk),
        ("people/person", world.people["fr_member"].pk),
        ("partyorgs/partyorganization", world.party_orgs["fr"].pk),
    ):
        for suffix in ("change/", "history/", "delete/"):
            response = client.get(f"/admin/{model}/{pk}/{suffix}")
            missing = client.get(f"/admin/{model}/999999/{suffix}")
            assert response.status_code == missing.status_code, (model, suffix)
            assert response.status_code in (302, 403, 404), (model, suffix, response.status_code)
            assert all(s not in response.content.decode() for s in secrets_of(world))


LINK = re.compile(r'href="(/(?:orgs|party-orgs)/[^"/?#]+/)["?#]')


def test_no_link_leads_out_of_the_jurisdiction(world):
    """Every page of the outsider's own jurisdiction, its objects' pages included, links only
    to pages the outsider may open: a related object of 芙蓉区 (the joint Party organization
    covering 天心区's foundation, holding a member's relation, parent of 天心区's branch) is a
    plain label — its name and code, never a link (docs/security.md)."""
    client = outsider_client(world)
    own = {"uscc": world.orgs["tx_fund"].uscc, "code": "D-TX-1", "kind": "orgs", "area": "430103"}
    joint = world.party_orgs["fr_joint"]
    opened: dict[str, int] = {}
    pages = 0
    for route in patterns():
        url = fill(route, own)
        if url is None or url.startswith(("/admin", "/api")):
            continue
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        body = response.content.decode()
        assert f"/party-orgs/{joint.code}/" not in body, url
        for link in set(LINK.findall(body)):
            if link not in opened:
                opened[link] = client.get(link).status_code
            assert opened[link] == 200, f"{url} links to {link} ({opened[link]})"
    assert pages > 5 and opened
    # The related object outside is named as a label where it is related.
    for url in (f"/orgs/{own['uscc']}/", "/party-orgs/D-TX-1/", "/people/"):
        body = client.get(url).content.decode()
        assert joint.name in body, url


def test_no_api_operation_shows_anything_of_another_jurisdiction(world):
    _record, token = token_create(user=world.users["outsider"])
    client = Client(headers={"Authorization": f"Bearer {token}"})
    schema = Client().get("/api/v1/openapi.json").json()
    fr = world.orgs["fr_assoc"]
    from dangjian.life.models import Meeting

    meeting = Meeting.objects.create(
        party_org=world.party_orgs["fr"], type="assembly", held_on=dt.date(2024, 3, 1),
        topic="芙蓉区支部党员大会的主题",
    )  # fmt: skip
    params = {"uscc": fr.uscc, "code": "D-FR-1", "kind": "orgs", "meeting_id": str(meeting.pk)}
    for path, operations in schema["paths"].items():
        url = re.sub(r"\{(\w+)\}", lambda m: params[m.group(1)], path)
        for method in operations:
            if method != "get":
                continue
            for query in ({}, {"area": "430102"}):
                response = client.get(url, query)
                body = response.content.decode()
                for secret in [*secrets_of(world), meeting.topic]:
                    assert secret not in body, f"GET {url} {query} shows {secret!r}"
                if "{" in path or query:
                    assert response.status_code == 404, (url, query, response.status_code)


def known_parameters() -> set[str]:
    """Every query parameter a page reads (`request.GET.get("…")`, `_choice(request, "…")`,
    a detail page's own pager), found in the views' source, and the API's from its schema."""
    from pathlib import Path

    views = [*Path("dangjian/web").glob("*.py"), *Path("dangjian").glob("*/views*.py")]
    source = "\n".join(p.read_text() for p in views)
    names = set(re.findall(r"GET\.get(?:list)?\(\s*\"(\w+)\"", source))
    names |= set(re.findall(r"\bchoice\(\s*request,\s*\"(\w+)\"", source))
    names |= set(re.findall(r"\bpaged\(\s*request,[^,]+,\s*\"(\w+)\"", source))
    schema = Client().get("/api/v1/openapi.json").json()
    for operations in schema["paths"].values():
        for operation in operations.values():
            names |= {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    return names


def test_a_nul_anywhere_answers_404_or_400_never_500(world):
    """PostgreSQL cannot hold a NUL (U+0000) in a text value: a NUL in any route's path, in
    any known parameter or in a form field is refused alike on every database."""
    client = outsider_client(world)
    fr = world.orgs["fr_assoc"]
    values = {
        "uscc": fr.uscc,
        "code": "D-FR-1",
        "object_id": str(fr.pk),
        "pk": str(fr.pk),
        "kind": "orgs",
        "app_label": "orgs",
        "model_name": "socialorganization",
        "area": "430102",
        "phase": "check",
        "fmt": "csv",
    }
    parameters = known_parameters()
    assert {"q", "area", "as_of", "rule", "township", "page", "sort"} <= parameters
    walked = 0
    for route in patterns():
        url = fill(route, values)
        if url is None:
            continue
        nul_values = {name: value[:2] + "\x00" for name, value in values.items()}
        nul_url = fill(route, nul_values) if "(?P<" in route else url + "\x00"
        assert nul_url is not None
        response = client.get(nul_url)
        assert response.status_code == 404, (nul_url, response.status_code)
        api = url.startswith("/api/")
        for name in sorted(parameters):
            for query in ({name: "\x00"}, {name: "2026-01-01\x00x"}, {f"{name}\x00": "1"}):
                response = client.get(url, query)
                assert response.status_code == (422 if api else 400), (url, query)
                walked += 1
        response = client.post(url, {"name": "\x00"})
        assert response.status_code in ((422, 403) if api else (400, 403)), (url, "POST")
    assert walked > 1000
