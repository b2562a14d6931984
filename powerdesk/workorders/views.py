"""Console pages of work orders: the lists, intake, the order page with its transitions and evidence.

Views parse input with the forms of :mod:`powerdesk.workorders.forms`, call selectors and services, and
render. A service's refusal (``DomainError``) becomes field errors (``core.forms.refusal_on``) or a
message, never a 500; a missing or invisible order is a 404, a role that may not act is a 403
(``core.decorators.domain_errors``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from powerdesk.core import clock
from powerdesk.core.decorators import domain_errors
from powerdesk.core.errors import ValidationFailed, VersionConflict
from powerdesk.core.extensions import panels_for
from powerdesk.core.forms import refusal_on
from powerdesk.core.pagination import ListPaginator
from powerdesk.customers.extensions import customer_panels
from powerdesk.customers.models import Customer
from powerdesk.customers.selectors import customer_get
from powerdesk.org.masking import policy_for
from powerdesk.org.models import User
from powerdesk.org.requests import ConsoleRequest
from powerdesk.org.selectors import user_can_create_orders, user_company_id, user_may
from powerdesk.workorders import extensions, reference, services, timeline
from powerdesk.workorders.attachments import attachment_add
from powerdesk.workorders.choices import Channel, RepeatAction
from powerdesk.workorders.customer_panels import customer_intake_orders
from powerdesk.workorders.filters import QUEUES, OrderFilterSet, sort_choices
from powerdesk.workorders.forms import (
    DESCRIPTION_MAX,
    AttachmentForm,
    IntakeForm,
    QuickContactForm,
    TransitionForm,
    new_request_id,
    transition_form,
)
from powerdesk.workorders.models import Topic, WorkOrder
from powerdesk.workorders.queues import current_queue, queue_counts, work_queues
from powerdesk.workorders.routing import dispatch_suggestion
from powerdesk.workorders.selectors import (
    order_get,
    order_links,
    order_timeline,
    order_transitions_for,
    order_visible,
)
from powerdesk.workorders.transitions import TRANSITIONS

PAGE_SIZE = 50


def _customer_or_404(user: User, account_no: str) -> Customer | None:
    if not account_no:
        return None
    customer = customer_get(user=user, account_no=account_no.strip())
    if customer is None:
        raise Http404(_("找不到该客户。"))
    return customer


def _redirect(request: ConsoleRequest, url: str) -> HttpResponse:
    """A redirect that also works for htmx requests (the browser loads the page)."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


# ---------------------------------------------------------------------------------------------
# lists


@login_required
def order_list_page(request: ConsoleRequest) -> HttpResponse:
    filters = OrderFilterSet(request.GET, user=request.user, default_queue="mine")
    paginator = ListPaginator(filters.qs, PAGE_SIZE)
    number = request.GET.get("page")
    # 末页 of a capped count links to page=last: counted exactly only when someone asks for it.
    page = paginator.get_page(paginator.last_page_number() if number == "last" else number)
    form = filters.form
    filter_errors = [
        f"{form.fields[name].label if name in form.fields else ''}：{' '.join(map(str, errors))}".lstrip("：")
        for name, errors in form.errors.items()
    ]
    queues = work_queues(request.user)
    current = current_queue(queues, request.GET)
    return render(
        request,
        "workorders/list.html",
        {
            "work_queues": queues,
            "current_queue": current,
            "queue_counts_url": reverse("workorders:queue_counts")
            + (f"?current={current.queue.pk}" if current else ""),
            "form": form,
            "filter": filters.current,
            # Filters of higher apps (e.g. sla's breached), shown after the list's own.
            "more_filters": [form[name] for name in filters.registered_names()],
            "page": page,
            "queues": QUEUES,
            "sorts": sort_choices(),
            "filter_errors": filter_errors,
            "now": clock.now(),
        },
    )


@login_required
def queue_counts_fragment(request: ConsoleRequest) -> HttpResponse:
    """The role's queue tiles with their counts, loaded by the list page after the orders (htmx)."""
    counts = queue_counts(request.user)
    current = next((e for e in counts if str(e.queue.pk) == request.GET.get("current")), None)
    return render(request, "workorders/_work_queues.html", {"entries": counts, "current": current})


# ---------------------------------------------------------------------------------------------
# intake


