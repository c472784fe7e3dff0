"""Forms: they parse input and show errors; rules and writes are the services' job."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.models import AgendaItem
from minutes import document as doc
from minutes.drafting import Edits
from minutes.models import DocumentKind

QUALITY_GRADES = [
    ("", _("— Chưa đánh giá —")),
    ("Tốt", _("Tốt")),
    ("Khá", _("Khá")),
    ("Trung bình", _("Trung bình")),
    ("Kém", _("Kém")),
]
TEXTAREA = {"rows": 4, "cols": 60}
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _parse_assignments(text: str) -> tuple[doc.Assignment, ...]:
    """One assignment per line: "Người thực hiện | Việc | dd/mm/yyyy" (the date may be left
    out for a standing task)."""
    assignments = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            raise forms.ValidationError(
                _("Dòng %(n)s: ghi “Người thực hiện | Việc | ngày/tháng/năm”.") % {"n": number}
            )
        deadline = None
        if len(parts) == 3 and parts[2]:
            try:
                day, month, year = (int(n) for n in parts[2].split("/"))
                deadline = datetime.date(year, month, day)
            except ValueError as error:
                raise forms.ValidationError(
                    _("Dòng %(n)s: thời hạn “%(value)s” không đúng dạng ngày/tháng/năm.")
                    % {"n": number, "value": parts[2]}
                ) from error
        assignments.append(doc.Assignment(parts[0], parts[1], deadline))
    return tuple(assignments)


def _format_assignments(assignments: tuple[doc.Assignment, ...]) -> str:
    return "\n".join(
        " | ".join(
            [a.assignee, a.task, a.deadline.strftime("%d/%m/%Y") if a.deadline else ""]
        ).rstrip(" |")
        for a in assignments
    )


class EditsForm(forms.Form):
    """What the recorder writes; the roll, the speeches' order and the votes come from the
    record and are not edited here."""

    # The version the form was loaded from; without it (an old tab) nothing is compared.
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    number = forms.CharField(
        label=_("Số biên bản"),
        max_length=30,
        required=False,
        help_text=_("Ví dụ: 05-BB/CB. Để trống nếu biên bản ghi trong sổ không đánh số."),
    )
    content_summary = forms.CharField(
        label=_("Tóm tắt nội dung sinh hoạt"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Để trống: ghi tên các nội dung của chương trình."),
    )
    conclusion = forms.CharField(
        label=_("Kết luận của đồng chí chủ trì"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 6}),
        help_text=_("Mỗi đoạn một dòng."),
    )
    assignments = forms.CharField(
        label=_("Phân công nhiệm vụ"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_(
            "Mỗi việc một dòng: Người thực hiện | Việc | thời hạn (ngày/tháng/năm; để trống "
            "nếu làm thường xuyên)."
        ),
    )
    quality_grade = forms.ChoiceField(
        label=_("Chi bộ tự đánh giá chất lượng buổi sinh hoạt"),
        choices=QUALITY_GRADES,
        required=False,
    )
    quality_score = forms.IntegerField(
        label=_("Tổng điểm"), min_value=0, max_value=100, required=False
    )
    quality_notes = forms.CharField(
        label=_("Nhận xét về chất lượng"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
    )

    def __init__(self, *args: Any, items: list[AgendaItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"item_{item.pk}"] = forms.CharField(
                label=_("%(n)s. %(title)s — tóm tắt") % {"n": item.position, "title": item.title},
                max_length=20000,
                required=False,
                widget=forms.Textarea(attrs=TEXTAREA),
                help_text=_(
                    "Nội dung trình bày, mỗi đoạn một dòng. Ý kiến phát biểu lấy từ ghi "
                    "chép trong phòng họp."
                ),
            )

    @classmethod
    def initial_from(cls, edits: Edits, version: int) -> dict[str, Any]:
        return {
            "based_on_version": version,
            "number": edits.number,
            "content_summary": edits.content_summary,
            "conclusion": edits.conclusion,
            "assignments": _format_assignments(edits.assignments),
            "quality_grade": edits.quality_grade,
            "quality_score": edits.quality_score,
            "quality_notes": edits.quality_notes,
            **{f"item_{pk}": text for pk, text in edits.item_summaries.items()},
        }

    def clean_assignments(self) -> tuple[doc.Assignment, ...]:
        return _parse_assignments(self.cleaned_data["assignments"])

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        # A score with no grade would be signed as "Tổng điểm: 85; xếp loại: chưa đánh giá".
        if data.get("quality_score") is not None and not data.get("quality_grade"):
            self.add_error("quality_grade", _("Hãy chọn xếp loại cho tổng điểm đã ghi."))
        return data

    def item_fields(self) -> list[forms.BoundField]:
        return [self[f"item_{item.pk}"] for item in self.items]

    def edits(self) -> Edits:
        data = self.cleaned_data
        return Edits(
            number=data["number"].strip(),
            content_summary=data["content_summary"].strip(),
            item_summaries={
                item.pk: data[f"item_{item.pk}"].strip()
                for item in self.items
                if data[f"item_{item.pk}"].strip()
            },
            conclusion=data["conclusion"].strip(),
            assignments=data["assignments"],
            quality_grade=data["quality_grade"],
            quality_score=data["quality_score"],
            quality_notes=data["quality_notes"].strip(),
        )


class SignForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "size": 8}
        ),
        help_text=_("Mã 6 chữ số mới nhất trong ứng dụng xác thực của đồng chí."),
    )


class AgendaItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AgendaItem) -> str:
        return f"{obj.position}. {obj.title}"


class IssueForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Văn bản"),
        choices=[
            (DocumentKind.EXTRACT, _("Trích biên bản một nội dung")),
            (DocumentKind.RESOLUTION, _("Nghị quyết của chi bộ")),
            (DocumentKind.ADDENDUM, _("Biên bản đính chính")),
        ],
    )
    item = AgendaItemChoiceField(
        label=_("Nội dung được trích"),
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label=_("— Chọn nội dung —"),
    )
    number = forms.CharField(label=_("Số nghị quyết"), max_length=30, required=False)
    resolutions = forms.CharField(
        label=_("Các điểm quyết nghị"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Mỗi điểm một dòng."),
    )
    text = forms.CharField(
        label=_("Nội dung đính chính"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        item_field = self.fields["item"]
        assert isinstance(item_field, forms.ModelChoiceField)  # noqa: S101 -- declared above
        item_field.queryset = items

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == DocumentKind.EXTRACT and not data.get("item"):
            self.add_error("item", _("Chọn nội dung được trích."))
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã tra cứu in dưới mã QR"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 14}),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split()).upper()
        if not code.isalnum() or not code.isascii():
            raise forms.ValidationError(
                _("Mã tra cứu chỉ gồm chữ cái và chữ số, như in dưới mã QR.")
            )
        return code


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp PDF cần kiểm tra"),
        help_text=_("Tệp PDF đã ký số, tối đa 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Tệp lớn hơn 20 MB."))
        data = upload.read()
        if not data.startswith(b"%PDF-"):
            raise forms.ValidationError(_("Tệp này không phải là tệp PDF."))
        return bytes(data)
