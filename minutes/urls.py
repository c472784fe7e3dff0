from django.urls import path

from minutes.views import pages, verification

app_name = "minutes"

urlpatterns = [
    path("sinh-hoat/<int:meeting_id>/bien-ban/", pages.minutes_detail, name="detail"),
    path("sinh-hoat/<int:meeting_id>/bien-ban/soan/", pages.minutes_edit, name="edit"),
    path("sinh-hoat/<int:meeting_id>/bien-ban/xem-truoc/", pages.minutes_preview, name="preview"),
    path("sinh-hoat/<int:meeting_id>/bien-ban/thong-qua/", pages.minutes_approve, name="approve"),
    path("sinh-hoat/<int:meeting_id>/bien-ban/phat-hanh/", pages.document_issue, name="issue"),
    path("van-ban/<int:document_id>/", pages.document_detail, name="document"),
    path("van-ban/<int:document_id>/tien-do/", pages.document_progress, name="progress"),
    path("van-ban/<int:document_id>/ky/", pages.document_sign, name="sign"),
    path("van-ban/<int:document_id>/tao-lai/", pages.document_retry, name="retry"),
    path("van-ban/<int:document_id>/tai-ve/", pages.document_download, name="download"),
    path("xac-thuc/", verification.verify, name="verify"),
    path("x/<str:code>/", verification.verify_code, name="verify_code"),
]
