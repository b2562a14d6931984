"""Customer look-up for integrations: search by phone, account number, name or address, and one
customer with their open orders. Phones, ID numbers and addresses are masked for roles that do not
see personal data.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.core.api import MaskedCharField, error_responses, request_user
from powerdesk.core.errors import NotFound
from powerdesk.core.masking import mask_address, mask_id_number, mask_phone
from powerdesk.customers.selectors import customer_get, customer_search
from powerdesk.org.selectors import user_sees_personal_data
from powerdesk.workorders.filters import order_list

# Account numbers are short digit strings; anything else cannot name a customer.
_ACCOUNT_NO = re.compile(r"^[0-9A-Za-z-]{1,20}$")
OPEN_ORDERS_SHOWN = 50


class AreaOutputSerializer(serializers.Serializer):
    """The 台区 that supplies a customer, with its area manager (posted publicly on site)."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    manager_name = serializers.CharField()
    manager_phone = serializers.CharField()

    class Meta:
        ref_name = "CustomerArea"


class CustomerPhoneOutputSerializer(serializers.Serializer):
    number = MaskedCharField(mask=mask_phone)
    label = serializers.CharField()  # type: ignore[assignment]

    class Meta:
        ref_name = "CustomerPhone"


class CustomerSummaryOutputSerializer(serializers.Serializer):
    account_no = serializers.CharField()
    name = serializers.CharField()
    customer_type = serializers.CharField()
    customer_type_label = serializers.CharField(source="get_customer_type_display")
    address = MaskedCharField(mask=mask_address)
    phones = CustomerPhoneOutputSerializer(many=True)
    is_sensitive = serializers.BooleanField()
    is_life_support = serializers.BooleanField()
    multi_resident = serializers.BooleanField()
    area = AreaOutputSerializer()

    class Meta:
        ref_name = "CustomerSummary"


class CustomerOpenOrderOutputSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    business_type = serializers.CharField()
    topic = serializers.CharField(source="topic.code")
    topic_name = serializers.CharField(source="topic.name")
    priority = serializers.IntegerField()
    is_flagged = serializers.BooleanField()
    contact_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "CustomerOpenOrder"


def _context(request: Request) -> dict[str, object]:
    return {"request": request, "unmasked": user_sees_personal_data(request_user(request))}


class CustomerSearchApi(APIView):
    """Find customers by phone, account number (exact or prefix), name or address fragment."""

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(
            max_length=100, help_text="Phone, account number, name or address fragment."
        )

        class Meta:
            ref_name = "CustomerSearchFilter"

    OutputSerializer = CustomerSummaryOutputSerializer

    @extend_schema(
        operation_id="customers_search",
        tags=["customers"],
        parameters=[FilterSerializer],
        responses={200: CustomerSummaryOutputSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        customers = customer_search(user=request_user(request), q=filters.validated_data["q"])
        return Response(self.OutputSerializer(customers, many=True, context=_context(request)).data)


class CustomerDetailApi(APIView):
    """One customer: account, type, flags, phones, premise, meter, the supplying 台区 and open orders."""

    class OutputSerializer(CustomerSummaryOutputSerializer):
        id_number = MaskedCharField(mask=mask_id_number)
        meter_no = serializers.CharField()
        shared_meter = serializers.BooleanField()
        preferred_channel = serializers.CharField()
        notes = serializers.CharField()
        open_orders = serializers.SerializerMethodField()

        class Meta:
            ref_name = "CustomerDetail"

        @extend_schema_field(CustomerOpenOrderOutputSerializer(many=True))
        def get_open_orders(self, customer: object) -> Any:
            return CustomerOpenOrderOutputSerializer(
                self.context["open_orders"], many=True, context=self.context
            ).data

    @extend_schema(
        operation_id="customers_retrieve",
        tags=["customers"],
        responses={200: OutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, account_no: str) -> Response:
        customer = (
            customer_get(user=request_user(request), account_no=account_no)
            if _ACCOUNT_NO.match(account_no)
            else None
        )
        if customer is None:
            raise NotFound(_("找不到该客户。"))
        open_orders = order_list(user=request_user(request), open=True).filter(customer=customer)
        context = {**_context(request), "open_orders": list(open_orders[:OPEN_ORDERS_SHOWN])}
        return Response(self.OutputSerializer(customer, context=context).data)
