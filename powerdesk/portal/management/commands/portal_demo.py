"""Print how to try the customer portal on the demo: where it is, a demo customer to bind, and where the
sign-in code lands (the SMS outbox file, also shown on the console's order pages as sent messages)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from powerdesk.customers.models import Customer


class Command(BaseCommand):
    help = "How to sign in to the customer portal on the demo data."

    def handle(self, *args: Any, **options: Any) -> None:
        customer = (
            Customer.objects.filter(phones__number__regex=r"^1\d{10}$")
            .exclude(area__manager_name="")
            .order_by("account_no")
            .first()
        )
        base = settings.POWERDESK_PUBLIC_BASE_URL.rstrip("/")
        outbox = settings.POWERDESK_NOTIFY_OUTBOX / "notifications.jsonl"
        self.stdout.write(f"Customer portal: {base}/portal/")
        if customer is None:
            self.stdout.write("No demo customer with a mobile number: load the demo first (powerdesk demo).")
            return
        phone = customer.primary_phone
        self.stdout.write(f"  sign in with the mobile number {phone} (any mobile number works)")
        self.stdout.write(f"  the SMS code is the last line of {outbox} (the worker must be running)")
        self.stdout.write(f"  bind account {customer.account_no} with the holder's name {customer.name}")
