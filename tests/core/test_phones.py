"""Phone numbers: one checked, normalised form (core.phones, on libphonenumber)."""

from __future__ import annotations

import pytest

from powerdesk.core.phones import InvalidPhone, normalise, search_forms


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("0571-88881234", "057188881234"),
        ("(0571) 8888 1234", "057188881234"),
        ("010-12345678", "01012345678"),
        ("0571-88881234 转 808", "057188881234-808"),
        ("0571 88881234分机12", "057188881234-12"),
        ("0571-88881234-808", "057188881234-808"),
        ("+1 650 253 0000", "+16502530000"),
        ("+44 20 7946 0958 ext. 12", "+442079460958-12"),
        ("", ""),
        ("  ", ""),
    ],
)
def test_it_writes_mobiles_landlines_and_international_numbers_in_one_form(typed, stored):
    assert normalise(typed) == stored
    assert normalise(stored) == stored  # the stored form is its own normal form


@pytest.mark.parametrize(
    "typed", ["abc-12", "12345", "12345678901", "0571-8888", "95598", "63123456", "1" * 41, "+86"]
)
def test_it_refuses_what_is_not_a_phone_number(typed):
    with pytest.raises(InvalidPhone) as refused:
        normalise(typed)
    assert "请输入有效的电话号码" in str(refused.value)


def test_a_search_looks_for_the_stored_form_with_and_without_the_extension():
    assert search_forms("+86 0571 8888 1234-8") == {"057188881234-8", "057188881234"}
    assert search_forms("abc") == set()
