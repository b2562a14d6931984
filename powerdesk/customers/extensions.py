"""What the apps above ``customers`` add to a customer's page and API answer (see
:mod:`powerdesk.core.extensions`): the work-order app shows the customer's open orders and recent contacts;
later apps add theirs (outages on the customer's supply path, complaints)."""

from __future__ import annotations

from powerdesk.core.extensions import DetailField, Panel, Registry

# Slots of the customer page: "main" (full-width cards below the customer's data); "intake": shown on
# the new-order form once the customer is chosen (a known outage on the supply path).
customer_panels: Registry[Panel] = Registry("customer_panels")
customer_detail_fields: Registry[DetailField] = Registry("customer_detail_fields")