def _repeat_warning(
    company_id: int | None, customer: Customer | None, topic: Topic | None
) -> dict[str, Any] | None:
    """What a submit would do with this customer and topic: the earlier order it concerns, if any, and
    the repeat-call rule's suggestion for it (count on it, a new order linked as 复发 …)."""
    if customer is None or topic is None or company_id is None:
        return None
    rule = services.repeat_rule_for(topic)
    order = services.repeat_candidate(company_id=company_id, customer=customer, topic=topic, rule=rule)
    if order is None or rule is None:
        return None
    next_count = order.contact_count + 1
    suggested = services.repeat_suggestion(order, topic)
    return {
        "order": order,
        "window_days": rule.window_days,
        # An archived order counts while its closing or the last call about it is within the window.
        "closed": not order.is_open,
        "next_count": next_count,
        "escalates": next_count >= rule.escalate_at and not order.is_flagged,
        "suggested": suggested,
        "suggested_label": RepeatAction(suggested).label,
        "links": suggested == RepeatAction.LINK,
    }


def _intake_panel(user: User, customer: Customer | None, topic: Topic | None) -> dict[str, Any] | None:
    """The customer's open and recent orders with the rule's suggestion, beside the intake form: its
    buttons submit the intake form to add the contact to one of them."""
    if customer is None:
        return None
    return {
        "customer": customer,
        "items": customer_intake_orders(user, customer),
        "can_add": True,
        "form_id": "intake-form",
        "quick_form": None,
        "refresh_url": reverse("workorders:customer_orders"),
        "topic_id": topic.pk if topic is not None else None,
    }


def _topic_from(value: str | None) -> Topic | None:
    return reference.topic_by_code(value) if value else None


def _intake_initial(request: ConsoleRequest, customer: Customer | None) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "idempotency_key": new_request_id(),
        "channel": Channel.HOTLINE,
        "customer": customer.account_no if customer else "",
    }
    for name in ("business_type", "sub_type", "topic", "channel"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    # Roles that may not see personal data do not get the customer's number typed in for them.
    if customer is not None and policy_for(request.user).is_full("phone"):
        initial["caller_phone"] = customer.primary_phone
    return initial


@login_required
@domain_errors
def order_new(request: ConsoleRequest) -> HttpResponse:
    user = request.user
    if not user_can_create_orders(user):
        raise PermissionDenied(_("您的角色不能受理工单。"))
    source = request.POST if request.method == "POST" else request.GET
    customer = _customer_or_404(user, source.get("customer", ""))
    if request.method == "POST":
        form = IntakeForm(request.POST, customer=customer)
        if form.is_valid():
            with refusal_on(form):
                result = services.workorder_intake(
                    actor=user, **form.intake_kwargs(), hints=_intake_hints(request)
                )
                return _after_intake(request, result)
        topic = _topic_from(form.data.get("topic"))
    else:
        form = IntakeForm(initial=_intake_initial(request, customer), customer=customer)
        topic = _topic_from(form.initial.get("topic"))
    return render(
        request,
        "workorders/new.html",
        {
            "form": form,
            "customer": customer,
            "phones": list(customer.phones.all()) if customer else [],
            "phone_hidden": customer is not None and not policy_for(user).is_full("phone"),
            "warning": _repeat_warning(user_company_id(request.user), customer, topic),
            "intake_panel": _intake_panel(user, customer, topic),
            # what the apps above show the agent about this customer while taking the call (slot
            # "intake" of the customer page's panels: a known outage on the supply path …)
            "customer_intake_panels": (
                panels_for(customer_panels, request, customer, only="intake").get("intake", [])
                if customer is not None
                else []
            ),
            "description_max": DESCRIPTION_MAX,
            # the apps' own panels inside the form (the suggestion from the customer's words …)
            "intake_form_panels": panels_for(extensions.intake_panels, request, customer),
        },
    )


def _intake_hints(request: ConsoleRequest) -> dict[str, str]:
    """The extra fields the apps' intake panels posted (``extensions.intake_hints``), as posted."""
    return {
        name: request.POST.get(name, "")[:100] for name in extensions.intake_hints if request.POST.get(name)
    }


@login_required
def customer_orders(request: ConsoleRequest) -> HttpResponse:
    """htmx: the intake form's panel of the customer's orders, again (the chosen topic's orders marked)."""
    customer = _customer_or_404(request.user, request.GET.get("customer", ""))
    if customer is None:
        raise Http404(_("找不到该客户。"))
    panel = _intake_panel(request.user, customer, _topic_from(request.GET.get("topic")))
    return render(request, "workorders/_customer_intake_panel.html", {"panel": panel})


@login_required
@require_POST
@domain_errors
def add_contact(request: ConsoleRequest, number: str) -> HttpResponse:
    """One click on the customer's panel: this contact is added to the order (a repeat call on it). Posted
    by the intake form (its fields) or by the customer page's small form; a refusal goes back as a
    message naming the field."""
    user = request.user
    if not user_can_create_orders(user):
        raise PermissionDenied(_("您的角色不能受理工单。"))
    order = order_get(user=user, number=number)
    customer = order.customer
    if customer is None:
        raise Http404(_("找不到该客户。"))
    back = (
        f"{reverse('workorders:new')}?customer={customer.account_no}"
        if "business_type" in request.POST
        else reverse("customers:detail", kwargs={"account_no": customer.account_no})
    )
    form = QuickContactForm(request.POST)
    errors: dict[str, Any] = {}
    if form.is_valid():
        d = form.cleaned_data
        topic = reference.topic_by_id(order.topic_id)
        try:
            result = services.workorder_intake(
                actor=user,
                customer=customer,
                business_type=order.business_type,
                topic=topic,  # type: ignore[arg-type]
                channel=d["channel"],
                description=d["description"],
                caller_phone=d.get("caller_phone", "").strip(),
                caller_withheld=bool(d.get("caller_withheld")),
                override_reason=d.get("override_reason", ""),
                idempotency_key=d["idempotency_key"],
                link_to=order,
            )
        except ValidationFailed as refusal:
            errors = dict(refusal.fields) or {"__all__": [str(refusal)]}
        else:
            return _after_intake(request, result)
    else:
        errors = form.errors
    for name, problems in errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(p) for p in problems)
        messages.error(request, f"{label}：{text}" if label else text)
    return redirect(back)


