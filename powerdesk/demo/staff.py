"""The county's staff: every demo login plus colleagues, so each station has crews and a handler."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from powerdesk.demo.county import County
from powerdesk.demo.names import PhoneBook, person_name
from powerdesk.demo.users import DEMO_PASSWORD, DEMO_USERS
from powerdesk.org.models import Role, UnitHead, User

# username, unit code, role code, outsourced. Names are drawn from the seeded generator.
COLLEAGUES: tuple[tuple[str, str, str, bool], ...] = (
    ("agent02", "QX", "agent", False),
    ("agent03", "QX", "agent", False),
    ("agent04", "QX", "agent", False),
    ("dispatcher02", "QX", "dispatcher", False),
    ("callback02", "QX", "callback", False),
    ("callback03", "QX", "callback", False),
    ("manager02", "QX", "manager", False),
    ("dq_repair02", "QX-DQ", "repair", False),
    ("dq_repair03", "QX-DQ", "repair", True),
    ("xc_repair01", "QX-XC", "repair", False),
    ("xc_repair02", "QX-XC", "repair", False),
    ("xc_repair03", "QX-XC", "repair", True),
    ("xc_handler01", "QX-XC", "handler", False),
    ("ht_repair01", "QX-HT", "repair", False),
    ("ht_repair02", "QX-HT", "repair", True),
    ("ht_handler01", "QX-HT", "handler", False),
    ("sy_repair01", "QX-SY", "repair", False),
    ("sy_repair02", "QX-SY", "repair", True),
    ("sy_handler01", "QX-SY", "handler", False),
    ("yl_repair01", "QX-YL", "repair", False),
    ("yl_repair02", "QX-YL", "repair", False),
    ("yl_handler01", "QX-YL", "handler", False),
    ("qx_handler01", "QX", "handler", False),
)


def demo_usernames() -> list[str]:
    return [u[0] for u in DEMO_USERS] + [c[0] for c in COLLEAGUES]


@dataclass
class Staff:
    by_role: dict[str, list[User]] = field(default_factory=dict)
    # station unit id → role code → users
    by_station: dict[int, dict[str, list[User]]] = field(default_factory=dict)

    def role(self, code: str) -> list[User]:
        return self.by_role.get(code, [])

    def at(self, station_id: int, role: str) -> list[User]:
        return self.by_station.get(station_id, {}).get(role, [])

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.by_role.values())


def build_staff(rng: random.Random, phones: PhoneBook, county: County) -> Staff:
    """Create the users with one password hash (hashing is slow; every demo login shares the password)."""
    units = {county.county.code: county.county, **{s.unit.code: s.unit for s in county.stations}}
    roles = {r.code: r for r in Role.objects.all()}
    password = make_password(DEMO_PASSWORD)
    rows = [(username, unit, role, name, False) for username, unit, role, _label, name in DEMO_USERS]
    rows += [
        (username, unit, role, person_name(rng), outsourced)
        for username, unit, role, outsourced in COLLEAGUES
    ]
    users = [
        User(
            username=username,
            full_name=name,
            unit=units[unit],
            role=roles[role],
            phone=phones.mobile(),
            is_outsourced=outsourced,
            is_staff=role == "admin",
            is_superuser=role == "admin",
            password=password,
            email=f"{username}@qingxi-power.example",
        )
        for username, unit, role, name, outsourced in rows
    ]
    User.objects.bulk_create(users)
    staff = Staff()
    for user, (_username, unit_code, role, _name, _outsourced) in zip(users, rows, strict=True):
        staff.by_role.setdefault(role, []).append(user)
        if unit_code != county.county.code:
            staff.by_station.setdefault(units[unit_code].pk, {}).setdefault(role, []).append(user)
    # Who is told when a unit's orders run late: the manager for the county, the handler for a station.
    heads = [UnitHead(unit=county.county, user=staff.role("manager")[0])]
    heads += [UnitHead(unit=s.unit, user=staff.at(s.unit.pk, "handler")[0]) for s in county.stations]
    UnitHead.objects.bulk_create(heads)
    return staff
