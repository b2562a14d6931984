"""A QR code as inline SVG markup (no image library, no data: URL, nothing for the browser's policy to
refuse)."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.utils.safestring import SafeString, mark_safe


def qr_svg(text: str) -> SafeString:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    # Markup qrcode built from path data only; ``text`` is encoded in the modules, never written out.
    return mark_safe(image.to_string(encoding="unicode"))
