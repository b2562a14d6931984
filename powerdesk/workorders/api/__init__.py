"""Work-order API for integrations (IVR/CTI, apps, field devices): intake (:mod:`.intake`), lists
(:mod:`.lists`), one order with its timeline and evidence files (:mod:`.detail`), one endpoint per
transition (:mod:`.transitions`); the answers' shapes in :mod:`.output`.

Views are thin: check the input's shape, resolve references through selectors, call the service,
serialize. The transition endpoints are generated from ``transitions.TRANSITIONS``, so a transition's
input is declared once, in the table the console forms use too.
"""

from powerdesk.workorders.api.detail import (
    WorkOrderAttachmentAddApi,
    WorkOrderDetailApi,
    WorkOrderDispatchSuggestionApi,
)
from powerdesk.workorders.api.intake import WorkOrderIntakeApi
from powerdesk.workorders.api.lists import WorkOrderCollectionApi, WorkOrderListApi
from powerdesk.workorders.api.output import (
    WorkOrderDetailOutputSerializer,
    WorkOrderSummaryOutputSerializer,
)
from powerdesk.workorders.api.transitions import TRANSITION_APIS, WorkOrderTransitionApi, transition_api

__all__ = [
    "TRANSITION_APIS",
    "WorkOrderAttachmentAddApi",
    "WorkOrderCollectionApi",
    "WorkOrderDetailApi",
    "WorkOrderDetailOutputSerializer",
    "WorkOrderDispatchSuggestionApi",
    "WorkOrderIntakeApi",
    "WorkOrderListApi",
    "WorkOrderSummaryOutputSerializer",
    "WorkOrderTransitionApi",
    "transition_api",
]
