"""The demo county's topology: two substations, twelve feeders, a public transformer per 台区 tied to it,
every customer on a meter point, the hospitals on two supplies."""

from __future__ import annotations

from django.db.models import Count

from powerdesk.customers import supply
from powerdesk.customers.models import Customer, CustomerSupply
from powerdesk.grid.models import Device, DeviceKind, Ownership
from powerdesk.org.models import Unit, UnitKind


def test_the_demo_topology_is_plausible(small_demo, db):
    kinds = dict(Device.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds[DeviceKind.SUBSTATION] == 2 and kinds[DeviceKind.FEEDER] == 12
    assert kinds.get(DeviceKind.SWITCH, 0) + kinds.get(DeviceKind.RECLOSER, 0) == 12
    assert kinds[DeviceKind.FUSE] >= 12
    areas = Unit.objects.filter(kind=UnitKind.AREA)
    public = Device.objects.filter(kind=DeviceKind.TRANSFORMER, ownership=Ownership.PUBLIC)
    assert sorted(public.values_list("area_id", flat=True)) == sorted(areas.values_list("pk", flat=True))
    assert not Device.objects.filter(ownership=Ownership.DEDICATED, area__isnull=False).exists()


def test_every_customer_hangs_under_a_meter_point_and_traces_to_a_substation(small_demo, db):
    assert not Customer.objects.filter(supplies__isnull=True).exists()
    for customer in Customer.objects.order_by("pk")[:20]:
        chain = supply.supply_path(customer)[0]
        assert chain[0].kind == DeviceKind.SUBSTATION and chain[-1].kind == DeviceKind.METER_POINT
        transformer = supply.transformer_of(customer)
        if transformer.ownership == Ownership.PUBLIC:
            assert transformer.area_id == customer.area_id  # the 台区 follows from the supply point
    total = Customer.objects.count()
    substations = list(Device.objects.filter(kind=DeviceKind.SUBSTATION))
    assert supply.customers_below(substations).count() == total
    assert supply.customers_out(substations).count() == total


def test_dual_supply_customers_are_fed_from_both_substations(small_demo, db):
    dual = Customer.objects.annotate(n=Count("supplies")).filter(n=2)
    assert dual.exists()
    for customer in dual:
        roots = {chain[0].pk for chain in supply.supply_path(customer)}
        assert len(roots) == 2
        one = Device.objects.get(pk=supply.supply_path(customer)[0][0].pk)
        assert customer in supply.customers_below(one) and customer not in supply.customers_out(one)
    assert CustomerSupply.objects.filter(is_primary=False).count() == dual.count()
