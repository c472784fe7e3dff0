"""Sign-in: password, then a one-time code (enrolled on first sign-in), then backup codes."""

import base64
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from members import otp
from members.forms.auth import EnrolmentCodeForm, LoginForm, OneTimeCodeForm, ReplaceDeviceForm
from members.models import User
from members.requests import VerifiedRequest

LOCKED_MESSAGE = gettext_lazy(
    "Tài khoản tạm khóa 15 phút vì nhập sai nhiều lần. Hãy thử lại sau hoặc liên hệ bí thư chi bộ."
)


class LoginView(auth_views.LoginView):
    template_name = "members/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = False

    def get_success_url(self) -> str:
        # The password is only the first step; the next page asks for the code.
        return (
            f"{reverse('members:second_factor')}?{urlencode({'next': super().get_success_url()})}"
        )


def _signed_in(request: HttpRequest) -> User:
    """The user of a second-factor view: signed in with a password, second factor not yet given.

    @login_required has sent anonymous visitors to the sign-in page before the view runs."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _next_url(request: HttpRequest) -> str:
    url = request.GET.get("next") or request.POST.get("next") or ""
    return url if url.startswith("/") and not url.startswith("//") else "/"


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    if user.is_verified():
        return redirect(_next_url(request))
    target = "members:verify" if otp.has_confirmed_totp(user) else "members:enrol"
    return redirect(f"{reverse(target)}?{urlencode({'next': _next_url(request)})}")


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    if otp.has_confirmed_totp(user):
        return redirect("members:verify")
    device = otp.pending_totp_device(user)
    form = EnrolmentCodeForm(request.POST or None)
    if otp.is_locked(request, user):
        form = EnrolmentCodeForm()
        messages.error(request, LOCKED_MESSAGE)
    elif request.method == "POST" and form.is_valid():
        codes = otp.confirm_enrolment(request, user, form.cleaned_data["code"])
        if codes is not None:
            return render(
                request,
                "members/backup_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
        form.add_error("code", _("Mã không đúng. Hãy nhập mã đang hiện trên ứng dụng xác thực."))
    return _enrol_page(request, form, device, _next_url(request))


def _enrol_page(
    request: HttpRequest,
    form: forms.Form,
    device: TOTPDevice,
    next_url: str,
    *,
    replacing: bool = False,
) -> HttpResponse:
    """The page that sets up an authenticator app: the first one, or a new phone's."""
    return render(
        request,
        "members/enrol.html",
        {
            "form": form,
            "qr_svg": otp.qr_code_svg(device),
            "secret": _base32(device.bin_key),
            "next": next_url,
            "replacing": replacing,
        },
    )


def _base32(key: bytes) -> str:
    """The secret as an authenticator app accepts it when typed in, in groups of four."""
    text = base64.b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    if not otp.has_confirmed_totp(user):
        return redirect("members:enrol")
    form = OneTimeCodeForm(request.POST or None)
    if otp.is_locked(request, user):
        form = OneTimeCodeForm()
        messages.error(request, LOCKED_MESSAGE)
    elif request.method == "POST" and form.is_valid():
        if otp.verify_second_factor(request, user, form.cleaned_data["code"]):
            return redirect(_next_url(request))
        form.add_error("code", _("Mã không đúng hoặc đã dùng. Hãy thử lại."))
    return render(request, "members/verify.html", {"form": form, "next": _next_url(request)})


@require_http_methods(["GET", "POST"])
def replace_device(request: VerifiedRequest) -> HttpResponse:
    """A new phone (the old one changed or lost): the same steps as the first enrolment, and
    the member's password."""
    user = request.user
    device = otp.pending_totp_device(user)
    form = ReplaceDeviceForm(request.POST or None, user=user)
    if otp.is_locked(request, user):
        form = ReplaceDeviceForm(user=user)
        messages.error(request, LOCKED_MESSAGE)
    elif request.method == "POST" and form.has_error("password", "wrong_password"):
        otp.record_failure(request, user)  # counted with wrong passwords and codes (lock-out)
    elif request.method == "POST" and form.is_valid():
        if otp.replace_totp_device(request, user, form.cleaned_data["code"]):
            messages.success(request, _("Đã chuyển mã xác thực sang điện thoại mới."))
            return redirect("members:home")
        form.add_error("code", _("Mã không đúng. Hãy nhập mã đang hiện trên ứng dụng xác thực."))
    return _enrol_page(request, form, device, "/", replacing=True)


class PasswordChangeView(auth_views.PasswordChangeView):
    """The member's own password (a verified session: the middleware asks for the second factor
    first). Django's view keeps this session signed in and ends the member's other sessions."""

    template_name = "members/password_change.html"
    success_url = reverse_lazy("members:home")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return response


@require_http_methods(["GET", "POST"])
def backup_codes(request: VerifiedRequest) -> HttpResponse:
    if request.method == "POST":
        codes = otp.regenerate_backup_codes(request.user)
        return render(
            request, "members/backup_codes.html", {"codes": codes, "next": "/", "first_time": False}
        )
    return render(
        request,
        "members/backup_codes_status.html",
        {"remaining": otp.remaining_backup_codes(request.user)},
    )
