from django import template
from django.utils.safestring import SafeString

from powerdesk.knowledge.rendering import render_markdown

register = template.Library()


@register.filter(name="case_markdown")
def case_markdown(text: str) -> SafeString:
    """Markdown an author wrote, as cleaned HTML (``knowledge.rendering``)."""
    return render_markdown(text)
