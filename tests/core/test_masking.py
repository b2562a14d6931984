"""Masking personal data for roles that do not need it: enough left to recognise, never the whole value."""

from __future__ import annotations

import pytest

from powerdesk.core.masking import mask_address, mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        (" 13812345678 ", "138****5678"),
        ("0571-88886666", "057****6666"),
        ("88886666", "****6666"),
        ("8888666", "****666"),
        ("12345", "***45"),
        ("12", "*2"),
        ("1", "*"),
    ],
)
def test_it_masks_phone_numbers(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize("value", ["123", "8888666", "88886666", "0571888866"])
def test_a_number_shorter_than_a_mobile_keeps_at_most_half_of_its_digits(value):
    masked = mask_phone(value)
    assert len(masked) == len(value)
    assert sum(c != "*" for c in masked) <= len(value) // 2


@pytest.mark.parametrize("value", ["", None])
def test_empty_values_stay_empty(value):
    assert mask_phone(value) == ""
    assert mask_id_number(value) == ""
    assert mask_address(value) == ""
    assert mask_name(value) == ""


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("330100199001011234", "3301**********1234"),
        ("33010019900101X", "3301*******101X"),
        ("E12345678", "E******78"),
        ("1234", "****"),
    ],
)
def test_it_masks_id_numbers(value, masked):
    assert mask_id_number(value) == masked
    assert len(mask_id_number(value)) == len(value)


def test_an_id_number_keeps_birth_date_hidden():
    assert "19900101" not in mask_id_number("330100199001011234")


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("青溪县城关镇和平路18号3单元", "青溪县城关镇和平****"),
        ("和平路18号", "和平路****"),
        ("5组", "5****"),
    ],
)
def test_it_masks_the_house_number_of_an_address(value, masked):
    assert mask_address(value) == masked


def test_a_short_address_is_never_shown_whole():
    for value in ["和平路18号", "西岭村5组", "1号"]:
        assert mask_address(value) != value
        assert not mask_address(value).startswith(value)


def test_the_kept_part_of_an_address_can_be_chosen():
    assert mask_address("青溪县城关镇和平路18号", keep=3) == "青溪县****"


@pytest.mark.parametrize(("value", "masked"), [("张三", "张*"), ("欧阳建国", "欧***"), ("李", "李")])
def test_it_masks_names_after_the_surname_character(value, masked):
    assert mask_name(value) == masked
