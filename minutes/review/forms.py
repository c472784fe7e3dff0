from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from minutes.models import DocumentKind, DocumentStatus, ReviewKind
from minutes.review import search
from minutes.review.archive import LISTED_STATUSES, ArchiveFilter
from minutes.review.services import MAX_TEXT

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class LongSelect(forms.Select):
    """A select of a thousand cells rendered in one pass (the template per option of Django's
    Select costs a tenth of a second at that size)."""

    def render(
        self, name: str, value: object, attrs: dict | None = None, renderer: object = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = "" if value is None else str(value)
        # What format_html_join would write, a few times faster: one escape per value and a
        # join (the keys and labels are plain text: ids, names, a lazy translation).
        options = "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) == chosen else ""}>'
            f"{escape(str(label))}</option>"
            for key, label in self.choices
        )
        return format_html("<select{}>{}</select>", flatatt(final), mark_safe(options))  # noqa: S308


class ArchiveForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm trong nội dung"),
        required=False,
        max_length=search.MAX_QUERY_LENGTH,
        error_messages={
            "max_length": _("Nội dung tìm kiếm dài quá: tối đa %(limit_value)d ký tự.")
        },
        help_text=_(
            "Gõ có dấu để tìm đúng chữ đã gõ (“Hương” không ra “hướng”), không dấu để tìm mọi "
            'cách viết; cụm từ đặt trong ngoặc kép, ví dụ: "chuyển đổi số".'
        ),
    )
    cell = forms.TypedChoiceField(
        label=_("Chi bộ"),
        required=False,
        widget=LongSelect,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Chi bộ này không thuộc phạm vi xem xét.")},
    )
    since = forms.DateField(
        label=_("Họp từ ngày"),
        required=False,
        input_formats=DATE_FORMATS,
        help_text=_("dd/mm/yyyy"),
    )
    until = forms.DateField(
        label=_("đến ngày"), required=False, input_formats=DATE_FORMATS, help_text=_("dd/mm/yyyy")
    )
    kind = forms.ChoiceField(
        label=_("Loại văn bản"),
        required=False,
        choices=[("", _("Tất cả")), *list(DocumentKind.choices)],
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả"))] + [(s, DocumentStatus(s).label) for s in LISTED_STATUSES],
    )

    def __init__(self, *args: Any, cells: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cell = self.fields["cell"]
        assert isinstance(cell, forms.ChoiceField)  # noqa: S101 -- declared above
        cell.choices = [("", _("Tất cả")), *cells]

    def clean_q(self) -> str:
        query = self.cleaned_data.get("q") or ""
        if not query.strip():
            return ""
        try:
            return search.check(query)
        except search.QueryError as error:
            raise forms.ValidationError(str(error), code="query") from error

    def clean(self) -> dict[str, object]:
        super().clean()
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data

    def archive_filter(self) -> ArchiveFilter:
        data = self.cleaned_data
        return ArchiveFilter(
            cell_id=data.get("cell"),
            since=data.get("since"),
            until=data.get("until"),
            kind=data.get("kind") or "",
            status=data.get("status") or "",
            query=data.get("q") or "",
        )


class ReviewForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Loại"),
        choices=ReviewKind.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Hãy chọn ý kiến hoặc ghi nhận đã xem.")},
        initial=ReviewKind.COMMENT,
    )
    text = forms.CharField(
        label=_("Nội dung"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Bắt buộc với ý kiến; có thể để trống khi chỉ ghi nhận đã xem."),
    )
