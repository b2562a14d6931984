"""Chinese first: the interface language is Simplified Chinese unless the user chose another one.

Django's LocaleMiddleware would follow the browser's Accept-Language header, so an agent on an
English-language browser would get English by accident. Here only the explicit choice (the language
cookie set by the switcher) counts.
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
