"""The Party-organization list and page flag an expired term (已届满) only where ORG-TERM
checks it: Party organizations of social organizations, never the territorial ones (POLICY:
the system does not check township, community and other territorial Party organizations)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from dangjian.accounts.models import Role
from dangjian.compliance.engine import evaluate
from dangjian.partyorgs.models import PartyOrgForm, PartyOrgLevel
from tests import factories

pytestmark = pytest.mark.django_db

OLD = dt.date(1996, 1, 18)


@pytest.fixture
def client(areas) -> Client:
    user = factories.user("furong_terms", role=Role.DISTRICT, area=areas["furong"])
    c = Client()
    c.force_login(user)
    return c


def row_html(page: str, code: str) -> str:
    rows = [part for part in page.split("<tr") if f"/party-orgs/{code}/" in part]
    assert len(rows) == 1, code
    return rows[0]


@pytest.mark.parametrize(
    ("form", "level"),
    [
        (PartyOrgForm.COMMUNITY, PartyOrgLevel.COMMITTEE),
        (PartyOrgForm.COMMUNITY, PartyOrgLevel.BRANCH),
        (PartyOrgForm.TOWNSHIP, PartyOrgLevel.COMMITTEE),
    ],
)
def test_a_territorial_party_org_with_an_old_term_shows_no_flag(areas, client, form, level):
    territorial = factories.party_org(
        areas["wenyilu"], form=form, level=level, code="C-OLD", founded_on=OLD
    )
    branch = factories.party_org(areas["wenyilu"], code="D-EXPIRED", founded_on=dt.date(2016, 1, 1))
    response = client.get("/party-orgs/")
    assert response.status_code == 200
    terms = {row["party_org"].code: row["term"] for row in response.context["rows"]}
    assert terms["C-OLD"]["overdue"] is False
    assert terms["D-EXPIRED"]["overdue"] is True
    assert terms["C-OLD"]["checked"] is False
    page = response.content.decode()
    assert "已届满" not in row_html(page, "C-OLD")
    # Nor a term end computed from a founding in 1996, which nobody checks.
    assert "2001-01-18" not in row_html(page, "C-OLD")
    assert "1999-01-18" not in row_html(page, "C-OLD")
    assert "已届满" in row_html(page, "D-EXPIRED")
    # The list flags exactly what the rule finds.
    found = {f.subject.key for f in evaluate(as_of=dt.date.today(), rules=["ORG-TERM"]).findings}
    assert found == {branch.code}
    detail = client.get(f"/party-orgs/{territorial.code}/").content.decode()
    assert "已届满" not in detail


def test_a_standalone_branch_with_an_expired_term_is_flagged(areas, client):
    branch = factories.party_org(
        areas["wenyilu"],
        code="D-LATE",
        founded_on=dt.date(2016, 1, 1),
        term_started_on=dt.date(2019, 3, 1),
    )
    page = client.get("/party-orgs/").content.decode()
    assert "2022-03-01" in row_html(page, branch.code)
    assert "已届满" in row_html(page, branch.code)
    assert "已届满" in client.get(f"/party-orgs/{branch.code}/").content.decode()
