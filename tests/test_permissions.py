"""docs/permissions.md's table of user management, cell by cell: every page and action
(GET and POST) as every demo role, each answering exactly what the table says, and no
refused POST writing anything. The table is read from the markdown file, so the test and
the document cannot drift apart. Also: every task step posted to a task outside the
actor's jurisdiction is a 404 that writes nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts import selectors, services
from dangjian.accounts.models import Role, User
from dangjian.areas.models import UnitKind
from dangjian.compliance.engine import evaluate, record
from dangjian.core.models import AuditEvent
from dangjian.tasks.models import Task, TaskEvent
from tests import factories
from tests.actors import build_world

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"
OUTCOMES = {"允许", "403", "404", "字段错误", "登录", "—"}


def read_table(
    marker: str, outcomes: set[str]
) -> tuple[list[str], list[tuple[list[str], str, dict[str, str]]]]:
    """docs/permissions.md's table between `<!-- marker -->` and `<!-- /marker -->`: the
    actors (columns) and the rows: (URL names, object, actor → outcome)."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split(f"<!-- {marker} -->")[1].split(f"<!-- /{marker} -->")[0]
    lines = [line.strip() for line in block.strip().splitlines()]
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in lines]
    header, _rule, *body = cells
    actors = header[2:]
    rows = []
    for row in body:
        names = re.findall(r"`(web:\w+)`", row[0])
        target = row[1].strip("`")
        said = dict(zip(actors, row[2:], strict=True))
        assert names and set(said.values()) <= outcomes, row
        rows.append((names, target, said))
    return actors, rows


def table() -> tuple[list[str], list[tuple[list[str], str, dict[str, str]]]]:
    """The user-management table."""
    return read_table("permissions-table", OUTCOMES)


@pytest.fixture
def world(areas):
    w = build_world(areas)
    fr_health = factories.unit("芙蓉区卫生健康局", UnitKind.SUPERVISORY, areas["furong"])
    w.users["furong2"] = factories.user("furong2", role=Role.DISTRICT, area=areas["furong"])
    w.users["tx_township"] = factories.user("tx_township", role=Role.TOWNSHIP, area=areas["pozi"])
    w.users["fr_supervisor"] = factories.user("fr_supervisor", role=Role.SUPERVISOR, unit=fr_health)
    w.users["admin"] = factories.user("admin", is_superuser=True, is_staff=True)
    record(evaluate(as_of=timezone.localdate()))
    return w


def new_user_data(world: Any, key: str) -> dict[str, str]:
    """The add-user form's POST for a `new:` row (docs/permissions.md names them)."""
    instructor = world.people["instructor"]
    scopes = {
        "new:city": ("city", {"area_code": "430100"}),
        "new:district": ("district", {"area_code": "430102"}),
        "new:township": ("township", {"area_code": "430102001"}),
        "new:township-tx": ("township", {"area_code": "430103001"}),
        "new:registry": ("registry", {"unit_name": "芙蓉区民政局"}),
        "new:supervisor": ("supervisor", {"unit_name": "芙蓉区卫生健康局"}),
        "new:supervisor-city": ("supervisor", {"unit_name": "长沙市教育局"}),
        "new:org": ("org", {"party_org_code": "D-FR-1"}),
        "new:instructor": ("instructor", {"instructor_id_number": instructor.id_number}),
    }
    role, scope = scopes[key]
    return {"username": "newcomer", "full_name": "新用户", "role": role, **scope}


def client_for(world: Any, actor: str) -> Client:
    client = Client()
    if actor != "anonymous":
        client.force_login(world.users[actor])
    return client


def written() -> tuple[int, int, int, int, list[tuple[int, bool, str]]]:
    """Everything a user-management POST could write."""
    return (
        User.objects.count(),
        User.history.count(),
        AuditEvent.objects.count(),
        TaskEvent.objects.count(),
        list(User.objects.order_by("pk").values_list("pk", "is_active", "password")),
    )


def rolled_back(method: Any, *args: Any) -> tuple[Any, Any, Any]:
    """Call `method(*args)` (a client's get or post) and undo what it wrote, so that every cell starts from the same world:
    (its answer, what was there before, what was there after it)."""
    with transaction.atomic():
        before = written()
        answer = method(*args)
        after = written()
        transaction.set_rollback(True)
    return answer, before, after


def check(url: str, method: str, response: Any, expected: str, before: Any, after: Any) -> None:
    where = f"{method} {url}: expected {expected}, got {response.status_code}"
    if expected == "登录":
        assert response.status_code == 302 and "/login/" in response["Location"], where
    elif expected in ("403", "404"):
        assert response.status_code == int(expected), where
        body = response.content.decode()
        if expected == "403":
            assert "没有" in body or "不能" in body, where  # the reason, in Chinese
    elif expected == "字段错误":
        errors = re.findall(
            r'class="invalid-feedback[^"]*"[^>]*>([^<]*)<', response.content.decode()
        )
        assert response.status_code == 200 and errors, where
        # Outside the jurisdiction reads as not existing (the same message).
        assert all("不存在" in e or "不是已登记" in e for e in errors), (where, errors)
    else:
        assert expected == "允许", where
        if method == "GET":
            assert response.status_code == 200, where
        else:
            assert response.status_code in (200, 302), where
            assert "invalid-feedback" not in response.content.decode(), where
            assert after != before, f"{where}: nothing written"
            assert after[2] == before[2] + 1, f"{where}: not audited"
    if expected != "允许":
        assert after == before, f"{where}: a refused request wrote something"


