"""The reads of retention: the periods in force, which orders a hold keeps, what has expired, and what
PowerDesk holds about one person (a phone number or an account) for a data-subject request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from powerdesk.customers.models import Customer, CustomerPhone
from powerdesk.notify.models import Notification
from powerdesk.org.models import User
from powerdesk.privacy import rules
from powerdesk.privacy.models import AnonymisedOrder, RetentionHold, RetentionPeriod
from powerdesk.workorders.choices import CLOSED_STATUSES, BusinessType
from powerdesk.workorders.models import Attachment, Contact, WorkOrder
from powerdesk.workorders.selectors import attachments_retainable, order_visible


def user_handles_data_requests(user: User) -> bool:
    """Data-subject requests and retention holds are the system administrator's (and superusers')."""
    role = getattr(user, "role", None)
    return bool(user.is_superuser or (role is not None and role.code == "admin"))


def cutoffs(now: dt.datetime) -> dict[str, dt.datetime]:
    """Per kind with an active period: the time before which that kind has expired."""
    return {
        p.kind: rules.months_before(now, p.months) for p in RetentionPeriod.objects.filter(is_active=True)
    }


def holds_in_force(now: dt.datetime) -> QuerySet[RetentionHold]:
    return RetentionHold.objects.filter(released_at__isnull=True).filter(
        Q(until__isnull=True) | Q(until__gte=now.date())
    )


def held_orders(now: dt.datetime) -> Q:
    """The orders whose personal data must be kept, whatever their age (a hold wins over expiry):

    1. orders of a sensitive customer (their evidence; the risk app holds their attachments likewise);
    2. orders of a customer, or from a caller's number, with an open complaint (a dispute in progress);
    3. orders of a customer or a phone number under an explicit hold in force (``RetentionHold``).
    """
    holds = holds_in_force(now)
    held_phones = holds.exclude(phone="").values("phone")
    open_complaints = WorkOrder.objects.filter(business_type=BusinessType.COMPLAINT).exclude(
        status__in=CLOSED_STATUSES
    )
    return (
        Q(customer__is_sensitive=True)
        | Q(Exists(open_complaints.filter(customer_id=OuterRef("customer_id"))), customer__isnull=False)
        | Q(Exists(open_complaints.filter(caller_phone=OuterRef("caller_phone"))), ~Q(caller_phone=""))
        | Q(Exists(holds.filter(customer_id=OuterRef("customer_id"))), customer__isnull=False)
        | Q(caller_phone__in=held_phones)
        | Q(Exists(CustomerPhone.objects.filter(customer_id=OuterRef("customer_id"), number__in=held_phones)))
    )


def orders_expired(now: dt.datetime, cutoff: dt.datetime) -> QuerySet[WorkOrder]:
    """Closed orders closed before ``cutoff``, not held, not yet anonymised; by id."""
    done = AnonymisedOrder.objects.filter(order_id=OuterRef("pk"))
    return (
        WorkOrder.objects.filter(status__in=CLOSED_STATUSES, closed_at__lt=cutoff)
        .exclude(held_orders(now))
        .exclude(Exists(done))
        .order_by("pk")
    )


def contacts_expired(now: dt.datetime, cutoff: dt.datetime) -> QuerySet[Contact]:
    """Contacts before ``cutoff`` on closed orders not held, whose number is still kept; by id."""
    held = WorkOrder.objects.filter(held_orders(now)).values("pk")
    return (
        Contact.objects.filter(at__lt=cutoff, order__status__in=CLOSED_STATUSES)
        .exclude(phone="")
        .exclude(order_id__in=held)
        .order_by("pk")
    )


def notifications_expired(now: dt.datetime, cutoff: dt.datetime) -> QuerySet[Notification]:
    """Messages to customers (no staff recipient) written before ``cutoff``, not yet blanked, of no open
    or held order or held person; by id (a message still pending that long will not be sent)."""
    held_orders_ = WorkOrder.objects.filter(held_orders(now)).values("pk")
    holds = holds_in_force(now)
    return (
        Notification.objects.filter(recipient_user__isnull=True, created_at__lt=cutoff)
        .filter(Q(order__isnull=True) | Q(order__status__in=CLOSED_STATUSES))
        .exclude(text="", recipient_address="")
        .exclude(order_id__in=held_orders_)
        .exclude(customer__is_sensitive=True)
        .exclude(customer_id__in=holds.exclude(customer__isnull=True).values("customer_id"))
        .exclude(recipient_address__in=holds.exclude(phone="").values("phone"))
        .order_by("pk")
    )


def attachments_expired(now: dt.datetime, cutoff: dt.datetime) -> QuerySet[Attachment]:
    """Attachments of closed orders closed before ``cutoff`` that no hold keeps (the extensions' holds
    through ``attachments_retainable``, and this app's own); by id."""
    held = WorkOrder.objects.filter(held_orders(now)).values("pk")
    return (
        attachments_retainable(
            Attachment.objects.filter(order__status__in=CLOSED_STATUSES, order__closed_at__lt=cutoff)
        )
        .exclude(order_id__in=held)
        .order_by("pk")
    )


# --- data-subject requests ------------------------------------------------------------------------


@dataclass
class Subject:
    """One person as a request names them: by phone number or by account number, and what that finds."""

    phone: str = ""
    account_no: str = ""
    customers: list[Customer] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.account_no or self.phone

    @property
    def customer_ids(self) -> list[int]:
        return [c.pk for c in self.customers]

    @property
    def phones(self) -> list[str]:
        """The numbers that are this person's: the one asked for, and their accounts' numbers."""
        numbers = {self.phone} if self.phone else set()
        numbers |= {
            p
            for p in CustomerPhone.objects.filter(customer_id__in=self.customer_ids).values_list(
                "number", flat=True
            )
        }
        return sorted(numbers)


def subject_find(*, phone: str = "", account_no: str = "") -> Subject:
    """The person a request is about: by account (that customer) or by phone (the customers whose
    number it is, possibly none: a caller without an account)."""
    if account_no:
        customers = list(Customer.objects.filter(account_no=account_no))
    else:
        customers = list(Customer.objects.filter(phones__number=phone).distinct())
    return Subject(phone=phone, account_no=account_no, customers=customers)


def subject_orders(user: User, subject: Subject) -> QuerySet[WorkOrder]:
    query = Q(customer_id__in=subject.customer_ids)
    if subject.phone:
        query |= Q(caller_phone=subject.phone)
    return order_visible(user, WorkOrder.objects.filter(query)).order_by("created_at", "pk")


def subject_contacts(user: User, subject: Subject) -> QuerySet[Contact]:
    query = Q(customer_id__in=subject.customer_ids)
    if subject.phone:
        query |= Q(phone=subject.phone)
    visible = order_visible(user).values("pk")
    return Contact.objects.filter(query, order_id__in=visible).order_by("at", "pk")


def subject_notifications(user: User, subject: Subject) -> QuerySet[Notification]:
    query = Q(customer_id__in=subject.customer_ids)
    phones = subject.phones
    if phones:
        query |= Q(recipient_address__in=phones)
    visible = order_visible(user).values("pk")
    return (
        Notification.objects.filter(query, recipient_user__isnull=True)
        .filter(Q(order__isnull=True) | Q(order_id__in=visible))
        .order_by("created_at", "pk")
    )


def subject_holds(now: dt.datetime, subject: Subject) -> list[str]:
    """Why this person's data must be kept now (empty: nothing holds it): codes."""
    reasons: list[str] = []
    if any(c.is_sensitive for c in subject.customers):
        reasons.append("sensitive")
    complaints = WorkOrder.objects.filter(business_type=BusinessType.COMPLAINT).exclude(
        status__in=CLOSED_STATUSES
    )
    person = Q(customer_id__in=subject.customer_ids)
    if subject.phones:
        person |= Q(caller_phone__in=subject.phones)
    if complaints.filter(person).exists():
        reasons.append("open_complaint")
    held = holds_in_force(now).filter(
        Q(customer_id__in=subject.customer_ids) | Q(phone__in=subject.phones or [""])
    )
    if held.exists():
        reasons.append("hold")
    return reasons


def subject_open_orders(subject: Subject) -> bool:
    person = Q(customer_id__in=subject.customer_ids)
    if subject.phones:
        person |= Q(caller_phone__in=subject.phones)
    return WorkOrder.objects.filter(person).exclude(status__in=CLOSED_STATUSES).exists()


def export_payload(user: User, subject: Subject) -> dict[str, Any]:
    """Everything PowerDesk holds about ``subject`` that ``user`` may see, as JSON values."""

    def iso(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    customers = [
        {
            "account_no": c.account_no,
            "name": c.name,
            "customer_type": c.customer_type,
            "address": c.address,
            "id_number": c.id_number,
            "meter_no": c.meter_no,
            "phones": [p.number for p in c.phones.all()],
            "is_sensitive": c.is_sensitive,
            "notes": c.notes,
        }
        for c in Customer.objects.filter(pk__in=subject.customer_ids).prefetch_related("phones")
    ]
    orders = [
        {
            "number": o.number,
            "business_type": o.business_type,
            "status": o.status,
            "channel": o.channel,
            "account_no": o.customer.account_no if o.customer is not None else None,
            "caller_name": o.caller_name,
            "caller_phone": o.caller_phone,
            "address": o.address,
            "description": o.description,
            "result": o.result,
            "reply_text": o.reply_text,
            "created_at": iso(o.created_at),
            "closed_at": iso(o.closed_at),
        }
        for o in subject_orders(user, subject).select_related("customer")
    ]
    contacts = [
        {
            "order": c.order.number,
            "at": iso(c.at),
            "channel": c.channel,
            "phone": c.phone,
            "summary": c.summary,
        }
        for c in subject_contacts(user, subject).select_related("order")
    ]
    notifications = [
        {
            "order": n.order.number if n.order is not None else None,
            "created_at": iso(n.created_at),
            "channel": n.channel,
            "recipient": n.recipient_address,
            "text": n.text,
            "state": n.state,
        }
        for n in subject_notifications(user, subject).select_related("order")
    ]
    return {
        "subject": {"phone": subject.phone, "account_no": subject.account_no},
        "customers": customers,
        "orders": orders,
        "contacts": contacts,
        "notifications": notifications,
    }
