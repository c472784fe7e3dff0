import datetime

import pytest
from django.utils import translation

from meetings import queries
from meetings.errors import RuleViolation
from meetings.models import AgendaItem
from meetings.services import agenda as agenda_services
from meetings.services.agenda import AgendaItemDetails
from tests.meetings.helpers import draft_meeting, soon

pytestmark = pytest.mark.integration

ONLINE = {
    "mode": "online",
    "place": "",
    "approval_number": "125-CV/ĐU",
    "approval_date": datetime.date(2027, 1, 5),
}


def titles(meeting):
    return [(item.position, item.title) for item in queries.agenda_for(meeting)]


def test_regular_template_follows_the_standard_order(cell_scene):
    meeting = draft_meeting(cell_scene)

    agenda_services.apply_agenda_template(
        actor=cell_scene.secretary.user, meeting=meeting, template="regular"
    )

    assert [title for _, title in titles(meeting)] == [
        "Khai mạc: nêu lý do, giới thiệu đại biểu, cử thư ký, báo cáo tình hình đảng viên dự "
        "họp, thông qua chương trình",
        "Thông tin thời sự, quán triệt chỉ thị, nghị quyết của cấp trên",
        "Đánh giá kết quả thực hiện nhiệm vụ tháng trước",
        "Phương hướng, nhiệm vụ tháng tới",
        "Đảng viên thảo luận",
        "Các nội dung khác",
        "Đồng chí chủ trì kết luận",
        "Biểu quyết thông qua kết luận, nghị quyết",
        "Tự đánh giá chất lượng buổi sinh hoạt",
        "Thông qua biên bản, bế mạc",
    ]
    assert sum(item.planned_minutes for item in queries.agenda_for(meeting)) >= 90


def test_thematic_template_has_the_thematic_report(cell_scene):
    meeting = draft_meeting(cell_scene, kind="thematic")

    agenda_services.apply_agenda_template(
        actor=cell_scene.secretary.user, meeting=meeting, template="thematic"
    )

    assert [item.kind for item in queries.agenda_for(meeting)] == [
        "other", "thematic_report", "discussion", "conclusion", "resolution", "closing",
    ]  # fmt: skip


def test_applying_a_template_with_replace_starts_over(cell_scene):
    meeting = draft_meeting(cell_scene)
    agenda_services.apply_agenda_template(
        actor=cell_scene.secretary.user, meeting=meeting, template="thematic"
    )

    agenda_services.apply_agenda_template(
        actor=cell_scene.secretary.user, meeting=meeting, template="regular", replace=True
    )

    assert AgendaItem.objects.filter(meeting=meeting).count() == 10


@pytest.mark.parametrize(
    ("item", "field", "explanation"),
    [
        (
            AgendaItemDetails(kind="discipline", title="Xem xét kỷ luật đồng chí A"),
            "kind",
            "Nội dung kỷ luật không được xử lý trong buổi sinh hoạt trực tuyến hoặc kết hợp "
            "(Hướng dẫn 03-HD/TW về sinh hoạt đảng trực tuyến; chính sách của cấp ủy).",
        ),
        (
            AgendaItemDetails(kind="election", title="Bầu bí thư"),
            "kind",
            "Nội dung bầu cử không được xử lý trong buổi sinh hoạt trực tuyến hoặc kết hợp "
            "(Hướng dẫn 03-HD/TW về sinh hoạt đảng trực tuyến; chính sách của cấp ủy).",
        ),
        (
            AgendaItemDetails(kind="other", title="Giới thiệu nhân sự", personnel=True),
            "personnel",
            "Nội dung về nhân sự không được xử lý trong buổi sinh hoạt trực tuyến hoặc kết hợp "
            "(Hướng dẫn 03-HD/TW về sinh hoạt đảng trực tuyến; chính sách của cấp ủy).",
        ),
    ],
    ids=["discipline", "election", "personnel"],
)
def test_online_meeting_refuses_items_the_charter_keeps_offline(
    cell_scene, item, field, explanation
):
    meeting = draft_meeting(cell_scene, **ONLINE)

    with pytest.raises(RuleViolation) as refusal:
        agenda_services.add_agenda_item(
            actor=cell_scene.secretary.user, meeting=meeting, details=item
        )

    assert (refusal.value.field, refusal.value.message) == (field, explanation)
    assert AgendaItem.objects.filter(meeting=meeting).count() == 0


