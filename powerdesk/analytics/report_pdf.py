"""The monthly report as PDF: the report's page sections (``analytics/_report_body.html``) with charts
drawn on the server by matplotlib (the browser's ECharts is not there), laid out by WeasyPrint. Chinese
text needs a CJK font from the system's packages (``fonts-wqy-microhei`` or ``fonts-noto-cjk``, see
docs/deploy.md): matplotlib is told which one it has, WeasyPrint finds it through fontconfig and embeds
the glyphs it uses."""

from __future__ import annotations

import base64
import io
from functools import cache
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from powerdesk.analytics import reports_presenting
from powerdesk.analytics.reports_models import MonthlyReport

# The CJK families looked for, in this order (Debian's packages).
CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
)
CJK_FILE_MARKS = ("wqy", "notosanscjk", "notosanssc", "sourcehansans")  # the families' file names
STYLESHEET = "css/report_pdf.css"
BLUE, GREY, ORANGE = "#1f5fa8", "#9aa5b1", "#d9822b"


@cache
def cjk_family() -> str | None:
    """The first CJK family matplotlib can use, or None (the charts' Chinese then shows as boxes)."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    if not names.intersection(CJK_FAMILIES):
        # matplotlib caches the fonts it found on first use (~/.cache/matplotlib): one installed later
        # (scripts/ensure-fonts.sh on an upgrade) is not in the cache. Add the system's CJK fonts.
        for path in font_manager.findSystemFonts():
            if any(mark in path.lower() for mark in CJK_FILE_MARKS):
                font_manager.fontManager.addfont(path)
        names = {f.name for f in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in names), None)


def _figure(width: float, height: float) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    family = cjk_family()
    figure = Figure(figsize=(width, height), dpi=150)
    if family:
        figure.set_layout_engine("constrained")
        matplotlib.rcParams["font.family"] = [family, "sans-serif"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return figure


def _data_uri(figure: Any) -> str:
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def kpi_chart(lines: list[reports_presenting.KpiLine]) -> str:
    """The rates (percent) this month, last month and a year before, side by side."""
    rates = [k for k in lines if k.kind == "ratio"]
    if not rates:
        return ""
    figure = _figure(7, 2.8)
    axes = figure.subplots()
    width = 0.27
    xs = range(len(rates))
    for offset, label, color, values in (
        (-width, _("去年同月"), GREY, [k.last_year_value for k in rates]),
        (0.0, _("上月"), ORANGE, [k.previous_value for k in rates]),
        (width, _("本月"), BLUE, [k.current_value for k in rates]),
    ):
        axes.bar([x + offset for x in xs], [v or 0 for v in values], width, label=label, color=color)
    axes.set_xticks(list(xs), [k.label for k in rates])
    axes.set_ylabel("%")
    axes.set_ylim(0, 105)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _data_uri(figure)


def daily_chart(days: list[tuple[Any, int]]) -> str:
    if not days:
        return ""
    figure = _figure(7, 2.2)
    axes = figure.subplots()
    axes.bar([d.day for d, _n in days], [n for _d, n in days], color=BLUE)
    axes.set_xlabel(_("日"))
    axes.set_ylabel(_("工单数"))
    axes.spines[["top", "right"]].set_visible(False)
    return _data_uri(figure)


def areas_chart(areas: list[dict[str, Any]]) -> str:
    if not areas:
        return ""
    shown = list(reversed(areas[:8]))
    figure = _figure(7, 0.35 * len(shown) + 0.9)
    axes = figure.subplots()
    names = [a["name"] for a in shown]
    axes.barh(names, [a["orders"] for a in shown], color=GREY, label=_("工单"))
    axes.barh(names, [a["complaints"] for a in shown], color=ORANGE, label=_("投诉"))
    axes.legend(loc="lower right", fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    return _data_uri(figure)


def render_html(report: MonthlyReport) -> str:
    context = reports_presenting.context(report)
    context["charts"] = {
        "kpis": kpi_chart(context["kpis"]),
        "daily": daily_chart(reports_presenting.daily(report)),
        "areas": areas_chart(context["worst_areas"]),
    }
    return render_to_string("analytics/report_pdf.html", context)


def render_pdf(report: MonthlyReport, *, request: Any = None) -> bytes:
    from weasyprint import CSS, HTML

    stylesheet = finders.find(STYLESHEET)
    assert isinstance(stylesheet, str), STYLESHEET
    return HTML(string=render_html(report)).write_pdf(stylesheets=[CSS(filename=stylesheet)])
