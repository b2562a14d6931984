"""How to try the customer portal on the demo: where it is, the demo customer (their account already
bound, with applications in different steps and a 销户 waiting for the hall: ``portal.demo``), and where
the sign-in code lands (the SMS outbox file, also shown on the console's order pages as sent messages)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from powerdesk.portal.demo import portal_demo_build


class Command(BaseCommand):
    help = "How to sign in to the customer portal on the demo data (and the demo customer's applications)."

    def handle(self, *args: Any, **options: Any) -> None:
        base = settings.POWERDESK_PUBLIC_BASE_URL.rstrip("/")
        outbox = settings.POWERDESK_NOTIFY_OUTBOX / "notifications.jsonl"
        self.stdout.write(f"Customer portal: {base}/portal/")
        with transaction.atomic():
            demo = portal_demo_build()
        if demo is None:
            self.stdout.write("No demo customer with a mobile number: load the demo first (powerdesk demo).")
            return
        customer = demo.customer
        self.stdout.write(
            f"  sign in with the mobile number {customer.primary_phone} (any mobile number works)"
        )
        self.stdout.write(f"  the SMS code is the last line of {outbox} (the worker must be running)")
        self.stdout.write(
            f"  account {customer.account_no} (holder {customer.name}) is already bound; "
            "to bind another, use the holder's name"
        )
        for application in demo.applications:
            self.stdout.write(f"  application {application.order.number}: {application.kind.name}")
        if demo.hall_proof_waiting:
            self.stdout.write(
                "  a 销户 waits for the hall's check of the holder's papers: log in to the console as agent, "
                f"营业厅核验 ({base}/hall/proofs/)"
            )
