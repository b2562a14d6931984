"""What the audit trail listens to, connected once in ``AuditConfig.ready``:

- Django's authentication signals: a login, a failed login, a logout;
- django-axes' ``user_locked_out``: an account or address locked after too many failures;
- saves of a user that change their role, unit, or active, staff or superuser flag (whoever saves:
  the admin, a shell, a loader);
- the admin's own log (``LogEntry``) of every add, change and delete in ``/admin/``, for every model
  registered there: the reference tables (time limits, escalation steps, suspend reasons, priority
  rules, topics, sub-types, calendar, notification templates), roles and users. The bulk delete action
  writes its log in one ``bulk_create``, without signals: :func:`audited_delete_selected` replaces it;
- ``org.extensions.security_events``: what ``org`` reports (API tokens made and revoked).
"""

from __future__ import annotations

import json
from typing import Any

from axes.signals import user_locked_out
from django.contrib import admin
from django.contrib.admin import actions as admin_actions
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save

from powerdesk.audit.services import record
from powerdesk.org import extensions as org_extensions
from powerdesk.org.lockout import lockout_minutes
from powerdesk.org.models import Role, Unit, User

USER_FIELDS = ("role", "unit", "is_active", "is_staff", "is_superuser")
ADMIN_KINDS = {ADDITION: "admin_add", CHANGE: "admin_change", DELETION: "admin_delete"}


def _path(request: Any) -> str:
    return str(getattr(request, "path", "") or "")


def on_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    record("login", user, subject=user.get_username(), request=request, data={"path": _path(request)})


def on_logout(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        record("logout", user, subject=user.get_username(), request=request)


def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # Django has already masked the password in ``credentials``; only the name given is kept.
    username = str(credentials.get("username") or "")[:150]
    data: dict[str, Any] = {"path": _path(request)}
    if getattr(request, "axes_locked_out", False):
        data["locked"] = True
    record("login_failed", None, actor_name=username, subject=username, request=request, data=data)


def on_locked_out(sender: Any, request: Any, username: str | None = None, **kwargs: Any) -> None:
    name = str(username or "")[:150]
    record(
        "lockout", None, actor_name=name, subject=name, request=request, data={"minutes": lockout_minutes()}
    )


def _user_state(values: Any) -> dict[str, Any]:
    return {
        "role": values.get("role__code"),
        "unit": values.get("unit__code"),
        **{f: values.get(f) for f in ("is_active", "is_staff", "is_superuser")},
    }


def _stored_state(pk: Any) -> dict[str, Any] | None:
    row = (
        User.objects.filter(pk=pk)
        .values("role__code", "unit__code", "is_active", "is_staff", "is_superuser")
        .first()
    )
    return _user_state(row) if row is not None else None


def _new_state(user: User) -> dict[str, Any]:
    role = (
        Role.objects.filter(pk=user.role_id).values_list("code", flat=True).first() if user.role_id else None
    )
    unit = (
        Unit.objects.filter(pk=user.unit_id).values_list("code", flat=True).first() if user.unit_id else None
    )
    return {
        "role": role,
        "unit": unit,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
    }


def _tracked(update_fields: Any) -> bool:
    return update_fields is None or bool(set(update_fields) & {*USER_FIELDS, "role_id", "unit_id"})


def before_user_save(
    sender: Any, instance: User, raw: bool = False, update_fields: Any = None, **kw: Any
) -> None:
    if raw or not _tracked(update_fields):
        return
    instance._audit_before = _stored_state(instance.pk) if instance.pk else None  # type: ignore[attr-defined]


def after_user_save(
    sender: Any, instance: User, created: bool, raw: bool = False, update_fields: Any = None, **kw: Any
) -> None:
    if raw or not _tracked(update_fields):
        return
    before = getattr(instance, "_audit_before", None)
    after = _new_state(instance)
    if before is None:  # a new user: what they were given, from nothing
        before = {"role": None, "unit": None, "is_active": None, "is_staff": None, "is_superuser": None}
        if not (after["role"] or after["unit"] or after["is_staff"] or after["is_superuser"]):
            return
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if changes:
        from powerdesk.audit.middleware import current_request

        request = current_request()
        actor = getattr(request, "user", None)
        record(
            "user_changed",
            actor,
            target=instance,
            subject=instance.get_username(),
            data={"changes": changes, "created": created},
        )


def on_admin_log(sender: Any, instance: LogEntry, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        _record_admin_entry(instance)


def _record_admin_entry(entry: LogEntry) -> None:
    content_type = entry.content_type
    label = f"{content_type.app_label}.{content_type.model}" if content_type else ""
    try:
        change = json.loads(entry.change_message) if entry.change_message else []
    except ValueError:
        change = []
    record(
        ADMIN_KINDS.get(entry.action_flag, "admin_change"),
        entry.user,
        target=f"{label}:{entry.object_id}",
        data={"model": label, "object": entry.object_repr, "change": change},
    )


@admin.action(permissions=["delete"], description=admin_actions.delete_selected.short_description)  # type: ignore[attr-defined]
def audited_delete_selected(modeladmin: Any, request: Any, queryset: Any) -> Any:
    """Django's 删除所选 action; the objects it deleted are recorded one by one (Django logs two or more
    with ``bulk_create``, which sends no signal; one alone is saved, and recorded by ``on_admin_log``)."""
    before = list(queryset) if request.POST.get("post") else []
    response = admin_actions.delete_selected(modeladmin, request, queryset)
    if len(before) > 1:
        remaining = set(
            queryset.model._default_manager.filter(pk__in=[o.pk for o in before]).values_list("pk", flat=True)
        )
        label = queryset.model._meta.label_lower
        for obj in before:
            if obj.pk not in remaining:
                record(
                    "admin_delete",
                    request.user,
                    target=f"{label}:{obj.pk}",
                    request=request,
                    data={"model": label, "object": str(obj)[:200], "change": []},
                )
    return response


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="audit_login")
    user_logged_out.connect(on_logout, dispatch_uid="audit_logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit_login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="audit_locked_out")
    pre_save.connect(before_user_save, sender=User, dispatch_uid="audit_user_before")
    post_save.connect(after_user_save, sender=User, dispatch_uid="audit_user_after")
    post_save.connect(on_admin_log, sender=LogEntry, dispatch_uid="audit_admin_log")
    admin.site.add_action(audited_delete_selected, "delete_selected")
    org_extensions.security_events.register("audit", "audit_trail", record)