def test_in_person_meeting_may_handle_discipline(cell_scene):
    meeting = draft_meeting(cell_scene)

    item = agenda_services.add_agenda_item(
        actor=cell_scene.secretary.user,
        meeting=meeting,
        details=AgendaItemDetails(kind="discipline", title="Xem xét kỷ luật đồng chí A"),
    )

    assert item.position == 1


def test_cell_whose_committee_lifted_the_online_block_may_hold_an_election_online(cell_scene):
    cell_scene.grassroots.block_sensitive_items_online = False
    cell_scene.grassroots.save()
    meeting = draft_meeting(cell_scene, **ONLINE)

    item = agenda_services.add_agenda_item(
        actor=cell_scene.secretary.user,
        meeting=meeting,
        details=AgendaItemDetails(kind="election", title="Bầu phó bí thư"),
    )

    assert item.kind == "election"


@pytest.mark.parametrize("classification", ["mat", "toi_mat", "tuyet_mat"])
def test_secret_items_are_never_stored(cell_scene, classification):
    meeting = draft_meeting(cell_scene)

    with pytest.raises(RuleViolation) as refusal:
        agenda_services.add_agenda_item(
            actor=cell_scene.secretary.user,
            meeting=meeting,
            details=AgendaItemDetails(kind="news", title="Văn bản", classification=classification),
        )

    assert refusal.value.field == "classification"
    assert refusal.value.message == (
        "Nội dung thuộc bí mật nhà nước (Mật, Tối mật, Tuyệt mật) không được lưu trên hệ thống "
        "(Luật Bảo vệ bí mật nhà nước, Điều 5)."
    )


def test_presenter_must_belong_to_the_cell(cell_scene):
    meeting = draft_meeting(cell_scene)

    with pytest.raises(RuleViolation) as refusal:
        agenda_services.add_agenda_item(
            actor=cell_scene.secretary.user,
            meeting=meeting,
            details=AgendaItemDetails(kind="news", title="Thời sự", presenter=cell_scene.outsider),
        )

    assert refusal.value.field == "presenter"


def test_items_move_and_removal_renumbers(cell_scene):
    meeting = draft_meeting(cell_scene)
    actor = cell_scene.secretary.user
    first, second, third = (
        agenda_services.add_agenda_item(
            actor=actor, meeting=meeting, details=AgendaItemDetails(kind="other", title=title)
        )
        for title in ("Một", "Hai", "Ba")
    )

    agenda_services.move_agenda_item(actor=actor, item=third, offset=-1)
    agenda_services.move_agenda_item(actor=actor, item=first, offset=-1)  # already first
    agenda_services.remove_agenda_item(actor=actor, item=second)

    assert titles(meeting) == [(1, "Một"), (2, "Ba")]


def test_the_agenda_is_frozen_once_the_meeting_has_started(cell_scene):
    from meetings.services import scheduling

    meeting = draft_meeting(cell_scene, starts_at=soon())
    for status in ("scheduled", "in_progress"):
        scheduling.change_status(actor=cell_scene.secretary.user, meeting=meeting, to_status=status)

    with pytest.raises(RuleViolation, match="trước khi buổi sinh hoạt bắt đầu"):
        agenda_services.add_agenda_item(
            actor=cell_scene.secretary.user,
            meeting=meeting,
            details=AgendaItemDetails(kind="other", title="Muộn"),
        )


def test_an_unknown_template_is_refused(cell_scene):
    meeting = draft_meeting(cell_scene)

    with pytest.raises(RuleViolation) as refusal:
        agenda_services.apply_agenda_template(
            actor=cell_scene.secretary.user, meeting=meeting, template="congress"
        )

    assert refusal.value.field == "template"


def test_a_template_applied_from_the_english_interface_writes_the_agenda_in_vietnamese(
    cell_scene,
):
    # The agenda is the meeting's record, printed in the minutes: applied by a secretary reading
    # English, it was stored in English ("Opening: …") and so printed in the signed minutes.
    meeting = draft_meeting(cell_scene)

    with translation.override("en"):
        agenda_services.apply_agenda_template(
            actor=cell_scene.secretary.user, meeting=meeting, template="thematic"
        )

    titles = list(meeting.agenda_items.order_by("position").values_list("title", flat=True))
    assert titles[1:3] == ["Báo cáo chuyên đề", "Đảng viên thảo luận chuyên đề"]
    assert meeting.changes.get(action="agenda_changed").details == {
        "operation": "template",
        "item": "Chương trình sinh hoạt chuyên đề",
    }
