"""The words of the room's scripts (static/js/room-texts.js) in the member's language, cached by
the browser: the address names the language and the catalog's version, so every room load after
the first takes them from the cache (one request less on a slow connection), and a deployment
whose words changed serves them under a new address."""

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.i18n import JavaScriptCatalog

YEAR = 365 * 24 * 3600


@cache
def catalog_version() -> str:
    """A digest of the compiled script catalogs, as this process found them at first use."""
    digest = hashlib.sha256()
    for root in sorted(Path(p) for p in settings.LOCALE_PATHS):
        for compiled in sorted(root.glob("*/LC_MESSAGES/djangojs.mo")):
            digest.update(compiled.read_bytes())
    return digest.hexdigest()[:12]


def catalog_url(language: str) -> str:
    return reverse("javascript-catalog-versioned", args=[language, catalog_version()])


def javascript_catalog(request: HttpRequest, language: str, version: str) -> HttpResponseBase:
    if language not in dict(settings.LANGUAGES):
        raise Http404
    with translation.override(language):
        response = JavaScriptCatalog.as_view()(request)
    if version == catalog_version():
        patch_cache_control(response, public=True, max_age=YEAR, immutable=True)
    else:  # an address from before a deployment: today's words, not kept
        patch_cache_control(response, no_cache=True)
    return response
