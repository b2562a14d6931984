"""Customer look-up for integrations: search by phone, account number, name or address, and one
customer with their open orders. Personal data (names, phones, addresses, ID and account numbers) is
shown through the masking policy (``org.masking``), field by field, as on the console.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from powerdesk.core.api import error_responses, request_user
from powerdesk.core.errors import NotFound
from powerdesk.core.extensions import add_detail_fields, load_detail_fields
from powerdesk.customers.extensions import customer_detail_fields
from powerdesk.customers.selectors import customer_get, customer_search
from powerdesk.org.masking import PersonalDataField, serializer_masking
from powerdesk.org.models import PersonalField

# Account numbers are short digit strings; anything else cannot name a customer.
_ACCOUNT_NO = re.compile(r"^[0-9A-Za-z-]{1,20}$")


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
    number = PersonalDataField(field=PersonalField.PHONE)
    label = serializers.CharField()  # type: ignore[assignment]

    class Meta:
        ref_name = "CustomerPhone"


class CustomerSummaryOutputSerializer(serializers.Serializer):
    # What POST /api/v1/reveal/ names a customer by (target "customer"): the account number may be masked.
    id = serializers.IntegerField()
    account_no = PersonalDataField(field=PersonalField.ACCOUNT_NO)
    name = PersonalDataField(field=PersonalField.NAME)
    customer_type = serializers.CharField()
    customer_type_label = serializers.CharField(source="get_customer_type_display")
    address = PersonalDataField(field=PersonalField.ADDRESS)
    phones = CustomerPhoneOutputSerializer(many=True)
    is_sensitive = serializers.BooleanField()
    sensitive_reason = serializers.CharField(
        help_text="Why the customer is sensitive (敏感客户); empty if not."
    )
    sensitive_since = serializers.DateField(allow_null=True, help_text="The day the sensitive flag was set.")
    is_life_support = serializers.BooleanField()
    multi_resident = serializers.BooleanField()
    area = AreaOutputSerializer()

    class Meta:
        ref_name = "CustomerSummary"


def _context(request: Request) -> dict[str, object]:
    return {"request": request, **serializer_masking(request_user(request))}


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
        id_number = PersonalDataField(field=PersonalField.ID_NUMBER)
        meter_no = serializers.CharField()
        shared_meter = serializers.BooleanField()
        preferred_channel = serializers.CharField()
        notes = serializers.CharField()

        class Meta:
            ref_name = "CustomerDetail"

        def get_fields(self) -> dict[str, serializers.Field]:
            """With what the apps above add (the work-order app: the open orders)."""
            return add_detail_fields(customer_detail_fields, super().get_fields())

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
        load_detail_fields(customer_detail_fields, customer, request)
        return Response(self.OutputSerializer(customer, context=_context(request)).data)
