"""A person's page (issue 14 item 5): membership, the relation and its changes, employments,
offices, the open findings about them, the history — inside the jurisdiction only, identity
numbers masked, related objects outside it as plain labels."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.compliance.models import FindingRecord
from dangjian.people.models import Employment, Membership
from tests import factories
from tests.actors import add_cross_jurisdiction_links, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(areas):
    w = build_world(areas)
    add_cross_jurisdiction_links(w)
    return w


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client: Client, person) -> str:
    response = client.get(f"/people/{person.pk}/")
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_the_page_shows_membership_relation_employments_offices_and_history(world):
    member = world.people["fr_member"]
    text = page(client_for(world.users["furong"]), member)
    assert f"<title>{member.name} · 社会组织党建工作管理系统</title>" in text
    assert '<a href="/people/">党员与人员</a>' in text
    assert member.id_masked in text
    assert "正式党员" in text
    assert '<a href="/party-orgs/D-FR-1/">芙蓉区书法协会党支部</a>' in text  # 组织关系
    assert f'<a href="/orgs/{world.orgs["fr_assoc"].uscc}/">芙蓉区书法协会</a>' in text
    assert "书记" in text and "在任" in text
    assert "变更记录" in text
    # Never the full identity number.
    from dangjian.lib.crypto import decrypt

    assert decrypt(member.id_encrypted) not in text


def test_the_relation_s_changes_are_listed_oldest_first(world):
    member = world.people["fr_member"]
    membership = Membership.objects.get(person=member)
    membership.relation_party_org = world.party_orgs["fr"]
    membership._change_reason = "转入书法协会党支部"  # type: ignore[attr-defined]
    membership.save()
    text = page(client_for(world.users["furong"]), member)
    assert "组织关系变更" in text and "转入书法协会党支部" in text


def test_a_related_object_outside_the_jurisdiction_is_a_label(world):
    # Works in 天心区, relation held by a 芙蓉区 joint Party organization: 天心区's officer
    # sees the joint one's name, not a link (docs/security.md).
    person = world.people["tx_joint_member"]
    text = page(client_for(world.users["outsider"]), person)
    assert "芙蓉区跨区联合党支部" in text
    assert 'href="/party-orgs/D-FR-J/"' not in text
    assert f'<a href="/orgs/{world.orgs["tx_fund"].uscc}/">' in text


def test_outside_the_jurisdiction_the_page_does_not_exist(world):
    outsider = client_for(world.users["outsider"])
    assert outsider.get(f"/people/{world.people['fr_member'].pk}/").status_code == 404
    assert outsider.get("/people/999999/").status_code == 404
    assert client_for(world.users["furong"]).get("/people/x/").status_code == 404


def test_the_open_findings_about_the_person_are_shown(world):
    member = world.people["fr_member"]
    FindingRecord.objects.create(
        rule="DYN-TRANSFER",
        subject_type="person",
        subject_key=member.id_masked,
        subject_name=member.name,
        subject_pk=member.pk,
        area=world.areas["wenyilu"].code,
        area_path=world.areas["wenyilu"].path,
        severity="high",
        message="组织关系仍在已撤销的党组织「某党支部」",
        due=dt.date(2026, 12, 31),
        first_seen=timezone.localdate(),
        last_seen=timezone.localdate(),
        policy_version="test",
    )
    text = page(client_for(world.users["furong"]), member)
    assert "DYN-TRANSFER" in text and "组织关系仍在已撤销的党组织" in text


def test_the_list_links_each_person_to_their_page(world):
    member = world.people["fr_member"]
    text = " ".join(client_for(world.users["furong"]).get("/people/").content.decode().split())
    assert f'<a href="/people/{member.pk}/">{member.name}</a>' in text


def test_the_page_makes_as_many_queries_for_ten_employments_as_for_one(world, areas):
    client = client_for(world.users["city"])
    one = factories.member(factories.org(areas["wenyilu"], name="单位一"))
    many = factories.member(factories.org(areas["wenyilu"], name="单位二"))
    for i in range(9):
        other = factories.org(areas["chaoyang"], name=f"单位三{i}")
        Employment.objects.create(person=many, org=other, started_on=dt.date(2020, 1, 1))
    counts = []
    for person in (one, many):
        with CaptureQueriesContext(connection) as queries:
            page(client, person)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