def _after_intake(request: ConsoleRequest, result: services.IntakeResult) -> HttpResponse:
    order = result.order
    if result.repeat:
        message = _("已作为重复致电关联到工单 %(number)s（第%(count)s次来电）") % {
            "number": order.number,
            "count": order.contact_count,
        }
    else:
        message = _("已受理工单 %(number)s") % {"number": order.number}
    messages.success(request, message)
    # What the resolver that decided wants the agent told (a known outage: its ETR, no dispatch).
    if result.extra.get("notice"):
        messages.info(request, str(result.extra["notice"]))
    if not order_visible(request.user).filter(pk=order.pk).exists():
        # A repeat of an order now handled outside the agent's units: stay with the customer.
        if order.customer is not None:
            return redirect("customers:detail", account_no=order.customer.account_no)
        return redirect("home")
    return redirect("workorders:detail", number=order.number)


@login_required
def repeat_check(request: ConsoleRequest) -> HttpResponse:
    """htmx: re-render the repeat-call panel of the intake form when the topic changes."""
    customer = _customer_or_404(request.user, request.GET.get("customer", ""))
    topic = _topic_from(request.GET.get("topic"))
    form = IntakeForm(
        initial={
            "force_new": bool(request.GET.get("force_new")),
            "override_reason": request.GET.get("override_reason", ""),
            "repeat_action": request.GET.get("repeat_action", ""),
        },
        customer=customer,
    )
    return render(
        request,
        "workorders/_repeat_warning.html",
        {
            "form": form,
            "warning": _repeat_warning(user_company_id(request.user), customer, topic),
        },
    )


# ---------------------------------------------------------------------------------------------
# the order page


@login_required
@domain_errors
def order_detail(request: ConsoleRequest, number: str) -> HttpResponse:
    return _render_detail(request, order_get(user=request.user, number=number))


def _render_detail(
    request: ConsoleRequest,
    order: WorkOrder,
    *,
    bound: TransitionForm | None = None,
    attachment_form: AttachmentForm | None = None,
) -> HttpResponse:
    user = request.user
    forms = [
        bound if bound is not None and bound.transition.code == t.code else transition_form(t, user, order)
        for t in order_transitions_for(user=user, order=order)
    ]
    if bound is not None and bound not in forms:
        forms.append(bound)
    return render(
        request,
        "workorders/detail.html",
        {
            "order": order,
            "transition_forms": forms,
            "suggestion": _suggestion(user, order, forms),
            "open_code": bound.transition.code if bound is not None else "",
            "timeline": timeline.present(list(order_timeline(order)), masking=policy_for(user)),
            "panels": extensions.order_panels_for(request, order),
            "attachments": list(order.attachments.select_related("uploaded_by")),
            "attachment_form": attachment_form or AttachmentForm(initial={"request_id": new_request_id()}),
            "attachment_open": attachment_form is not None,
            "can_attach": user_may(user, "note"),
            "children": list(order.children.filter(company_id=order.company_id).order_by("created_at")),
            "links": order_links(order),
            "facts": _facts(order),
            "now": clock.now(),
        },
    )


