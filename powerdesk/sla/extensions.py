"""What the apps above ``sla`` may declare about the clocks they run themselves.

``own_pauses``
    Clock kinds whose pauses their app decides: the order's 挂起 and 恢复 leave them alone (the app's own
    ``transition_applied`` hook pauses and resumes them, with its other pause reasons in view), while
    meeting on ``stops_on`` and cancelling when the order closes still apply. The applications app
    registers its step and whole-process clocks: a customer's step pauses the whole process too, and an
    order resumed while it runs must not start that clock again.
"""

from __future__ import annotations

from powerdesk.core.extensions import Registry

own_pauses: Registry[str] = Registry("own_pauses")


def paused_elsewhere() -> frozenset[str]:
    """The clock kinds whose pauses another app decides."""
    return frozenset(own_pauses)
