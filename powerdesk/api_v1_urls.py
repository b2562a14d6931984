"""Version 1 of the PowerDesk API. Each transition has its own explicit route, so the schema documents
each body (the routes are generated from the transition table, in its order)."""

from django.urls import path

from powerdesk.analytics.api import QualityApi
from powerdesk.analytics.dashboard_api import DashboardApi
from powerdesk.applications.api import (
    ApplicationCollectionApi,
    ApplicationDetailApi,
    KindChangeApi,
    StepCompleteApi,
    StepReturnApi,
)
from powerdesk.audit.api import AuditListApi, RevealApi
from powerdesk.complaints.api import (
    ComplaintJudgmentApi,
    ComplaintRecordApi,
    PraiseApi,
    RectificationCloseApi,
    RectificationListApi,
)
from powerdesk.customers.api import CustomerDetailApi, CustomerSearchApi
from powerdesk.feedback.api import FollowUpCloseApi, FollowUpListApi, SurveyListApi
from powerdesk.knowledge.api import CaseDetailApi, CaseListApi, ScriptDetailApi, ScriptListApi
from powerdesk.knowledge.learning_api import AssignmentConfirmApi, AssignmentListApi
from powerdesk.notify.api import DeliveryReceiptApi
from powerdesk.outages.api import OutageCollectionApi, OutageDetailApi, OutageEtrApi, OutageRestoreApi
from powerdesk.outages.known_events_api import KnownEventCloseApi, KnownEventCollectionApi
from powerdesk.outages.prediction_api import (
    OutageConfirmApi,
    OutageRejectApi,
    ProofCollectionApi,
    StormCollectionApi,
    StormEndApi,
)
from powerdesk.reliability.api import ReliabilityApi
from powerdesk.risk.api import RiskOrderListApi
from powerdesk.sla.api import ClockListApi
from powerdesk.triage.api import TriageApi
from powerdesk.workorders.api import (
    TRANSITION_APIS,
    WorkOrderAttachmentAddApi,
    WorkOrderCollectionApi,
    WorkOrderDetailApi,
    WorkOrderDispatchSuggestionApi,
)

urlpatterns = [
    path("workorders/", WorkOrderCollectionApi.as_view(), name="api-v1-workorders"),
    path("workorders/<str:number>/", WorkOrderDetailApi.as_view(), name="api-v1-workorder-detail"),
    path(
        "workorders/<str:number>/attachments/",
        WorkOrderAttachmentAddApi.as_view(),
        name="api-v1-workorder-attachments",
    ),
    path(
        "workorders/<str:number>/dispatch-suggestion/",
        WorkOrderDispatchSuggestionApi.as_view(),
        name="api-v1-workorder-dispatch-suggestion",
    ),
    *[
        path(f"workorders/<str:number>/{code}/", api.as_view(), name=f"api-v1-workorder-{code}")
        for code, api in TRANSITION_APIS.items()
    ],
    path("applications/", ApplicationCollectionApi.as_view(), name="api-v1-applications"),
    path("applications/<str:number>/", ApplicationDetailApi.as_view(), name="api-v1-application-detail"),
    path(
        "applications/<str:number>/steps/<int:step_id>/complete/",
        StepCompleteApi.as_view(),
        name="api-v1-application-step-complete",
    ),
    path(
        "applications/<str:number>/steps/<int:step_id>/return/",
        StepReturnApi.as_view(),
        name="api-v1-application-step-return",
    ),
    path("applications/<str:number>/kind/", KindChangeApi.as_view(), name="api-v1-application-kind-change"),
    path("customers/", CustomerSearchApi.as_view(), name="api-v1-customers"),
    path("customers/<str:account_no>/", CustomerDetailApi.as_view(), name="api-v1-customer-detail"),
    path("clocks/", ClockListApi.as_view(), name="api-v1-clocks"),
    path("complaints/<str:number>/", ComplaintRecordApi.as_view(), name="api-v1-complaint"),
    path(
        "complaints/<str:number>/judgment/", ComplaintJudgmentApi.as_view(), name="api-v1-complaint-judgment"
    ),
    path("praise/<str:number>/", PraiseApi.as_view(), name="api-v1-praise"),
    path("rectifications/", RectificationListApi.as_view(), name="api-v1-rectifications"),
    path(
        "rectifications/<int:pk>/close/", RectificationCloseApi.as_view(), name="api-v1-rectification-close"
    ),
    path("cases/", CaseListApi.as_view(), name="api-v1-cases"),
    path("cases/<int:pk>/", CaseDetailApi.as_view(), name="api-v1-case-detail"),
    path("learning/assignments/", AssignmentListApi.as_view(), name="api-v1-learning-assignments"),
    path(
        "learning/assignments/<int:pk>/confirm/",
        AssignmentConfirmApi.as_view(),
        name="api-v1-learning-assignment-confirm",
    ),
    path("scripts/", ScriptListApi.as_view(), name="api-v1-scripts"),
    path("scripts/<int:pk>/", ScriptDetailApi.as_view(), name="api-v1-script-detail"),
    path("outages/", OutageCollectionApi.as_view(), name="api-v1-outages"),
    path("outages/proofs/", ProofCollectionApi.as_view(), name="api-v1-outage-proofs"),
    path("outages/storm/", StormCollectionApi.as_view(), name="api-v1-outage-storm"),
    path("outages/storm/<int:pk>/end/", StormEndApi.as_view(), name="api-v1-outage-storm-end"),
    path("outages/<str:number>/", OutageDetailApi.as_view(), name="api-v1-outage-detail"),
    path("outages/<str:number>/etr/", OutageEtrApi.as_view(), name="api-v1-outage-etr"),
    path("outages/<str:number>/restore/", OutageRestoreApi.as_view(), name="api-v1-outage-restore"),
    path("notify/receipts/", DeliveryReceiptApi.as_view(), name="api-v1-notify-receipts"),
    path("known-events/", KnownEventCollectionApi.as_view(), name="api-v1-known-events"),
    path("known-events/<int:pk>/close/", KnownEventCloseApi.as_view(), name="api-v1-known-event-close"),
    path("outages/<str:number>/confirm/", OutageConfirmApi.as_view(), name="api-v1-outage-confirm"),
    path("outages/<str:number>/reject/", OutageRejectApi.as_view(), name="api-v1-outage-reject"),
    path("risk/orders/", RiskOrderListApi.as_view(), name="api-v1-risk-orders"),
    path("triage/", TriageApi.as_view(), name="api-v1-triage"),
    path("quality/", QualityApi.as_view(), name="api-v1-quality"),
    path("analytics/dashboard/", DashboardApi.as_view(), name="api-v1-analytics-dashboard"),
    path("reliability/", ReliabilityApi.as_view(), name="api-v1-reliability"),
    path("audit/", AuditListApi.as_view(), name="api-v1-audit"),
    path("follow-ups/", FollowUpListApi.as_view(), name="api-v1-follow-ups"),
    path("follow-ups/<int:pk>/close/", FollowUpCloseApi.as_view(), name="api-v1-follow-up-close"),
    path("surveys/", SurveyListApi.as_view(), name="api-v1-surveys"),
    path("reveal/", RevealApi.as_view(), name="api-v1-reveal"),
]
