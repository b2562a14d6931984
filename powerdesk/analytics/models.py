from powerdesk.analytics.reports_models import MonthlyReport

__all__ = ["MonthlyReport"]
