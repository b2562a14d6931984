"""Console pages (follow-up tasks, the opinion box's entries and QR codes, survey campaigns) and the
public pages (the survey link, a service hall's opinion box). Thin: forms, a selector or a service, a
template."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from powerdesk.core.decorators import domain_errors
from powerdesk.core.errors import DomainError
from powerdesk.org.models import ServiceHall
from powerdesk.org.qr import qr_svg
from powerdesk.org.requests import ConsoleRequest
from powerdesk.org.selectors import user_sees_all

from . import campaigns, rules, selectors, services
from .forms import CampaignForm, FollowUpCloseForm, OpinionForm, SurveyForm
from .throttle import public_throttled

PAGE_SIZE = 50
SCOPES = {"mine": "mine", "unit": "unit", "all": "all"}


# --- follow-up tasks ------------------------------------------------------------------------------


@login_required
def follow_ups(request: ConsoleRequest) -> HttpResponse:
    scope = SCOPES.get(request.GET.get("scope", ""), "mine")
    state = request.GET.get("state", "open") if request.GET.get("state") in ("open", "closed") else "open"
    tasks = selectors.follow_ups(user=request.user, scope=scope, state=state)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/follow_ups.html",
        # One small form per row: without ids, so the rows' fields do not share one.
        {"page": page, "scope": scope, "state": state, "close_form": FollowUpCloseForm(auto_id=False)},
    )


@login_required
@require_POST
@domain_errors
def follow_up_close(request: ConsoleRequest, pk: int) -> HttpResponse:
    if selectors.follow_up_get(user=request.user, pk=pk) is None:
        raise Http404
    form = FollowUpCloseForm(request.POST)
    back = reverse("feedback:follow_ups") + "?scope=" + SCOPES.get(request.POST.get("scope", ""), "mine")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    services.follow_up_close(task_id=pk, actor=request.user, note=form.cleaned_data["note"])
    messages.success(request, _("跟进任务已关闭。"))
    return redirect(back)


# --- the opinion box ------------------------------------------------------------------------------


@login_required
def opinions(request: ConsoleRequest) -> HttpResponse:
    halls = list(selectors.halls_visible(request.user).order_by("name"))
    entries = selectors.opinions_visible(request.user)
    hall_id = request.GET.get("hall", "")
    if hall_id.isdigit():
        entries = entries.filter(hall_id=int(hall_id))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "feedback/opinions.html", {"halls": halls, "page": page, "hall_id": hall_id})


def _opinion_url(hall: ServiceHall) -> str:
    return settings.POWERDESK_PUBLIC_BASE_URL.rstrip("/") + reverse("feedback_public:opinion", args=[hall.pk])


@login_required
def hall_qr(request: ConsoleRequest, pk: int) -> HttpResponse:
    hall = get_object_or_404(selectors.halls_visible(request.user), pk=pk)
    url = _opinion_url(hall)
    return render(request, "feedback/hall_qr.html", {"hall": hall, "url": url, "qr": qr_svg(url)})


# --- survey campaigns -----------------------------------------------------------------------------


def _may_run_campaigns(request: ConsoleRequest) -> bool:
    # Campaigns reach customers of whole units: for roles that see every unit (service managers).
    return user_sees_all(request.user)


@login_required
@domain_errors
def campaign_list(request: ConsoleRequest) -> HttpResponse:
    may = _may_run_campaigns(request)
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not may:
            raise PermissionDenied
        if form.is_valid():
            try:
                campaign = campaigns.campaign_create(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                for field, errors in error.fields.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                return redirect("feedback:campaign", pk=campaign.pk)
    items = [
        (c, rules.campaign_progress(targeted=c.targeted, sent=c.sent, skipped=c.skipped))
        for c in selectors.campaigns_visible(request.user)[:100]
    ]
    return render(request, "feedback/campaigns.html", {"form": form, "may": may, "campaigns": items})


@login_required
@domain_errors
def campaign_detail(request: ConsoleRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(selectors.campaigns_visible(request.user), pk=pk)
    if request.method == "POST":
        if not _may_run_campaigns(request):
            raise PermissionDenied
        try:
            campaigns.campaign_start(campaign=campaign)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("调查已开始分批发送。"))
        return redirect("feedback:campaign", pk=pk)
    progress = rules.campaign_progress(
        targeted=campaign.targeted, sent=campaign.sent, skipped=campaign.skipped
    )
    answered = campaign.responses.count()
    return render(
        request,
        "feedback/campaign.html",
        {
            "campaign": campaign,
            "progress": progress,
            "answered": answered,
            "may": _may_run_campaigns(request),
        },
    )


# --- public pages ---------------------------------------------------------------------------------

ERROR_STATUS = {"forged": 400, "expired": 410, "used": 410}


@public_throttled
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The survey link's page: the questions, then thanks. A forged, expired or used link: an error page
    that says which, and nothing stored."""
    try:
        invitation = services.survey_open(token)
    except services.SurveyLinkInvalid as invalid:
        return render(
            request,
            "feedback/public_error.html",
            {"reason": invalid.reason},
            status=ERROR_STATUS[invalid.reason],
        )
    form = SurveyForm(request.POST or None, questions=invitation.questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(token=token, **form.cleaned_data)
        except services.SurveyLinkInvalid as invalid:
            return render(
                request,
                "feedback/public_error.html",
                {"reason": invalid.reason},
                status=ERROR_STATUS[invalid.reason],
            )
        return render(request, "feedback/public_thanks.html", {"what": "survey"})
    return render(request, "feedback/survey.html", {"form": form, "invitation": invitation})


@public_throttled
def opinion(request: HttpRequest, hall: int) -> HttpResponse:
    """A service hall's 意见簿, opened from the QR code on its counter."""
    place = ServiceHall.objects.filter(pk=hall).first()
    if place is None:
        return render(request, "feedback/public_error.html", {"reason": "no_hall"}, status=404)
    form = OpinionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.opinion_add(hall=place, **form.cleaned_data)
        return render(request, "feedback/public_thanks.html", {"what": "opinion", "hall": place})
    return render(request, "feedback/opinion.html", {"form": form, "hall": place})
