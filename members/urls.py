from django.contrib.auth import views as auth_views
from django.urls import path

from members.views import auth, pages

app_name = "members"

urlpatterns = [
    path("", pages.home, name="home"),
    path("dang-nhap/", auth.LoginView.as_view(), name="login"),
    path("dang-nhap/xac-thuc/", auth.second_factor, name="second_factor"),
    path("dang-nhap/dang-ky-ma/", auth.enrol, name="enrol"),
    path("dang-nhap/nhap-ma/", auth.verify, name="verify"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("tai-khoan/ma-du-phong/", auth.backup_codes, name="backup_codes"),
    path("chi-bo/<int:cell_id>/", pages.cell_detail, name="cell"),
    path("to-chuc/<int:organization_id>/", pages.organization_detail, name="organization"),
]
