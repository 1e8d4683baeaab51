"""Writing organizations and Party organizations in the pages (issue 14 item 4): a form is a
one-row import of its kind (dangjian/imports/records.py) — the same checks and messages as
a file, all-or-nothing, in the history with the user's reason, undoable as a batch — inside
the jurisdiction only, refusing a stale form."""

from __future__ import annotations

import csv

import pytest
from django.test import Client
from django.utils import timezone

from dangjian.compliance.engine import evaluate, record
from dangjian.compliance.models import FindingRecord
from dangjian.imports.export import headers
from dangjian.imports.models import ImportBatch
from dangjian.imports.records import record_values
from dangjian.imports.service import import_file
from dangjian.orgs.models import SocialOrganization
from dangjian.partyorgs.models import PartyOrganization
from dangjian.tasks.models import Task
from tests import factories
from tests.actors import build_world


@pytest.fixture
def world(areas):
    return build_world(areas)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(client: Client, url: str) -> dict[str, str]:
    """The form as the page fills it in (its fields' current values)."""
    response = client.get(url)
    assert response.status_code == 200, url
    form = response.context["form"]
    return {name: form[name].value() or "" for name in form.fields}


@pytest.mark.django_db
def test_an_officer_corrects_an_organization_with_a_reason_and_it_is_in_the_history(world):
    org = world.orgs["fr_assoc"]
    client = client_for(world.users["furong"])
    url = f"/orgs/{org.uscc}/edit/"
    data = form_data(client, url)
    assert data["name"] == org.name and data["uscc"] == org.uscc
    data.update(name="芙蓉区书法家协会", reason="更正名称")
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == f"/orgs/{org.uscc}/"
    org.refresh_from_db()
    assert org.name == "芙蓉区书法家协会"
    last = org.history.order_by("-history_id").first()
    assert "页面表单：更正名称" in last.history_change_reason
    assert last.history_user == world.users["furong"]
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.updated, batch.file_name) == ("orgs", 1, "页面表单：更正名称")


@pytest.mark.django_db
def test_bad_input_is_refused_next_to_its_field_with_the_import_s_message(world, tmp_path):
    org = world.orgs["fr_assoc"]
    client = client_for(world.users["furong"])
    url = f"/orgs/{org.uscc}/edit/"
    data = form_data(client, url)
    data.update(registered_on="2026-02-30", name="改了的名字")
    response = client.post(url, data)
    assert response.status_code == 422
    form = response.context["form"]
    assert form["name"].value() == "改了的名字"  # what the user typed is kept
    message = form.errors["registered_on"][0]
    org.refresh_from_db()
    assert org.name == "芙蓉区书法协会"  # nothing written
    # The very message an import file gets for the same cell.
    row = [data[c] for c in ("uscc", "name")]
    path = tmp_path / "orgs.csv"
    values = record_values("orgs", org, world.users["furong"])
    assert values is not None
    values.update(registered_on="2026-02-30")
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([headers("orgs"), list(values.values())])
    result = import_file("orgs", path, user=world.users["furong"])
    assert [e.message for e in result.errors] == [message], row


@pytest.mark.django_db
def test_a_form_older_than_the_record_is_refused_naming_the_other_change(world):
    org = world.orgs["fr_assoc"]
    client = client_for(world.users["furong"])
    url = f"/orgs/{org.uscc}/edit/"
    data = form_data(client, url)
    org.staff_count = 12
    org._change_reason = "另一位管理员更正人数"
    org.save()
    data.update(name="覆盖他人修改")
    response = client.post(url, data)
    assert response.status_code == 422
    text = response.content.decode()
    assert "另一位管理员更正人数" in text and "本次未保存" in text
    org.refresh_from_db()
    assert org.name == "芙蓉区书法协会" and org.staff_count == 12


@pytest.mark.django_db
def test_outside_the_jurisdiction_the_form_does_not_exist_and_others_may_not_write(world):
    outsider = client_for(world.users["outsider"])
    uscc = world.orgs["fr_assoc"].uscc
    assert outsider.get(f"/orgs/{uscc}/edit/").status_code == 404
    assert outsider.post(f"/orgs/{uscc}/edit/", {"name": "x"}).status_code == 404
    secretary = client_for(world.users["secretary"])
    assert secretary.get(f"/orgs/{uscc}/edit/").status_code == 403
    assert secretary.post("/orgs/new/", {"uscc": "x"}).status_code == 403
    assert ImportBatch.objects.count() == 0
    # The buttons are offered only to those who may write (a secretary writes the offices
    # of their Party organization, not the Party organization itself).
    page = secretary.get("/party-orgs/D-FR-1/").content.decode()
    assert "/party-orgs/D-FR-1/edit/" not in page and "/offices/" in page
    assert (
        f"/orgs/{uscc}/edit/"
        in client_for(world.users["furong"]).get(f"/orgs/{uscc}/").content.decode()
    )


@pytest.mark.django_db
def test_a_new_organization_is_created_and_an_existing_code_refused(world, areas):
    client = client_for(world.users["furong"])
    data = form_data(client, f"/orgs/{world.orgs['fr_assoc'].uscc}/edit/")
    new_uscc = factories.uscc_for(n=999)
    data.update(uscc=new_uscc, name="芙蓉区新成立协会", reason="")
    response = client.post("/orgs/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    assert SocialOrganization.objects.get(uscc=new_uscc).name == "芙蓉区新成立协会"
    again = client.post("/orgs/new/", data)
    assert again.status_code == 422 and "已存在" in again.content.decode()


@pytest.mark.django_db
def test_a_party_organization_is_edited_keeping_what_it_covers(world):
    party_org = world.party_orgs["fr"]
    client = client_for(world.users["furong"])
    url = "/party-orgs/D-FR-1/edit/"
    data = form_data(client, url)
    assert data["covers"] == world.orgs["fr_assoc"].uscc
    data.update(name="中共芙蓉区书法协会支部委员会")
    assert client.post(url, data).status_code == 302
    party_org.refresh_from_db()
    assert party_org.name == "中共芙蓉区书法协会支部委员会"
    assert list(party_org.coverages.values_list("org__uscc", flat=True)) == [
        world.orgs["fr_assoc"].uscc
    ]


@pytest.mark.django_db(transaction=True)
def test_a_correction_in_a_form_closes_the_task_it_fixes_at_once(areas):
    world = build_world(areas)
    # A Party organization whose organization has stopped: DYN-DISSOLVE, a task.
    org = world.orgs["fr_assoc"]
    org.status, org.status_changed_on = "deregistered", org.registered_on
    org.save()
    record(evaluate(as_of=timezone.localdate()))
    finding = FindingRecord.objects.get(rule="DYN-DISSOLVE", resolved_on__isnull=True)
    task = Task.objects.get(finding=finding)
    assert task.state == "pending"
    # The officer finds the deregistration was a typing error and corrects it in the form.
    client = client_for(world.users["furong"])
    url = f"/orgs/{org.uscc}/edit/"
    data = form_data(client, url)
    data.update(status="正常", status_changed_on="", reason="误录为注销，更正")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    task.refresh_from_db()
    assert task.state == "fixed"
    assert "页面表单：误录为注销，更正" in task.events.order_by("pk").last().text
    assert not FindingRecord.objects.filter(rule="DYN-DISSOLVE", resolved_on__isnull=True)
    assert PartyOrganization.objects.get(code="D-FR-1").status == "active"
