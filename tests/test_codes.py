"""Validators of USCCs and identity numbers: every valid code accepted, every single-character
change rejected, messages in Chinese naming the value."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from dangjian.lib.codes import (
    id_birth_date,
    id_gender,
    make_id_number,
    make_uscc,
    mask_id_number,
    validate_id_number,
    validate_social_org_uscc,
    validate_uscc,
)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ANY_CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

usccs = st.builds(
    lambda head, tail: make_uscc(head + tail),
    st.text("0123456789", min_size=8, max_size=8),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
)
id_numbers = st.builds(
    lambda region, birth, seq: make_id_number(f"{region}{birth:%Y%m%d}{seq:03d}"),
    st.sampled_from(["430102", "430103", "110101", "440305"]),
    st.dates(dt.date(1900, 1, 1), dt.date(2025, 12, 31)),
    st.integers(0, 999),
)


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@given(usccs)
def test_it_accepts_every_valid_uscc(code):
    validate_uscc(code)


@given(usccs, st.data())
def test_it_rejects_any_single_character_change_of_a_uscc(code, data):
    position = data.draw(st.integers(0, 17))
    replacement = data.draw(st.sampled_from(ANY_CHARACTERS).filter(lambda c: c != code[position]))
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationError) as info:
        validate_uscc(changed)
    assert changed in _messages(info.value)
    assert "统一社会信用代码" in _messages(info.value)


@given(id_numbers)
def test_it_accepts_every_valid_identity_number(number):
    validate_id_number(number)


@given(id_numbers, st.data())
def test_it_rejects_any_single_character_change_of_an_identity_number(number, data):
    position = data.draw(st.integers(0, 17))
    replacement = data.draw(st.sampled_from("0123456789X").filter(lambda c: c != number[position]))
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(ValidationError) as info:
        validate_id_number(changed)
    # The message names the value, masked: identity numbers never appear in clear in logs.
    assert mask_id_number(changed) in _messages(info.value)


def test_it_explains_a_wrong_length():
    with pytest.raises(ValidationError, match="应为18位，实为11位"):
        validate_uscc("51430102MJJ")
    with pytest.raises(ValidationError, match="应为18位"):
        validate_id_number("4.30102E+17")


def test_it_requires_a_civil_affairs_code_matching_the_kind():
    association = make_uscc("51430102MJJ000001")
    validate_social_org_uscc(association, "association")
    with pytest.raises(ValidationError, match="首位应为5"):
        validate_social_org_uscc(make_uscc("91430102MJJ000001"), "association")
    with pytest.raises(ValidationError, match="与社会组织类型「基金会」不符（应为3）"):
        validate_social_org_uscc(association, "foundation")


def test_it_derives_birth_date_and_gender_and_masks():
    number = make_id_number("43010219850312001")
    assert id_birth_date(number) == dt.date(1985, 3, 12)
    assert id_gender(number) == "male"
    assert id_gender(make_id_number("43010219850312002")) == "female"
    assert mask_id_number(number) == "430102********" + number[-4:]
