from django import template

from powerdesk.portal.selectors import hall_proofs_waiting, user_staffs_hall

register = template.Library()


@register.simple_tag(takes_context=True)
def hall_proofs(context: template.Context) -> int | None:
    """For the roles that staff a hall: how many proofs wait for them (the navigation's link and count);
    None for the others (no link)."""
    user = context.get("user")
    if user is None or not user_staffs_hall(user):
        return None
    return hall_proofs_waiting(user).count()
