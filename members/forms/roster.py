"""Forms of the roster pages. They read and type the input; the rules are the services'."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.enums import Level, Standing
from members.models import PATH_STEP, Member, Organization
from members.services.records import RECORD_FIELDS, MemberRecord

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DATE_HELP = _("Ghi theo dạng ngày/tháng/năm, ví dụ 19/05/2010.")


def date_field(
    label: StrOrPromise, *, required: bool = True, help_text: StrOrPromise = DATE_HELP
) -> forms.DateField:
    """A date typed as dd/mm/yyyy (the locale's DATE_INPUT_FORMATS also accept yyyy-mm-dd)."""
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={"inputmode": "numeric", "autocomplete": "off", "class": "date"},
        ),
        error_messages={
            "required": _("Hãy nhập ngày."),
            "invalid": _("Ngày không đúng dạng ngày/tháng/năm, ví dụ 19/05/2010."),
        },
    )


def text_field(
    label: StrOrPromise, max_length: int, *, required: bool = True, **kwargs: Any
) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={
            "required": _("Không được để trống."),
            "max_length": _("Dài nhất %(limit_value)d ký tự (đang có %(show_value)d)."),
        },
        **kwargs,
    )


class MemberForm(forms.Form):
    full_name = text_field(
        _("Họ và tên"), 120, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    date_of_birth = date_field(_("Ngày sinh"), required=False)
    party_card_number = text_field(
        _("Số thẻ đảng viên"),
        20,
        required=False,
        help_text=_("Đảng viên dự bị chưa có thẻ đảng: để trống."),
    )
    admission_date = date_field(_("Ngày vào Đảng"))
    recognition_date = date_field(
        _("Ngày chính thức"),
        required=False,
        help_text=_("Ngày/tháng/năm. Đảng viên dự bị: để trống."),
    )
    standing = forms.ChoiceField(
        label=_("Loại đảng viên"),
        choices=[("", _("— Chọn —")), *Standing.choices],
        error_messages={
            "required": _("Hãy chọn loại đảng viên."),
            "invalid_choice": _("Hãy chọn chính thức hoặc dự bị."),
        },
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        max_length=254,
        error_messages={
            "invalid": _("Địa chỉ thư điện tử không hợp lệ."),
            "max_length": _("Dài nhất %(limit_value)d ký tự (đang có %(show_value)d)."),
        },
    )
    phone = text_field(
        _("Điện thoại"), 20, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )

    @classmethod
    def for_member(cls, member: Member, data: Any = None) -> MemberForm:
        return cls(data, initial={field: getattr(member, field) for field in RECORD_FIELDS})

    def record(self) -> MemberRecord:
        return MemberRecord(**{field: self.cleaned_data[field] for field in RECORD_FIELDS})


def _check_order(form: forms.Form, start: str, end: str) -> None:
    first, last = form.cleaned_data.get(start), form.cleaned_data.get(end)
    if first and last and last < first:
        form.add_error(end, _("Ngày kết thúc không được trước ngày bắt đầu."))


class ExemptionForm(forms.Form):
    exempt_from = date_field(_("Miễn sinh hoạt từ ngày"))
    exempt_until = date_field(
        _("Đến ngày"), required=False, help_text=_("Ngày/tháng/năm. Để trống nếu chưa định.")
    )
    reason = text_field(
        _("Lý do"),
        300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ví dụ: tuổi cao, sức khỏe yếu (theo đơn đề nghị của đồng chí)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"exempt_from": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        _check_order(self, "exempt_from", "exempt_until")
        return self.cleaned_data


class LastDayForm(forms.Form):
    last_day = date_field(_("Ngày cuối"))

    def __init__(self, *args: Any, label: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"last_day": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["last_day"].label = label


class CellChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name} ({obj.parent.name})" if obj.parent else obj.name


def destination_cells(member: Member) -> QuerySet[Organization]:
    """The other cells of the member's party tree: where a secretary may send them."""
    root_path = member.home_cell.path[:PATH_STEP]
    return (
        Organization.objects.filter(level=Level.CELL, path__startswith=root_path)
        .exclude(pk=member.home_cell_id)
        .select_related("parent")
    )


def cell_field(label: StrOrPromise) -> CellChoiceField:
    return CellChoiceField(
        label=label,
        queryset=Organization.objects.none(),
        empty_label=_("— Chọn chi bộ —"),
        error_messages={
            "required": _("Hãy chọn chi bộ."),
            "invalid_choice": _("Hãy chọn một chi bộ trong danh sách."),
        },
    )


class TemporaryForm(forms.Form):
    cell = cell_field(_("Chi bộ nơi sinh hoạt tạm thời"))
    temporary_from = date_field(_("Từ ngày"))
    temporary_until = date_field(
        _("Đến ngày"),
        help_text=_("Ngày/tháng/năm. Thường từ 3 tháng đến dưới 1 năm; đi học đến 2 năm."),
    )

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"temporary_from": timezone.localdate()})
        super().__init__(*args, **kwargs)
        cell = self.fields["cell"]
        assert isinstance(cell, forms.ModelChoiceField)  # noqa: S101 -- declared above
        cell.queryset = destination_cells(member)

    def clean(self) -> dict[str, Any]:
        _check_order(self, "temporary_from", "temporary_until")
        return self.cleaned_data


class TransferForm(forms.Form):
    destination = cell_field(_("Chuyển đến chi bộ"))
    transferred_on = date_field(_("Ngày chuyển"))
    decision_reference = text_field(
        _("Quyết định, giấy giới thiệu"),
        200,
        help_text=_("Số, ký hiệu và ngày ký, ví dụ: Giấy giới thiệu số 12-GGT/ĐU ngày 01/03/2026."),
    )

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"transferred_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        destination = self.fields["destination"]
        assert isinstance(destination, forms.ModelChoiceField)  # noqa: S101 -- declared above
        destination.queryset = destination_cells(member)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp danh sách (CSV hoặc Excel .xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
        error_messages={
            "required": _("Hãy chọn tệp danh sách."),
            "empty": _("Tệp trống."),
            "invalid": _("Không nhận được tệp; hãy chọn lại."),
            "missing": _("Không nhận được tệp; hãy chọn lại."),
        },
    )
