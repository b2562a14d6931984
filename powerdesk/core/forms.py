"""A service's refusal shown on the console form that asked for it.

Forms only parse and shape input; the services decide what is allowed and raise a
:class:`~powerdesk.core.errors.DomainError` when they refuse. :func:`refusal_on` puts that refusal back on
the form, field by field; refusals about access (NotPermitted, NotFound) are left to the view's
:func:`~powerdesk.core.decorators.domain_errors`, which answers them with the 403 and 404 pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.utils.translation import gettext_lazy as _

from powerdesk.core.errors import DomainError, NotFound, NotPermitted


def apply_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: per-field messages beside their fields (or at the top
    when the form shows no such field), and the overall message at the top unless a field says it."""
    beside: set[str] = set()
    top: list[str] = []
    for name, messages in error.fields.items():
        if name in form.fields and not form.fields[name].widget.is_hidden:
            form.add_error(name, list(messages))
            beside.update(messages)
        else:
            top.extend(messages)
    if error.message not in beside and error.message not in top:
        top.insert(0, error.message)
    if top:
        form.add_error(None, top)


@contextmanager
def refusal_on(form: forms.Form, *kinds: type[DomainError]) -> Iterator[None]:
    """Run the service call of a valid form; when it refuses with a DomainError of ``kinds`` (any by
    default), show the refusal on the form and leave the block, so the view renders the form again.

    NotPermitted and NotFound go on: ``domain_errors`` answers them with the 403 and 404 pages. Write
    the success path (the redirect) inside the block, the form's page after it::

        with refusal_on(form):
            result = services.workorder_intake(actor=user, **form.intake_kwargs())
            return redirect(...)
        return render(request, ..., {"form": form})
    """
    caught = kinds or (DomainError,)
    try:
        yield
    except (NotPermitted, NotFound):
        raise
    except caught as error:
        apply_domain_error(form, error)


# Dates outside this range are input errors (and would overflow the day arithmetic of the filters).
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


class BusinessDayField(forms.DateField):
    """A day (YYYY-MM-DD) in the business time zone, between FIRST_DAY and LAST_DAY: the date filters of
    the order list and of the audit trail."""

    input_formats = ["%Y-%m-%d"]
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {"invalid": _("请输入有效的日期，如 2025-05-01。")}

    def validate(self, value: dt.date | None) -> None:
        super().validate(value)
        if value is not None and not (FIRST_DAY <= value <= LAST_DAY):
            raise forms.ValidationError(
                _("日期须在 %(first)s 至 %(last)s 之间。") % {"first": FIRST_DAY, "last": LAST_DAY},
                code="out_of_range",
            )
