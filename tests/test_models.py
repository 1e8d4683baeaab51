"""Model validation: invalid codes and impossible or inconsistent dates are refused with
Chinese messages naming the field and the value, and nothing half-valid is saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dangjian.areas.models import Unit, UnitKind
from dangjian.orgs.models import OrgKind, OrgStatus, RegistrationMode, SocialOrganization
from dangjian.partyorgs.models import PartyOrganization, PartyOrgStatus
from dangjian.people.models import Employment, Membership, Person
from tests import factories


def _org(areas, **fields):
    furong = areas["furong"]
    defaults = dict(
        uscc=factories.uscc_for(OrgKind.ASSOCIATION, furong.code),
        name="芙蓉区测试协会",
        kind=OrgKind.ASSOCIATION,
        registry=factories.unit("芙蓉区民政局", UnitKind.CIVIL_AFFAIRS, furong),
        registration_mode=RegistrationMode.DIRECT,
        industry="other",
        district=furong,
        township=areas["wenyilu"],
        registered_on=dt.date(2015, 3, 1),
    )
    defaults.update(fields)
    return SocialOrganization(**defaults)


def _errors(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        obj.full_clean()
    return info.value.message_dict


def test_it_accepts_a_valid_organization(areas):
    org = _org(areas)
    org.full_clean()
    org.save()
    assert SocialOrganization.objects.get().uscc == org.uscc


def test_it_refuses_a_uscc_with_a_wrong_check_character(areas):
    good = factories.uscc_for(OrgKind.ASSOCIATION, "430102")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    errors = _errors(_org(areas, uscc=bad))
    assert bad in errors["uscc"][0] and "校验位" in errors["uscc"][0]


def test_it_refuses_a_uscc_whose_kind_character_disagrees(areas):
    code = factories.uscc_for(OrgKind.FOUNDATION, "430102")
    errors = _errors(_org(areas, uscc=code))
    assert errors["uscc"] == [
        f"统一社会信用代码「{code}」第2位为3，与社会组织类型「社会团体」不符（应为1）"
    ]


def test_it_refuses_a_supervised_organization_without_a_supervisor(areas):
    errors = _errors(_org(areas, registration_mode=RegistrationMode.SUPERVISED))
    assert "须填写业务主管单位" in str(errors)


def test_it_refuses_a_township_outside_the_district(areas):
    errors = _errors(_org(areas, township=areas["pozi"]))
    assert errors["township"] == [
        "乡镇(街道)「坡子街街道（430103001）」不在区县「芙蓉区（430102）」内"
    ]


def test_it_refuses_a_status_change_before_registration(areas):
    org = _org(areas, status=OrgStatus.DEREGISTERED, status_changed_on=dt.date(2014, 1, 1))
    assert "状态变更日期不能早于成立登记日期" in str(_errors(org))


def test_it_refuses_a_deregistration_without_its_date(areas):
    assert "须填写状态变更日期" in str(_errors(_org(areas, status=OrgStatus.DEREGISTERED)))


def test_it_refuses_confirmation_before_admission(areas):
    person = factories.person()
    m = Membership(person=person, joined_on=dt.date(2020, 5, 1), confirmed_on=dt.date(2020, 4, 30))
    errors = _errors(m)
    assert errors["confirmed_on"][0] == "转正日期「2020-04-30」早于入党日期「2020-05-01」"


def test_it_refuses_leaving_before_starting(areas):
    org = factories.org(areas["wenyilu"])
    e = Employment(
        person=factories.person(),
        org=org,
        started_on=dt.date(2020, 5, 1),
        ended_on=dt.date(2019, 1, 1),
    )
    assert _errors(e)["ended_on"][0] == "离职日期「2019-01-01」早于入职日期「2020-05-01」"


def test_the_database_itself_refuses_inconsistent_dates(areas):
    person = factories.person()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            person=person, joined_on=dt.date(2020, 5, 1), confirmed_on=dt.date(2020, 1, 1)
        )
    assert not Membership.objects.exists()


def test_it_refuses_a_dissolution_before_founding(areas):
    po = PartyOrganization(
        code="P1",
        name="测试党支部",
        level="branch",
        form="standalone",
        township=areas["wenyilu"],
        founded_on=dt.date(2020, 1, 1),
        status=PartyOrgStatus.DISSOLVED,
        dissolved_on=dt.date(2019, 1, 1),
    )
    assert "撤销日期「2019-01-01」早于成立日期「2020-01-01」" in str(_errors(po))


def test_it_stores_the_identity_number_only_encrypted_and_masked(areas):
    number = factories.id_number_for(7, birth="19700101")
    person = factories.person("李四", id_number=number)
    row = Person.objects.filter(pk=person.pk).values().get()
    assert number not in str(row)
    assert row["id_masked"] == number[:6] + "********" + number[-4:]
    assert Person.objects.get(pk=person.pk).id_number == number
    assert Person.objects.by_id_number(number).get() == person
    assert person.birth_date == dt.date(1970, 1, 1)
    historical = person.history.values().get()
    assert number not in str(historical)


def test_it_refuses_an_invalid_identity_number(areas):
    with pytest.raises(ValidationError, match="校验位不正确"):
        number = factories.id_number_for(8)
        wrong = "0" if number[-1] == "X" else "X"  # any check character but the right one
        Person.build(name="王五", id_number=number[:-1] + wrong)
    assert not Person.objects.exists()


def test_it_refuses_a_second_person_with_the_same_identity_number(areas):
    number = factories.id_number_for(9)
    factories.person(id_number=number)
    duplicate = Person.build(name="重复", id_number=number)
    assert "身份号码检索摘要" in str(_errors(duplicate)) or "已存在" in str(_errors(duplicate))


def test_it_keeps_the_change_history_of_an_organization(areas):
    org = factories.org(areas["wenyilu"], name="旧名称")
    org.name = "新名称"
    org.save()
    assert [h.name for h in org.history.order_by("history_date")] == ["旧名称", "新名称"]
    assert Unit.objects.filter(kind=UnitKind.CIVIL_AFFAIRS).count() == 1
