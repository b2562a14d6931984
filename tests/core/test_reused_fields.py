"""ReusedFieldsSerializer builds its fields once per thread: it must validate exactly like DRF's own."""

from __future__ import annotations

import threading

from rest_framework import serializers

from powerdesk.core.api import ReusedFieldsSerializer


class Plain(serializers.Serializer):
    name = serializers.CharField(max_length=5)
    kind = serializers.ChoiceField(choices=[("a", "A"), ("b", "B")], default="a")
    facts = serializers.DictField(default=dict)
    phone = serializers.RegexField(r"^[0-9]*$", allow_blank=True, default="")


class Reused(ReusedFieldsSerializer, Plain):
    pass


CASES = [
    {"name": "ok", "kind": "b", "facts": {"x": 1}},
    {"name": "too long", "kind": "c", "phone": "12a"},
    {},
    {"name": "fine"},
    {"name": "again", "facts": "not a dict"},
]


def _result(cls, data):
    s = cls(data=data)
    return (
        s.is_valid(),
        dict(s.validated_data) if s.is_valid() else {k: [str(m) for m in v] for k, v in s.errors.items()},
    )


def test_it_validates_every_case_like_the_plain_serializer_in_any_order():
    expected = [_result(Plain, data) for data in CASES]
    assert [_result(Reused, data) for data in CASES] == expected
    assert [_result(Reused, data) for data in reversed(CASES)] == list(reversed(expected))


def test_each_instance_owns_its_fields_parent_and_the_fields_are_built_once():
    first, second = Reused(data=CASES[0]), Reused(data=CASES[1])
    first_fields = dict(first.fields)
    assert all(f.parent is first for f in first_fields.values())
    second_fields = dict(second.fields)
    assert all(f.parent is second for f in second_fields.values())
    assert all(first_fields[k] is second_fields[k] for k in first_fields)


def test_threads_get_their_own_fields():
    seen: dict[str, object] = {}

    def build(name):
        seen[name] = Reused(data=CASES[0]).fields["name"]

    threads = [threading.Thread(target=build, args=(n,)) for n in ("t1", "t2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen["t1"] is not seen["t2"]
