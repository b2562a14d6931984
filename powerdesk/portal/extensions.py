"""The portal's extension points, for the apps that add to it without the portal importing them (the
applications app: starting an application, and its steps on the order's page).

* ``start_actions``: entries on the portal's home page beside "report a fault", each a
  :class:`StartAction` (a label and a URL name of the registering app, resolved for the customer).
* ``order_sections``: called with the order the customer is reading; returns ``None`` or a dict with
  ``template`` (rendered inside the order page with the context as ``section``; ``portal/_section.html``
  shows ``section.title`` and ``section.lines``) and ``context``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from powerdesk.core.extensions import Registry


@dataclass(frozen=True)
class StartAction:
    label: str | Promise
    url_name: str  # reversed without arguments
    hint: str | Promise = ""


start_actions: Registry[StartAction] = Registry("portal.start_actions")
order_sections: Registry[Callable[[Any], dict[str, Any] | None]] = Registry("portal.order_sections")
