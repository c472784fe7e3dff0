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
    path("to-chuc/<int:organization_id>/luu-tru/", views.archive_page, name="archive"),
    path("to-chuc/<int:organization_id>/luu-tru/tai-zip/", views.archive_zip, name="archive_zip"),
    path("van-ban/<int:document_id>/", views.document_page, name="document"),
    path("van-ban/<int:document_id>/tep-da-ky.pdf", views.document_pdf, name="document_pdf"),
    path("chi-bo/<int:cell_id>/y-kien-cap-tren/", views.cell_reviews, name="cell_reviews"),
]
