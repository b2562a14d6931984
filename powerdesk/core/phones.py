"""Phone numbers: checked and written one way, with Google's libphonenumber (``phonenumbers``).

The one home of the rule. What is stored and searched is :func:`normalise`'s form:

* a Chinese number as its national digits: ``13812345678`` (mobile), ``057188881234`` (landline with its
  area code) — the country code (+86, 0086), spaces, dashes and brackets dropped;
* a number of another country in E.164: ``+16502530000``;
* an extension after a dash: ``057188881234-808`` (typed as ``转808``, ``分机808``, ``ext. 808``, ``#808``
  or ``-808``).

A number that is not a valid mobile, landline or international number (``abc-12``, ``12345``,
``0571-8888``, a landline without its area code) is refused. A call that carries no caller ID is not a
phone number: it is recorded as *withheld* beside an empty number (the callers' own flag), never as a
made-up value.
"""

from __future__ import annotations

import re

import phonenumbers
from django.utils.translation import gettext_lazy as _

REGION = "CN"
MAX_EXTENSION = 6

# What people type before an extension: 转 / 分机 / ext / x / # / a dash after a complete number.
_EXTENSION = re.compile(
    r"^(?P<main>.+?)\s*(?:转|分机|ext\.?|x|#|-|—)\s*(?P<ext>\d{1,%s})$" % MAX_EXTENSION,  # noqa: UP031
    re.IGNORECASE,
)

# Eleven digits starting with 1: a Chinese mobile number in its stored form.
_MOBILE = re.compile(r"^1\d{10}$")

INVALID = _("请输入有效的电话号码：手机号、带区号的固定电话（可加分机）或带国家代码的国际号码。")


class InvalidPhone(ValueError):
    """Not a phone number; ``str()`` is the message for the user (Chinese, translated when shown)."""


def _parse(text: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _write(number: phonenumbers.PhoneNumber, extension: str) -> str:
    if number.country_code == 86:
        # National digits: the trunk 0 of a landline kept, the spaces of the national format dropped.
        text = re.sub(r"\D", "", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    else:
        text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return f"{text}-{extension}" if extension else text


def normalise(value: str | None) -> str:
    """The stored form of ``value`` ("" for nothing), or :class:`InvalidPhone`."""
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) > 40:
        raise InvalidPhone(str(INVALID))
    if _MOBILE.match(text):
        # The common case (a mobile caller ID, a stored number) checked without parsing the text: the
        # library's parse is most of the cost, and every intake with a phone comes here.
        if phonenumbers.is_valid_number(phonenumbers.PhoneNumber(country_code=86, national_number=int(text))):
            return text
        raise InvalidPhone(str(INVALID))
    number = _parse(text)
    if number is not None and not number.extension:
        return _write(number, "")
    split = _EXTENSION.match(text)
    if split is not None:
        main = _parse(split["main"])
        if main is not None:
            return _write(main, split["ext"])
    if number is not None:  # libphonenumber's own reading of an extension (";ext=", "ext.")
        return _write(number, (number.extension or "")[:MAX_EXTENSION])
    raise InvalidPhone(str(INVALID))


def search_forms(value: str) -> set[str]:
    """The stored forms a searched number may have: its normal form if it is a number, else nothing."""
    try:
        normal = normalise(value)
    except InvalidPhone:
        return set()
    return {normal, normal.split("-")[0]} if normal else set()
