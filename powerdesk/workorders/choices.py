"""Choice sets of the work order, with translatable labels and a colour for the console."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BusinessType(models.TextChoices):
    REPAIR = "repair", _("故障报修")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    OPINION = "opinion", _("意见建议")
    PRAISE = "praise", _("表扬")
    CONSULTATION = "consultation", _("咨询查询")
    SERVICE_REQUEST = "service_request", _("服务申请")
    APPLICATION = "application", _("业务办理")


# Types whose work happens in the field: they go through 接单 → 到达现场 before 处理完成.
FIELD_TYPES = frozenset({BusinessType.REPAIR})
# Types that may record an arrival on site (e.g. 电器损坏 inspections, new-connection surveys).
ON_SITE_TYPES = frozenset({BusinessType.REPAIR, BusinessType.SERVICE_REQUEST, BusinessType.APPLICATION})
# Types that may close on the first answer (一次答复办结) without dispatch.
FIRST_ANSWER_TYPES = frozenset({BusinessType.CONSULTATION, BusinessType.PRAISE})


class Channel(models.TextChoices):
    HOTLINE = "95598", _("95598电话")
    APP = "app", _("网上国网")
    WEB = "web", _("95598网站")
    WECHAT = "wechat", _("微信")
    SMS = "sms", _("短信")
    HALL = "hall", _("营业厅")
    REGULATOR = "12398", _("12398监管热线")
    GOVERNMENT = "12345", _("12345政务热线")
    OPINION_BOX = "opinion_box", _("意见箱")
    PORTAL = "portal", _("网上营业厅")


class Priority(models.IntegerChoices):
    NORMAL = 1, _("一般")
    HIGH = 2, _("较急")
    URGENT = 3, _("紧急")


class Status(models.TextChoices):
    ACCEPTED = "accepted", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    IN_PROGRESS = "in_progress", _("处理中")
    ON_SITE = "on_site", _("已到达现场")
    # 处理完成 is both a state ("Resolved") and the action that reaches it ("Resolve"): the contexts
    # "status" and "action" keep the two apart in the English catalogue.
    RESOLVED = "resolved", pgettext_lazy("status", "处理完成")
    REPLIED = "replied", _("已回单")
    CALLED_BACK = "called_back", _("已回访")
    ARCHIVED = "archived", _("已归档")
    RETURNED = "returned", _("已回退")
    SUSPENDED = "suspended", _("已挂起")
    MERGED = "merged", _("已合并")


STATUS_COLOURS = {
    Status.ACCEPTED: "blue",
    Status.DISPATCHED: "indigo",
    Status.IN_PROGRESS: "orange",
    Status.ON_SITE: "orange",
    Status.RESOLVED: "teal",
    Status.REPLIED: "teal",
    Status.CALLED_BACK: "green",
    Status.ARCHIVED: "grey",
    Status.RETURNED: "red",
    Status.SUSPENDED: "yellow",
    Status.MERGED: "grey",
}

CLOSED_STATUSES = frozenset({Status.ARCHIVED, Status.MERGED})
OPEN_STATUSES = frozenset(set(Status) - CLOSED_STATUSES)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")
    UNREACHABLE = "unreachable", _("无法联系")


class EventKind(models.TextChoices):
    CREATED = "created", _("受理")
    REPEAT_CALL = "repeat_call", _("重复致电")
    REPEAT_OVERRIDDEN = "repeat_overridden", _("人工新建（忽略重复）")
    DISPATCH = "dispatch", _("派单")
    TAKE = "take", _("接单")
    ARRIVE = "arrive", _("到达现场")
    # The timeline names each step by its action (Dispatch, Accept …), so this is the action too.
    RESOLVE = "resolve", pgettext_lazy("action", "处理完成")
    REPLY = "reply", _("回单")
    CALLBACK = "callback", _("回访")
    ARCHIVE = "archive", _("归档")
    ANSWER = "answer", _("一次答复办结")
    TRANSFER = "transfer", _("转派")
    RETURN = "return", _("回退")
    SUSPEND = "suspend", _("挂起")
    RESUME = "resume", _("恢复")
    CHASE = "chase", _("催办")
    ESCALATE = "escalate", _("升级")
    MERGE = "merge", _("合并")
    CHILD_MERGED = "child_merged", _("并入子工单")
    REOPEN = "reopen", _("重开")
    NOTE = "note", _("备注")
    RECLASSIFY = "reclassify", _("重新分类")
    CALL_OUT = "call_out", _("联系客户")
    ATTACHMENT = "attachment", _("上传附件")
    FLAGGED = "flagged", _("标记关注")
    LINKED = "linked", _("关联新工单")
    CUSTOMER_CANCEL = "customer_cancel", _("客户撤销")


class StateGroup(models.TextChoices):
    """Which earlier orders a repeat-call action applies to: open ones (resolved and replied included)
    or archived ones."""

    OPEN = "open", _("未归档")
    ARCHIVED = "archived", _("已归档")


class RepeatAction(models.TextChoices):
    """What a contact about the same topic as an earlier order of the customer becomes."""

    LINK = "link", _("计入原工单（重复致电）")
    RECUR = "recur", _("新建工单，关联为复发")
    FOLLOW_UP = "follow_up", _("新建跟进工单，关联原工单")
    REOPEN = "reopen", _("重开原工单")
    NEW = "new", _("新建工单（不同事件），关联原工单")


class LinkKind(models.TextChoices):
    """How a new order relates to the earlier one it names (``OrderLink``)."""

    RECURRENCE = "recurrence", _("复发")
    FOLLOW_UP = "follow_up", _("跟进")
    RELATED = "related", _("关联")


# The link a repeat-call action writes between the new order and the earlier one (link and reopen write
# none: the contact stays on the earlier order).
ACTION_LINKS = {
    RepeatAction.RECUR: LinkKind.RECURRENCE,
    RepeatAction.FOLLOW_UP: LinkKind.FOLLOW_UP,
    RepeatAction.NEW: LinkKind.RELATED,
}


class AttachmentKind(models.TextChoices):
    AUDIO = "audio", _("录音")
    PHOTO = "photo", _("照片")
    DOCUMENT = "document", _("文档")
