"""Every request starts in the default time zone; pages about one cell switch to its zone
(members.zones.activate_for). Django keeps an activated zone for the thread, so without this a
page would inherit the zone of the previous request served by the same thread."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from members import zones


class ZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.deactivate()
        token = zones.request_zones.set({})
        try:
            return self.get_response(request)
        finally:
            zones.request_zones.reset(token)
            timezone.deactivate()
