from django.urls import path, register_converter

from minutes.review import views


class ExportFormat:
    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ExportFormat, "export")

app_name = "review"

urlpatterns = [
    path(
        "to-chuc/<int:organization_id>/theo-doi/<int:year>/",
        views.dashboard_page,
        name="dashboard",
    ),
    path(
        "to-chuc/<int:organization_id>/theo-doi/<int:year>.<export:fmt>",
        views.dashboard_export,
        name="dashboard_export",
    ),
    path(
        "to-chuc/<int:organization_id>/nhat-ky-truy-cap/",
        views.organization_reads,
        name="organization_reads",
    ),
    path("chi-bo/<int:cell_id>/nhat-ky-truy-cap/", views.cell_reads, name="cell_reads"),
]
