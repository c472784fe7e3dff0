from django.contrib.auth import views as auth_views
from django.urls import path

from members.views import auth, history, imports, pages, roster

app_name = "members"

urlpatterns = [
    path("", pages.home, name="home"),
    path("dang-nhap/", auth.LoginView.as_view(), name="login"),
    path("dang-nhap/xac-thuc/", auth.second_factor, name="second_factor"),
    path("dang-nhap/dang-ky-ma/", auth.enrol, name="enrol"),
    path("dang-nhap/nhap-ma/", auth.verify, name="verify"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("tai-khoan/ma-du-phong/", auth.backup_codes, name="backup_codes"),
    path("tai-khoan/dien-thoai-moi/", auth.replace_device, name="replace_device"),
    path("tai-khoan/mat-khau/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("tai-khoan/mui-gio/", pages.own_time_zone, name="time_zone"),
    path("chi-bo/<int:cell_id>/", pages.cell_detail, name="cell"),
    path("to-chuc/<int:organization_id>/", pages.organization_detail, name="organization"),
    # The secretary's roster pages.
    path("chi-bo/<int:cell_id>/dang-vien/them/", roster.member_add, name="member_add"),
    path("chi-bo/<int:cell_id>/nhap-danh-sach/", imports.roster_import_view, name="roster_import"),
    path(
        "chi-bo/<int:cell_id>/nhap-danh-sach/<int:import_id>/",
        imports.roster_import_status,
        name="roster_import_status",
    ),
    path(
        "chi-bo/<int:cell_id>/nhap-danh-sach/<int:import_id>/tien-do/",
        imports.roster_import_progress,
        name="roster_import_progress",
    ),
    path("chi-bo/<int:cell_id>/lich-su/", history.cell_history, name="cell_history"),
    path("dang-vien/<int:member_id>/", history.member_detail, name="member"),
    path("dang-vien/<int:member_id>/sua/", roster.member_edit, name="member_edit"),
    path("dang-vien/<int:member_id>/mien-sinh-hoat/", roster.member_exempt, name="member_exempt"),
    path(
        "dang-vien/<int:member_id>/mien-sinh-hoat/ket-thuc/",
        roster.member_exempt_end,
        name="member_exempt_end",
    ),
    path(
        "dang-vien/<int:member_id>/sinh-hoat-tam-thoi/",
        roster.member_temporary,
        name="member_temporary",
    ),
    path(
        "dang-vien/<int:member_id>/sinh-hoat-tam-thoi/ket-thuc/",
        roster.member_temporary_end,
        name="member_temporary_end",
    ),
    path(
        "dang-vien/<int:member_id>/chuyen-sinh-hoat/",
        roster.member_transfer,
        name="member_transfer",
    ),
]
