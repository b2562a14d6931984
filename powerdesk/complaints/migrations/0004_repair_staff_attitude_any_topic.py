"""Repair-staff attitude becomes the 服务态度 checklist for any topic: a complaint about the crew's words is
filed under 服务沟通 as often as under 故障抢修 (the case book's own chapter for it). Hall staff keep
theirs under 营业厅服务, which wins as the more specific one."""

from django.db import migrations


def forward(apps, schema_editor):
    Checklist = apps.get_model("complaints", "Checklist")
    Checklist.objects.filter(code="repair_staff_attitude").update(topic=None)


def backward(apps, schema_editor):
    Checklist = apps.get_model("complaints", "Checklist")
    Topic = apps.get_model("workorders", "Topic")
    Checklist.objects.filter(code="repair_staff_attitude").update(topic=Topic.objects.get(code="fault_repair"))


class Migration(migrations.Migration):
    dependencies = [("complaints", "0003_judgment_request_id")]
    operations = [migrations.RunPython(forward, backward)]
