"""Exports: masked identity numbers unless the right is held and asked for; audited."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from dangjian.core.models import AuditEvent
from dangjian.imports.export import write_export
from tests.actors import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(areas):
    return build_world(areas)


def export(kind, **kwargs):
    out = io.StringIO()
    write_export(kind, out, **kwargs)
    return out.getvalue()


def test_identity_numbers_are_masked_unless_asked(world):
    member = world.people["fr_member"]
    masked = export("people")
    assert member.id_masked in masked and member.id_number not in masked
    assert member.id_number in export("people", unmask=True)
    assert AuditEvent.objects.filter(action="unmask_export").count() == 1


def test_unmasking_is_a_right_of_its_own_and_recorded(world):
    officer = world.users["furong"]
    with pytest.raises(PermissionDenied):
        export("people", unmask=True, user=officer)
    assert not AuditEvent.objects.exists()
    officer.user_permissions.add(Permission.objects.get(codename="unmask_id_number"))
    officer = type(officer).objects.get(pk=officer.pk)  # fresh permission cache
    text = export("people", unmask=True, user=officer)
    assert world.people["fr_member"].id_number in text
    event = AuditEvent.objects.get()
    assert event.user == officer and "人员" in event.detail


def test_an_export_holds_only_the_jurisdiction(world):
    text = export("orgs", user=world.users["outsider"])
    assert world.orgs["tx_fund"].uscc in text and world.orgs["fr_assoc"].uscc not in text
    assert world.people["fr_member"].id_masked not in export("people", user=world.users["outsider"])
    assert "D-FR-1" not in export("committees", user=world.users["outsider"])