def test_every_user_management_page_answers_as_docs_permissions_md_says(world):
    actors, rows = table()
    assert set(actors) - {"anonymous"} <= set(world.users)
    walked = 0
    for actor in actors:
        client = client_for(world, actor)
        for names, target, outcomes in rows:
            expected = outcomes[actor]
            if expected == "—" or names[0].startswith("web:task_"):
                continue
            if target.startswith("new:"):
                url = reverse("web:user_add")
                data = new_user_data(world, target)
                response, before, after = rolled_back(client.post, url, data)
                check(url, "POST", response, expected, before, after)
                walked += 1
                continue
            for name in names:
                if target in ("—", "self"):
                    url = reverse(name)
                else:
                    pk = world.users[target].pk if target != "nobody" else 999999
                    url = reverse(name, kwargs={"pk": pk})
                response, before, after = rolled_back(client.get, url)
                check(url, "GET", response, expected, before, after)
                walked += 1
                if name in ("web:users", "web:user_add", "web:user", "web:users_export"):
                    continue  # read-only pages (the add form's POST is the `new:` rows)
                data = {"reason": "调离岗位"}
                if name == "web:password_change":
                    data = {
                        "old_password": "Test-password-123",
                        "new_password1": "Another-secret-456",
                        "new_password2": "Another-secret-456",
                    }
                response, before, after = rolled_back(client.post, url, data)
                check(url, "POST", response, expected, before, after)
                walked += 1
    assert walked > 300


def test_the_list_shows_exactly_the_users_the_table_lets_the_actor_manage(world):
    actors, rows = table()
    per_target = {target: outcomes for names, target, outcomes in rows if names[0] == "web:user"}
    for actor in actors:
        if actor == "anonymous":
            continue
        user = world.users[actor]
        allowed = {t for t, o in per_target.items() if o[actor] == "允许"}
        listed = set(selectors.users_for(user).values_list("username", flat=True))
        # the table's users, plus any the test world holds besides (none is manageable
        # unless it is in the table)
        assert listed == {world.users[t].username for t in allowed}, actor
        # The rule for one user and the list's filter agree on every user.
        for target in User.objects.all():
            assert services.may_manage(user, target) == (target.username in listed), (
                actor,
                target.username,
            )
        if listed:
            body = client_for(world, actor).get(reverse("web:users")).content.decode()
            found = set(re.findall(r'<td class="mono"><a href="/users/\d+/">([^<]+)</a>', body))
            assert found == listed, actor


def test_the_menu_offers_user_management_exactly_to_those_it_opens_for(world):
    actors, rows = table()
    listing = next(o for names, _t, o in rows if names[0] == "web:users")
    for actor in actors:
        if actor == "anonymous":
            continue
        body = client_for(world, actor).get(reverse("web:dashboard")).content.decode()
        assert ('href="/users/"' in body) == (listing[actor] == "允许"), actor
        assert f'href="{reverse("web:password_change")}"' in body, actor


def task_outside(world: Any, actor: str) -> Task | None:
    """A task whose finding lies outside `actor`'s jurisdiction (None: the actor sees
    every task of the test's city)."""
    if actor in ("city", "admin"):
        return None
    party_org = world.party_orgs["fr" if actor == "outsider" else "tx"]
    task = Task.objects.filter(subject_type="party_org", subject_pk=party_org.pk).first()
    assert task is not None, actor
    return task


def test_no_task_step_reaches_a_task_outside_the_jurisdiction(world):
    actors, rows = table()
    (names, _target, outcomes) = next(r for r in rows if r[0][0].startswith("web:task_"))
    assert {"web:task_start", "web:task_close", "web:task_decide"} <= set(names)
    for actor in actors:
        expected = outcomes[actor]
        task = task_outside(world, actor if actor != "anonymous" else "furong")
        if expected == "—":
            assert task_outside(world, actor) is None
            continue
        assert task is not None
        client = client_for(world, actor)
        version = task.updated_at.isoformat()
        for name in names:
            url = reverse(name, kwargs={"pk": task.pk})
            data = {"version": version, "text": "x", "opinion": "x", "decision": "approve"}
            state = Task.objects.filter(pk=task.pk).values_list("state", "updated_at").get()
            response, before, after = rolled_back(client.post, url, data)
            check(url, "POST", response, expected, before, after)
            assert Task.objects.filter(pk=task.pk).values_list("state", "updated_at").get() == state
