"""The quality table as Excel: a percentage cell per rate, followed by its terms, the totals last."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_quality_table_as_excel_has_percent_cells_and_terms(month, users, client):
    client.force_login(users["manager"])
    response = client.post(reverse("exports:start", args=["quality"]), {"query": "by=unit"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    rate = header.index("重复来电率")
    assert header[rate + 1 : rate + 3] == ["重复来电率·分子", "重复来电率·分母"]
    totals = [c for c in sheet[sheet.max_row]]
    assert totals[0].value == "合计"
    assert totals[rate].number_format == "0.0%"
    assert totals[rate].value == pytest.approx(totals[rate + 1].value / totals[rate + 2].value)
