from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.utils.translation import gettext_lazy as _

from members import zones
from members.failed_logins import USERNAME_MAX_LENGTH


class LoginForm(AuthenticationForm):
    # AuthenticationForm sets max_length after the field is made, which adds no validator: a
    # longer name went on to authenticate() and django-axes. Refused here, before either.
    username = UsernameField(
        max_length=USERNAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autofocus": True}),
        error_messages={
            "max_length": _("Dài nhất %(limit_value)d ký tự (đang có %(show_value)d)."),
        },
    )
    error_messages = {
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng."),
        "inactive": _("Tài khoản này đã bị khóa."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["password"].label = _("Mật khẩu")
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})


class OneTimeCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực"),
        max_length=12,
        help_text=_("6 chữ số trên ứng dụng xác thực, hoặc một mã dự phòng 8 chữ số."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={
            "required": _("Hãy nhập mã xác thực."),
            "max_length": _("Mã xác thực dài nhất 12 ký tự."),
        },
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError(_("Mã xác thực chỉ gồm chữ số."))
        return code


class EnrolmentCodeForm(OneTimeCodeForm):
    """The first code, from the app just set up: the account has no backup codes yet."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _("6 chữ số mà ứng dụng xác thực vừa tạo.")


class ReplaceDeviceForm(EnrolmentCodeForm):
    """The new phone's first code, and the member's password: a verified session alone (a
    computer left signed in) must not make another phone the member's second factor."""

    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Hãy nhập mật khẩu.")},
    )
    field_order = ["password", "code"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["code"].widget.attrs.pop("autofocus", None)
        self.fields["password"].widget.attrs["autofocus"] = True

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Mật khẩu không đúng."), code="wrong_password")
        return password


class OwnTimeZoneForm(forms.Form):
    """The member's own zone: the cell's zone stays the meeting's; this one is shown beside it."""

    time_zone = forms.ChoiceField(
        label=_("Múi giờ nơi đồng chí đang ở"),
        required=False,
        help_text=_(
            "Giờ họp luôn theo múi giờ của chi bộ; nếu chọn múi giờ khác, giờ theo múi giờ "
            "của đồng chí được ghi thêm bên cạnh."
        ),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["time_zone"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 -- declared above
        field.choices = [("", _("Như chi bộ của tôi")), *zones.zone_choices()]
