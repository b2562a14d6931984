"""What customers say and what staff write back, per business sub-type — written for this demo.

Each :class:`Case` is one kind of contact: the sub-type and topic it is filed under, a few ways a customer
describes it, what the crew or handler finds, and the reply. Texts carry ``{slots}`` filled per order by
:func:`fill` (the caller's place, a time of day, an amount …).
"""

from powerdesk.demo.texts.case import RESIDENTS, SLOTS, Case, fill
from powerdesk.demo.texts.faults import CONSULTATION, REPAIR
from powerdesk.demo.texts.requests import APPLICATION, SERVICE_REQUEST
from powerdesk.demo.texts.voices import COMPLAINT, OPINION, PRAISE, REPORT

# In this order: the demo draws cases by weight from this tuple, so its order is part of a seed's data.
CASES: tuple[Case, ...] = (
    *REPAIR,
    *CONSULTATION,
    *SERVICE_REQUEST,
    *COMPLAINT,
    *OPINION,
    *REPORT,
    *PRAISE,
    *APPLICATION,
)

__all__ = ["CASES", "RESIDENTS", "SLOTS", "Case", "fill"]
