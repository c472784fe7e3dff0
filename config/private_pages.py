"""Answers to a signed-in user are nobody else's: no browser or proxy cache keeps them.

A shared computer's back button or a caching proxy would otherwise show a member's pages (the
roll, the minutes, a vote) to the next person. Static files never come here (WhiteNoise answers
them earlier), and the public pages keep their own headers for visitors who are not signed in.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class NoStoreWhenSignedInMiddleware:
    """After AuthenticationMiddleware: `Cache-Control: no-store, private` for a signed-in user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