def _suggestion(user: User, order: WorkOrder, forms: list[TransitionForm]) -> dict[str, Any] | None:
    """The routing rule's dispatch, for the one-click panel: shown to whoever may dispatch the order now,
    when the suggested unit is one they may pick."""
    dispatch = next((f for f in forms if f.transition.code == "dispatch" and not f.is_bound), None)
    suggestion = dispatch_suggestion(order) if dispatch is not None else None
    if dispatch is None or suggestion is None or dispatch.initial.get("unit") != suggestion.unit.pk:
        return None
    return {"suggestion": suggestion, "form": dispatch}


# Labels of the facts that intake channels and the demo record (the API takes any keys: others show as
# sent).
FACT_LABELS = {"scope": gettext_lazy("停电范围"), "verdict_hint": gettext_lazy("初步判定")}


def _facts(order: WorkOrder) -> list[tuple[str, Any]]:
    facts = order.facts if isinstance(order.facts, dict) else {}
    return sorted((str(FACT_LABELS.get(key, key)), value) for key, value in facts.items())


def _order_page(request: ConsoleRequest, number: str, **kwargs: object) -> str:
    return reverse("workorders:detail", kwargs={"number": number})


@login_required
@require_POST
@domain_errors(back=_order_page, say={VersionConflict: gettext_lazy("工单已被他人修改，请刷新后重试。")})
def order_transition(request: ConsoleRequest, number: str, code: str) -> HttpResponse:
    """Fire one transition from its form. A field the service refuses goes back on the form; any other
    refusal (the state machine, a rule of the order's type, a concurrent change) is a message on the
    order page."""
    user = request.user
    order = order_get(user=user, number=number)
    transition = TRANSITIONS.get(code)
    if transition is None:
        raise Http404(_("没有这个操作。"))
    if not user_may(user, code):
        raise PermissionDenied(_("您的角色不能执行“%(action)s”。") % {"action": transition.label})
    form = transition_form(transition, user, order, data=request.POST)
    if form.is_valid():
        with refusal_on(form, ValidationFailed):
            services.SERVICES[code](order=order, actor=user, **form.service_kwargs())
            messages.success(request, _("已执行“%(action)s”。") % {"action": transition.label})
            if not order_visible(user).filter(pk=order.pk).exists():
                return _redirect(request, reverse("workorders:list"))  # e.g. returned to another unit
            return _redirect(request, order_url(order))
    if request.htmx:
        return render(
            request, "workorders/_transition_form.html", {"form": form, "order": order, "open": True}
        )
    return _render_detail(request, order, bound=form)


@login_required
@domain_errors
def dispatch_staff(request: ConsoleRequest, number: str) -> HttpResponse:
    """htmx: the handler options of the dispatch form for the unit just chosen (its field staff with
    their load)."""
    user = request.user
    order = order_get(user=user, number=number)
    if not user_may(user, "dispatch"):
        raise PermissionDenied(
            _("您的角色不能执行“%(action)s”。") % {"action": TRANSITIONS["dispatch"].label}
        )
    form = transition_form(TRANSITIONS["dispatch"], user, order, data=request.GET)
    return render(request, "workorders/_options.html", {"field": form["assignee"]})


def order_url(order: WorkOrder) -> str:
    return reverse("workorders:detail", kwargs={"number": order.number})


@login_required
@require_POST
@domain_errors
def attachment_upload(request: ConsoleRequest, number: str) -> HttpResponse:
    user = request.user
    order = order_get(user=user, number=number)
    if not user_may(user, "note"):
        raise PermissionDenied(_("您的角色不能上传附件。"))
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        with refusal_on(form):
            attachment_add(
                order=order,
                actor=user,
                kind=form.cleaned_data["kind"],
                upload=upload,
                request_id=form.cleaned_data["request_id"],
            )
            messages.success(request, _("已上传附件 %(name)s。") % {"name": upload.name})
            return redirect(order_url(order))
    return _render_detail(request, order, attachment_form=form)


@login_required
@domain_errors
def attachment_download(request: ConsoleRequest, number: str, pk: int) -> FileResponse:
    order = order_get(user=request.user, number=number)
    attachment = order.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404(_("找不到该附件。"))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("附件文件已不存在。")) from None
    return FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
