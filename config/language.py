"""The interface language: Vietnamese unless the user chose English with the language switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, and many members' laptops
are set to English: they would get an English page they never asked for. Here only the user's
own choice (the cookie `set_language` writes) counts, on pages and on websockets alike.
"""

from __future__ import annotations

from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


def chosen_language(cookie_value: str | None) -> str:
    """The language the cookie names when it is one we offer, else the default (Vietnamese)."""
    offered = {code for code, _name in settings.LANGUAGES}
    return cookie_value if cookie_value in offered else settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    """Replaces django.middleware.locale.LocaleMiddleware (same place in MIDDLEWARE)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class WebsocketLanguageMiddleware:
    """ASGI middleware: error messages sent over a websocket speak the user's chosen language."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        cookies = SimpleCookie()
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                cookies.load(value.decode("latin-1"))
        morsel = cookies.get(settings.LANGUAGE_COOKIE_NAME)
        with translation.override(chosen_language(morsel.value if morsel else None)):
            return await self.inner(scope, receive, send)
