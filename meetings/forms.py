"""Forms: they parse input and show errors; rules and writes are the services' job."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.agenda_templates import TEMPLATES
from meetings.enums import (
    AgendaItemKind,
    Classification,
    MeetingKind,
    MeetingMode,
    MeetingStatus,
    Reply,
)
from meetings.models import AgendaItem, Meeting
from meetings.recurrence import LAST, MonthlyRule
from meetings.services.agenda import AgendaItemDetails
from meetings.services.scheduling import MeetingDetails
from members.models import Member

# Text inputs, not the browser's pickers: those show the browser's own format (mm/dd/yyyy,
# 07:30 PM in an English browser), and the records are written dd/mm/yyyy and 24-hour.
DATE_WIDGET = forms.DateInput(
    format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "size": 10}
)
TIME_WIDGET = forms.TimeInput(
    format="%H:%M", attrs={"placeholder": "hh:mm", "inputmode": "numeric", "size": 5}
)
DATE_HELP = _("Ngày/tháng/năm, ví dụ 02/03/2027.")
TIME_HELP = _("Giờ:phút, 24 giờ, ví dụ 19:30.")
MEMBER_EMPTY_LABEL = _("— Chưa chọn —")


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return obj.full_name


class _PlaceFields(forms.Form):
    """Form, place and the superior committee's approval, shared by one meeting and a year."""

    mode = forms.ChoiceField(label=_("Hình thức"), choices=MeetingMode.choices)
    place = forms.CharField(
        label=_("Địa điểm"),
        max_length=200,
        required=False,
        help_text=_("Bắt buộc khi họp trực tiếp hoặc kết hợp."),
    )
    online_room = forms.CharField(
        label=_("Phòng họp trực tuyến"),
        max_length=300,
        required=False,
        help_text=_("Tên hoặc địa chỉ phòng họp, khi họp trực tuyến hoặc kết hợp."),
    )
    approval_number = forms.CharField(
        label=_("Số văn bản cho phép của cấp ủy cấp trên"),
        max_length=60,
        required=False,
        help_text=_(
            "Bắt buộc khi họp trực tuyến hoặc kết hợp (Hướng dẫn 03-HD/TW). Ví dụ: 125-CV/ĐU."
        ),
    )
    approval_date = forms.DateField(
        label=_("Ngày văn bản cho phép"), required=False, widget=DATE_WIDGET, help_text=DATE_HELP
    )
    planned_minutes = forms.IntegerField(
        label=_("Thời lượng dự kiến (phút)"), min_value=1, max_value=600, initial=90
    )


