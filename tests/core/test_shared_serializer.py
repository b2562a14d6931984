"""A serializer shared by the requests of a process (core.api.shared_serializer) validates and writes
exactly like a fresh one per request, in any order and from several threads at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from rest_framework import serializers

from powerdesk.core.api import MaskedCharField, shared_serializer
from powerdesk.core.masking import mask_phone


class Contact(serializers.Serializer):
    name = serializers.CharField(max_length=5)
    kind = serializers.ChoiceField(choices=[("a", "A"), ("b", "B")], default="a")
    facts = serializers.DictField(default=dict)
    phone = serializers.RegexField(r"^[0-9]*$", allow_blank=True, default="")

    def validate_name(self, value: str) -> str:
        if value == "nobody":
            raise serializers.ValidationError("not a name")
        return value


class Answer(serializers.Serializer):
    name = serializers.CharField()
    phone = MaskedCharField(mask=mask_phone)


CASES = [
    {"name": "ok", "kind": "b", "facts": {"x": 1}},
    {"name": "too long", "kind": "c", "phone": "12a"},
    {},
    {"name": "fine"},
    {"name": "again", "facts": "not a dict"},
    ["not", "an", "object"],
]


def fresh(data):
    serializer = Contact(data=data)
    if serializer.is_valid():
        return True, dict(serializer.validated_data)
    return False, {k: [str(m) for m in v] for k, v in serializer.errors.items()}


def shared(data):
    try:
        return True, dict(shared_serializer(Contact).run_validation(data))
    except serializers.ValidationError as exc:
        return False, {k: [str(m) for m in v] for k, v in exc.detail.items()}


def test_it_validates_every_case_like_a_fresh_serializer_in_any_order():
    expected = [fresh(data) for data in CASES]
    assert [shared(data) for data in CASES] == expected
    assert [shared(data) for data in reversed(CASES)] == list(reversed(expected))


def test_one_instance_per_class_and_context():
    assert shared_serializer(Contact) is shared_serializer(Contact)
    assert shared_serializer(Answer, unmasked=True) is not shared_serializer(Answer, unmasked=False)


def test_threads_at_once_get_their_own_results():
    people = [{"name": f"n{i}", "phone": f"1380000{i:04d}"} for i in range(200)]

    def write(person, unmasked):
        return shared_serializer(Answer, unmasked=unmasked).to_representation(person)

    with ThreadPoolExecutor(max_workers=8) as pool:
        plain = list(pool.map(write, people, [True] * len(people)))
        masked = list(pool.map(write, people, [False] * len(people)))
        checked = list(pool.map(shared, CASES * 20))
    assert plain == [Answer(p, context={"unmasked": True}).data for p in people]
    assert masked == [Answer(p, context={"unmasked": False}).data for p in people]
    assert checked == [fresh(data) for data in CASES * 20]
