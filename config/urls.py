from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language
from django_otp.admin import OTPAdminSite

from config.catalog import javascript_catalog
from config.metrics import metrics
from meetings.views.media import janus_events
from members.views.pages import health

# The admin, like every page, needs a verified second factor (the middleware checks it too).
admin.site.__class__ = OTPAdminSite
admin.site.site_header = "Chi bộ trực tuyến"

urlpatterns = [
    path("", include("members.urls")),
    path("", include("meetings.urls")),
    path("", include("minutes.urls")),
    path("xem-xet/", include("minutes.review.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    # The words of the room's scripts (static/js/room-texts.js), in the member's language.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # The same, cached by the browser: the room loads it under its language and version.
    path(
        "jsi18n/<str:language>/<str:version>/",
        javascript_catalog,
        name="javascript-catalog-versioned",
    ),
    path("health/", health, name="health"),
    path("metrics", metrics, name="metrics"),
    path("janus/su-kien/", janus_events, name="janus_events"),
    path("quan-tri/", admin.site.urls),
]

handler404 = "members.views.pages.page_not_found"
handler403 = "members.views.pages.permission_denied"
handler400 = "members.views.pages.bad_request"
handler500 = "members.views.pages.server_error"