class MeetingForm(_PlaceFields):
    kind = forms.ChoiceField(label=_("Loại buổi sinh hoạt"), choices=MeetingKind.choices)
    title = forms.CharField(
        label=_("Chủ đề"),
        max_length=200,
        required=False,
        help_text=_("Để trống: tên theo loại và ngày họp."),
    )
    day = forms.DateField(label=_("Ngày họp"), widget=DATE_WIDGET, help_text=DATE_HELP)
    time = forms.TimeField(label=_("Giờ bắt đầu"), widget=TIME_WIDGET, help_text=TIME_HELP)
    chair = MemberChoiceField(
        label=_("Chủ trì"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=MEMBER_EMPTY_LABEL,
    )
    recorder = MemberChoiceField(
        label=_("Thư ký"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=MEMBER_EMPTY_LABEL,
        help_text=_("Có thể cử khi khai mạc."),
    )

    field_order = [
        "kind",
        "title",
        "day",
        "time",
        "planned_minutes",
        "mode",
        "place",
        "online_room",
        "approval_number",
        "approval_date",
        "chair",
        "recorder",
    ]

    def __init__(self, *args: Any, members: QuerySet[Member] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if members is not None:
            for name in ("chair", "recorder"):
                field = self.fields[name]
                assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 -- declared above
                field.queryset = members

    @staticmethod
    def initial_from(meeting: Meeting) -> dict[str, object]:
        local = timezone.localtime(meeting.starts_at)
        names = [
            "kind",
            "title",
            "planned_minutes",
            "mode",
            "place",
            "online_room",
            "approval_number",
            "approval_date",
            "chair",
            "recorder",
        ]
        initial = {name: getattr(meeting, name) for name in names}
        initial.update(day=local.date(), time=local.time().replace(second=0, microsecond=0))
        return initial

    def details(self) -> MeetingDetails:
        data = self.cleaned_data
        starts_at = datetime.datetime.combine(
            data["day"], data["time"], tzinfo=timezone.get_current_timezone()
        )
        return MeetingDetails(
            kind=data["kind"],
            mode=data["mode"],
            starts_at=starts_at,
            planned_minutes=data["planned_minutes"],
            title=data["title"],
            place=data["place"],
            online_room=data["online_room"],
            approval_number=data["approval_number"],
            approval_date=data["approval_date"],
            chair=data["chair"],
            recorder=data["recorder"],
        )


MEETING_FIELD_ALIASES = {"starts_at": "day"}

WEEKDAYS = [
    (0, _("Thứ Hai")),
    (1, _("Thứ Ba")),
    (2, _("Thứ Tư")),
    (3, _("Thứ Năm")),
    (4, _("Thứ Sáu")),
    (5, _("Thứ Bảy")),
    (6, _("Chủ nhật")),
]
ORDINALS = [
    (1, _("thứ nhất")),
    (2, _("thứ hai")),
    (3, _("thứ ba")),
    (4, _("thứ tư")),
    (LAST, _("cuối cùng")),
]


class YearGenerationForm(_PlaceFields):
    """ "The <weekday> of the <ordinal> week of each month, at <time>" for a whole year."""

    ordinal = forms.TypedChoiceField(
        label=_("Tuần trong tháng"), choices=ORDINALS, coerce=int, initial=1
    )
    weekday = forms.TypedChoiceField(
        label=_("Ngày trong tuần"), choices=WEEKDAYS, coerce=int, initial=1
    )
    time = forms.TimeField(
        label=_("Giờ bắt đầu"),
        widget=TIME_WIDGET,
        initial=datetime.time(19, 30),
        help_text=TIME_HELP,
    )
    schedule = forms.BooleanField(
        label=_("Lên lịch ngay để đảng viên thấy lịch"),
        required=False,
        help_text=_("Giấy mời được gửi tự động trước mỗi buổi sinh hoạt."),
    )

    field_order = [
        "ordinal",
        "weekday",
        "time",
        "planned_minutes",
        "mode",
        "place",
        "online_room",
        "approval_number",
        "approval_date",
        "schedule",
    ]

    def rule(self) -> MonthlyRule:
        data = self.cleaned_data
        return MonthlyRule(ordinal=data["ordinal"], weekday=data["weekday"], time=data["time"])

    def details(self) -> MeetingDetails:
        data = self.cleaned_data
        return MeetingDetails(
            kind=MeetingKind.REGULAR,
            mode=data["mode"],
            starts_at=timezone.now(),  # replaced by each month's day
            planned_minutes=data["planned_minutes"],
            place=data["place"],
            online_room=data["online_room"],
            approval_number=data["approval_number"],
            approval_date=data["approval_date"],
        )


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(choices=MeetingStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Lý do"), max_length=500, required=False)


class AgendaTemplateForm(forms.Form):
    template = forms.ChoiceField(
        label=_("Mẫu chương trình"),
        choices=[(key, label) for key, (label, _items) in TEMPLATES.items()],
    )
    replace = forms.BooleanField(label=_("Thay thế chương trình hiện có"), required=False)


class AgendaItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại nội dung"), choices=AgendaItemKind.choices)
    title = forms.CharField(label=_("Nội dung"), max_length=300)
    presenter = MemberChoiceField(
        label=_("Người trình bày"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=MEMBER_EMPTY_LABEL,
    )
    planned_minutes = forms.IntegerField(
        label=_("Thời gian dự kiến (phút)"), min_value=0, max_value=600, initial=10
    )
    draft_resolution = forms.CharField(
        label=_("Dự thảo nghị quyết, kết luận"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    personnel = forms.BooleanField(label=_("Nội dung về công tác cán bộ, nhân sự"), required=False)
    classification = forms.ChoiceField(
        label=_("Độ mật"), choices=Classification.choices, initial=Classification.UNCLASSIFIED
    )

    def __init__(self, *args: Any, members: QuerySet[Member] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if members is not None:
            presenter = self.fields["presenter"]
            assert isinstance(presenter, forms.ModelChoiceField)  # noqa: S101 -- declared above
            presenter.queryset = members

    @staticmethod
    def initial_from(item: AgendaItem) -> dict[str, object]:
        names = [
            "kind",
            "title",
            "presenter",
            "planned_minutes",
            "draft_resolution",
            "personnel",
            "classification",
        ]
        return {name: getattr(item, name) for name in names}

    def details(self) -> AgendaItemDetails:
        data = self.cleaned_data
        return AgendaItemDetails(
            kind=data["kind"],
            title=data["title"].strip(),
            planned_minutes=data["planned_minutes"],
            presenter=data["presenter"],
            draft_resolution=data["draft_resolution"].strip(),
            personnel=data["personnel"],
            classification=data["classification"],
        )


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp"),
        help_text=_("PDF, Word (DOCX), Excel (XLSX) hoặc ảnh (JPEG, PNG, WebP); tối đa %(size)s.")
        % {"size": filesizeformat(settings.MEETINGS_DOCUMENT_MAX_BYTES)},
    )
    title = forms.CharField(
        label=_("Tên tài liệu"),
        max_length=200,
        required=False,
        help_text=_("Để trống: dùng tên tệp."),
    )
    classification = forms.ChoiceField(
        label=_("Độ mật"),
        choices=Classification.choices,
        initial=Classification.UNCLASSIFIED,
        help_text=_("Tài liệu Mật, Tối mật, Tuyệt mật không được lưu trên hệ thống."),
    )
    agenda_item = forms.ModelChoiceField(
        label=_("Thuộc nội dung"),
        queryset=AgendaItem.objects.none(),  # the meeting's items, set in __init__
        required=False,
        empty_label=_("— Tài liệu chung —"),
    )

    def __init__(
        self, *args: Any, agenda: QuerySet[AgendaItem] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        agenda_item = self.fields["agenda_item"]
        assert isinstance(agenda_item, forms.ModelChoiceField)  # noqa: S101 -- declared above
        agenda_item.queryset = agenda if agenda is not None else AgendaItem.objects.none()


class ReplyForm(forms.Form):
    reply = forms.ChoiceField(
        label=_("Trả lời"),
        choices=[(Reply.ATTEND, Reply.ATTEND.label), (Reply.ABSENT, Reply.ABSENT.label)],
        widget=forms.RadioSelect,
    )
    absence_reason = forms.CharField(
        label=_("Lý do vắng mặt"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bắt buộc khi xin vắng mặt; bí thư chi bộ xét và trả lời."),
    )


class AbsenceDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Chấp thuận")), ("reject", _("Không chấp thuận"))],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=300, required=False)


class RatificationForm(forms.Form):
    """The superior committee's decision ratifying an election (chuẩn y)."""

    decision_number = forms.CharField(
        label=_("Số quyết định chuẩn y"),
        max_length=100,
        help_text=_("Ví dụ 125-QĐ/ĐU."),
        error_messages={"required": _("Hãy ghi số quyết định chuẩn y.")},
    )
    decided_on = forms.DateField(
        label=_("Ngày quyết định"),
        widget=DATE_WIDGET,
        help_text=DATE_HELP,
        error_messages={
            "required": _("Hãy ghi ngày quyết định."),
            "invalid": _("Ngày không hợp lệ; hãy ghi theo ngày/tháng/năm."),
        },
    )
