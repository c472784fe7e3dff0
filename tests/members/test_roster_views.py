import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from members.enums import RosterChangeKind
from members.models import Member, RosterChange, RosterImport
from members.services import exemptions, records, transfers
from tests.conftest import sign_in_verified

pytestmark = pytest.mark.integration

D = datetime.date
TODAY = D(2026, 3, 15)
NEW_MEMBER = {
    "full_name": "Phạm Thị Lan",
    "date_of_birth": "02/04/1990",
    "party_card_number": "77001122",
    "admission_date": "01/06/2015",
    "recognition_date": "01/06/2016",
    "standing": "official",
    "email": "",
    "phone": "",
}
CSV_HEADER = "Họ và tên;Ngày vào Đảng;Ngày chính thức;Loại đảng viên\r\n"


@pytest.fixture(autouse=True)
def today():
    moment = datetime.datetime(2026, 3, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def secretary(client, tree):
    return sign_in_verified(client, tree.secretary.user)


def snapshot():
    """Everything a roster page may write."""
    return (
        sorted(Member.objects.values_list()),
        RosterChange.objects.count(),
    )


def page_text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- The cell page's buttons ------------------------------------------------------------------


def test_the_cell_page_offers_the_secretary_the_roster_actions(secretary, tree):
    page = page_text(secretary.get(reverse("members:cell", args=[tree.cell.pk])))

    for url in (
        reverse("members:member_add", args=[tree.cell.pk]),
        reverse("members:roster_import", args=[tree.cell.pk]),
        reverse("members:cell_history", args=[tree.cell.pk]),
        reverse("members:member_exempt", args=[tree.member.pk]),
        reverse("members:member_transfer", args=[tree.member.pk]),
    ):
        assert f'href="{url}"' in page


def test_the_cell_page_offers_a_plain_member_no_roster_actions(client, tree):
    sign_in_verified(client, tree.member.user)

    page = page_text(client.get(reverse("members:cell", args=[tree.cell.pk])))

    assert reverse("members:member_add", args=[tree.cell.pk]) not in page
    assert reverse("members:member_edit", args=[tree.member.pk]) not in page


# --- Adding -----------------------------------------------------------------------------------


def test_add_member_form_is_vietnamese_with_day_first_dates(secretary, tree):
    response = secretary.get(reverse("members:member_add", args=[tree.cell.pk]))

    page = page_text(response)
    assert response.status_code == 200
    assert '<label for="id_full_name">Họ và tên <span aria-hidden="true">*</span></label>' in page
    assert "Ghi theo dạng ngày/tháng/năm, ví dụ 19/05/2010." in page


def test_add_member_adds_and_returns_to_the_cell_with_a_message(secretary, tree):
    response = secretary.post(
        reverse("members:member_add", args=[tree.cell.pk]), NEW_MEMBER, follow=True
    )

    member = Member.objects.get(full_name="Phạm Thị Lan")
    assert response.redirect_chain == [(reverse("members:cell", args=[tree.cell.pk]), 302)]
    assert messages_of(response) == ["Đã thêm đồng chí Phạm Thị Lan vào danh sách chi bộ."]
    assert (member.home_cell, member.admission_date, member.recognition_date, member.user) == (
        tree.cell,
        D(2015, 6, 1),
        D(2016, 6, 1),
        None,
    )
    assert list(RosterChange.objects.values_list("member", "kind")) == [
        (member.pk, RosterChangeKind.ADDED)
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"full_name": "Đ" * 130},
            "full_name",
            "Dài nhất 120 ký tự (đang có 130).",
        ),
        ({"full_name": ""}, "full_name", "Không được để trống."),
        (
            {"admission_date": "31/02/2015"},
            "admission_date",
            "Ngày không đúng dạng ngày/tháng/năm, ví dụ 19/05/2010.",
        ),
        ({"admission_date": ""}, "admission_date", "Hãy nhập ngày."),
        (
            {"recognition_date": ""},
            "recognition_date",
            "Đảng viên chính thức phải có ngày chính thức.",
        ),
        (
            {"admission_date": "16/03/2026", "recognition_date": "17/03/2026"},
            "admission_date",
            "Ngày vào Đảng (16/03/2026) ở tương lai.",
        ),
        ({"standing": "honorary"}, "standing", "Hãy chọn chính thức hoặc dự bị."),
        ({"email": "lan@"}, "email", "Địa chỉ thư điện tử không hợp lệ."),
        ({"phone": "0" * 21}, "phone", "Dài nhất 20 ký tự (đang có 21)."),
    ],
    ids=[
        "over-long name",
        "no name",
        "impossible date",
        "no admission date",
        "official without recognition date",
        "admission in the future",
        "forged standing",
        "bad e-mail",
        "over-long phone",
    ],
)
def test_add_member_shows_a_vietnamese_error_and_writes_nothing(
    secretary, tree, overrides, field, message
):
    before = snapshot()

    response = secretary.post(
        reverse("members:member_add", args=[tree.cell.pk]), NEW_MEMBER | overrides
    )

    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    page = page_text(response)
    assert 'class="error-summary" role="alert"' in page
    assert f'<a href="#id_{field}">' in page
    assert snapshot() == before


def test_add_member_with_a_card_number_in_use_says_so(secretary, tree):
    card = tree.far_member.party_card_number

    response = secretary.post(
        reverse("members:member_add", args=[tree.cell.pk]),
        NEW_MEMBER | {"party_card_number": card},
    )

    assert response.context["form"].errors["party_card_number"] == [
        f"Số thẻ đảng viên {card} đã có trong hệ thống."
    ]


def test_add_member_into_a_forged_cell_id_is_404_and_writes_nothing(secretary, tree):
    before = snapshot()

    responses = [
        secretary.post(reverse("members:member_add", args=[cell_id]), NEW_MEMBER)
        for cell_id in (tree.neighbour_cell.pk, tree.far_cell.pk, tree.grassroots.pk, 999_999)
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert "Không tìm thấy trang" in page_text(responses[0])
    assert snapshot() == before


def test_add_member_is_forbidden_to_a_plain_member_of_the_cell(client, tree):
    sign_in_verified(client, tree.member.user)
    before = snapshot()

    response = client.post(reverse("members:member_add", args=[tree.cell.pk]), NEW_MEMBER)

    assert response.status_code == 403
    assert snapshot() == before


# --- Editing ----------------------------------------------------------------------------------


def test_edit_form_shows_the_record_with_day_first_dates(secretary, tree):
    response = secretary.get(reverse("members:member_edit", args=[tree.member.pk]))

    page = page_text(response)
    assert f'value="{tree.member.full_name}"' in page
    assert 'value="19/05/2010"' in page
    assert 'value="19/05/2011"' in page


def test_edit_saves_the_changes_and_records_them(secretary, tree):
    old_name = tree.member.full_name
    data = {
        "full_name": "Nguyễn Văn Mới",
        "admission_date": "19/05/2010",
        "recognition_date": "19/05/2011",
        "standing": "official",
        "party_card_number": tree.member.party_card_number,
    }

    response = secretary.post(reverse("members:member_edit", args=[tree.member.pk]), data)

    assert response.status_code == 302
    assert Member.objects.get(pk=tree.member.pk).full_name == "Nguyễn Văn Mới"
    change = RosterChange.objects.get()
    assert change.details == {"changes": {"full_name": [old_name, "Nguyễn Văn Mới"]}}


def test_edit_of_a_member_of_another_cell_is_404_and_writes_nothing(secretary, tree):
    before = snapshot()

    response = secretary.post(reverse("members:member_edit", args=[tree.neighbour.pk]), NEW_MEMBER)

    assert response.status_code == 404
    assert snapshot() == before


# --- Exemption --------------------------------------------------------------------------------


def test_mark_exempt_records_the_exemption(secretary, tree):
    response = secretary.post(
        reverse("members:member_exempt", args=[tree.member.pk]),
        {"exempt_from": "01/03/2026", "exempt_until": "", "reason": "Tuổi cao, sức khỏe yếu"},
        follow=True,
    )

    member = Member.objects.get(pk=tree.member.pk)
    assert (member.exempt_from, member.exempt_until, member.exempt_reason) == (
        D(2026, 3, 1),
        None,
        "Tuổi cao, sức khỏe yếu",
    )
    assert messages_of(response) == [
        f"Đã ghi miễn công tác và sinh hoạt đảng cho đồng chí {member.full_name}."
    ]
    assert '<span class="badge exempt">Miễn sinh hoạt</span>' in page_text(response)


def test_mark_exempt_ending_before_it_starts_is_refused(secretary, tree):
    response = secretary.post(
        reverse("members:member_exempt", args=[tree.member.pk]),
        {"exempt_from": "01/03/2026", "exempt_until": "28/02/2026", "reason": "Tuổi cao"},
    )

    assert response.context["form"].errors == {
        "exempt_until": ["Ngày kết thúc không được trước ngày bắt đầu."]
    }
    assert Member.objects.get(pk=tree.member.pk).exempt_from is None


def test_mark_exempt_without_a_reason_is_refused(secretary, tree):
    response = secretary.post(
        reverse("members:member_exempt", args=[tree.member.pk]), {"exempt_from": "01/03/2026"}
    )

    assert response.context["form"].errors == {"reason": ["Không được để trống."]}


def test_the_exempt_page_of_an_exempt_member_shows_the_exemption_and_the_way_to_end_it(
    secretary, tree
):
    Member.objects.filter(pk=tree.member.pk).update(
        exempt_from=D(2026, 1, 1), exempt_until=D(2026, 12, 31), exempt_reason="Ốm dài ngày"
    )

    page = page_text(secretary.get(reverse("members:member_exempt", args=[tree.member.pk])))

    assert "Đang miễn sinh hoạt từ 01/01/2026 đến 31/12/2026. Lý do: Ốm dài ngày" in page
    assert reverse("members:member_exempt_end", args=[tree.member.pk]) in page


def test_end_exemption_sets_the_last_day(secretary, tree):
    Member.objects.filter(pk=tree.member.pk).update(exempt_from=D(2026, 1, 1))

    response = secretary.post(
        reverse("members:member_exempt_end", args=[tree.member.pk]), {"last_day": "14/03/2026"}
    )

    assert response.status_code == 302
    assert Member.objects.get(pk=tree.member.pk).exempt_until == D(2026, 3, 14)
    assert RosterChange.objects.get().kind == RosterChangeKind.EXEMPTION_ENDED


def test_end_exemption_of_a_member_who_is_not_exempt_offers_no_form(secretary, tree):
    before = snapshot()

    response = secretary.post(
        reverse("members:member_exempt_end", args=[tree.member.pk]), {"last_day": "14/03/2026"}
    )

    assert response.status_code == 200
    assert "Đồng chí này hiện không được miễn sinh hoạt." in page_text(response)
    assert '<form method="post" class="stack"' not in page_text(response)
    assert snapshot() == before


def test_end_exemption_before_it_began_shows_the_services_message(secretary, tree):
    Member.objects.filter(pk=tree.member.pk).update(exempt_from=D(2026, 1, 1))

    response = secretary.post(
        reverse("members:member_exempt_end", args=[tree.member.pk]), {"last_day": "31/12/2025"}
    )

    assert response.context["form"].non_field_errors() == [
        "Ngày thôi miễn sinh hoạt không được trước ngày bắt đầu miễn (01/01/2026)."
    ]
    assert Member.objects.get(pk=tree.member.pk).exempt_until is None


def test_exempting_a_member_of_another_cell_is_404(secretary, tree):
    response = secretary.post(
        reverse("members:member_exempt", args=[tree.far_member.pk]),
        {"exempt_from": "01/03/2026", "reason": "Tuổi cao"},
    )

    assert response.status_code == 404
    assert Member.objects.get(pk=tree.far_member.pk).exempt_from is None


# --- Temporary stay ---------------------------------------------------------------------------


def test_temporary_stay_offers_the_other_cells_of_the_tree(secretary, tree):
    response = secretary.get(reverse("members:member_temporary", args=[tree.member.pk]))

    choices = list(response.context["form"].fields["cell"].queryset)
    assert choices == [tree.neighbour_cell, tree.far_cell]
    assert "Chi bộ B1 (Đảng bộ B)" in page_text(response)


def test_temporary_stay_is_recorded(secretary, tree):
    response = secretary.post(
        reverse("members:member_temporary", args=[tree.member.pk]),
        {"cell": tree.far_cell.pk, "temporary_from": "01/03/2026", "temporary_until": "30/09/2026"},
    )

    member = Member.objects.get(pk=tree.member.pk)
    assert response.status_code == 302
    assert (member.temporary_cell, member.temporary_from, member.temporary_until) == (
        tree.far_cell,
        D(2026, 3, 1),
        D(2026, 9, 30),
    )


@pytest.mark.parametrize("target", ["cell", "grassroots", None])
def test_temporary_stay_in_a_forged_cell_is_a_form_error(secretary, tree, target):
    cell_id = getattr(tree, target).pk if target else 999_999

    response = secretary.post(
        reverse("members:member_temporary", args=[tree.member.pk]),
        {"cell": cell_id, "temporary_from": "01/03/2026", "temporary_until": "30/09/2026"},
    )

    assert response.context["form"].errors == {"cell": ["Hãy chọn một chi bộ trong danh sách."]}
    assert Member.objects.get(pk=tree.member.pk).temporary_cell is None


def test_end_temporary_stay(secretary, tree):
    Member.objects.filter(pk=tree.member.pk).update(
        temporary_cell=tree.far_cell, temporary_from=D(2026, 1, 1)
    )

    response = secretary.post(
        reverse("members:member_temporary_end", args=[tree.member.pk]),
        {"last_day": "15/03/2026"},
    )

    assert response.status_code == 302
    assert Member.objects.get(pk=tree.member.pk).temporary_until == TODAY


# --- Transfer ---------------------------------------------------------------------------------


def test_transfer_moves_the_member_and_the_old_secretary_loses_the_record(secretary, tree):
    response = secretary.post(
        reverse("members:member_transfer", args=[tree.member.pk]),
        {
            "destination": tree.far_cell.pk,
            "transferred_on": "15/03/2026",
            "decision_reference": "Giấy giới thiệu số 12-GGT/ĐU",
        },
        follow=True,
    )

    assert response.redirect_chain == [(reverse("members:cell", args=[tree.cell.pk]), 302)]
    assert messages_of(response) == [
        f"Đã chuyển sinh hoạt đảng của đồng chí {tree.member.full_name} đến Chi bộ B1."
    ]
    assert Member.objects.get(pk=tree.member.pk).home_cell == tree.far_cell
    assert sorted(RosterChange.objects.values_list("cell__name", "kind")) == [
        ("Chi bộ A1", "transferred_out"),
        ("Chi bộ B1", "transferred_in"),
    ]
    assert secretary.get(reverse("members:member", args=[tree.member.pk])).status_code == 404


def test_transfer_without_a_decision_is_refused(secretary, tree):
    response = secretary.post(
        reverse("members:member_transfer", args=[tree.member.pk]),
        {"destination": tree.far_cell.pk, "transferred_on": "15/03/2026"},
    )

    assert response.context["form"].errors == {"decision_reference": ["Không được để trống."]}
    assert Member.objects.get(pk=tree.member.pk).home_cell == tree.cell


def test_transfer_dated_in_the_future_shows_the_services_message(secretary, tree):
    response = secretary.post(
        reverse("members:member_transfer", args=[tree.member.pk]),
        {
            "destination": tree.far_cell.pk,
            "transferred_on": "16/03/2026",
            "decision_reference": "QĐ 5",
        },
    )

    assert response.context["form"].non_field_errors() == [
        "Ngày chuyển sinh hoạt không được ở tương lai."
    ]
    assert RosterChange.objects.count() == 0


def test_transfer_is_forbidden_to_the_reviewer_above(client, tree):
    sign_in_verified(client, tree.reviewer.user)

    response = client.post(
        reverse("members:member_transfer", args=[tree.member.pk]),
        {
            "destination": tree.far_cell.pk,
            "transferred_on": "15/03/2026",
            "decision_reference": "x",
        },
    )

    assert response.status_code == 403
    assert Member.objects.get(pk=tree.member.pk).home_cell == tree.cell


# --- Import -----------------------------------------------------------------------------------


def upload(text: str, name: str = "danh-sach.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


@pytest.fixture
def import_file(secretary, tree, celery_eager, django_capture_on_commit_callbacks):
    """Posts the import form and follows it to where the page ends up once the worker (eager
    here) has read the file."""

    def post(files, cell=None):
        url = reverse("members:roster_import", args=[(cell or tree.cell).pk])
        with django_capture_on_commit_callbacks(execute=True):
            response = secretary.post(url, files)
        if response.status_code != 302:
            return response
        return secretary.get(response["Location"], follow=True)

    return post


def test_import_page_explains_the_columns_and_offers_the_templates(secretary, tree):
    page = page_text(secretary.get(reverse("members:roster_import", args=[tree.cell.pk])))

    assert '<th scope="row">Ngày chính thức</th>' in page
    assert 'href="/static/roster/mau-danh-sach-dang-vien.xlsx" download' in page
    assert 'href="/static/roster/mau-danh-sach-dang-vien.csv" download' in page


def test_import_of_a_good_file_adds_the_members(import_file, tree):
    text = CSV_HEADER + "Trần Văn An;19/05/2000;19/05/2001;chính thức\r\n"

    response = import_file({"file": upload(text)})

    assert messages_of(response) == ["Đã nhập 1 đảng viên từ tệp danh-sach.csv."]
    assert Member.objects.get(full_name="Trần Văn An").home_cell == tree.cell
    assert "Trần Văn An" in page_text(response)


def test_while_the_worker_reads_the_file_the_page_shows_its_progress(secretary, tree):
    text = CSV_HEADER + "Trần Văn An;19/05/2000;19/05/2001;chính thức\r\n"

    handed_over = secretary.post(
        reverse("members:roster_import", args=[tree.cell.pk]), {"file": upload(text)}
    )  # not committed here, so the worker has not started

    job = RosterImport.objects.get()
    progress_url = reverse("members:roster_import_progress", args=[tree.cell.pk, job.pk])
    page = page_text(secretary.get(handed_over["Location"]))
    assert f'role="status" aria-live="polite" data-url="{progress_url}">Đang chờ đọc tệp…' in page
    assert secretary.get(progress_url).json() == {
        "state": "queued",
        "label": "Đang chờ đọc tệp",
        "rows": 0,
        "done": False,
    }
    RosterImport.objects.filter(pk=job.pk).update(state="running", rows_read=400)
    assert secretary.get(progress_url).json()["label"] == "Đang đọc tệp: đã đọc 400 dòng"
    assert Member.objects.filter(full_name="Trần Văn An").exists() is False


def test_the_progress_of_an_import_is_not_shown_through_another_cell(secretary, tree):
    job = RosterImport.objects.create(cell=tree.cell, requested_by=tree.secretary.user)

    response = secretary.get(
        reverse("members:roster_import_progress", args=[tree.neighbour_cell.pk, job.pk])
    )

    assert response.status_code == 404


def test_import_of_a_file_with_a_bad_row_shows_the_report_and_writes_nothing(import_file, tree):
    before = snapshot()
    text = (
        CSV_HEADER
        + "Trần Văn An;19/05/2000;19/05/2001;chính thức\r\n"
        + "Lê Thị Bình;32/01/2025;;dự bị\r\n"
    )

    response = import_file({"file": upload(text)})

    page = page_text(response)
    assert response.status_code == 200
    assert "Chưa nhập được: tệp có 1 lỗi; không đảng viên nào được thêm." in page
    assert (
        "<tr><td>3</td><td>Ngày vào Đảng</td><td>“32/01/2025” không phải ngày theo dạng "
        "dd/mm/yyyy, ví dụ 19/05/2010.</td></tr>"
    ) in page
    assert snapshot() == before


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "Hãy chọn tệp danh sách."),
        ({"file": SimpleUploadedFile("trong.csv", b"")}, "Tệp trống."),
    ],
    ids=["no file", "empty file"],
)
def test_import_without_a_file_says_so(secretary, tree, files, message):
    response = secretary.post(reverse("members:roster_import", args=[tree.cell.pk]), files)

    assert response.context["form"].errors == {"file": [message]}


def test_import_of_an_image_says_the_file_is_unreadable(import_file, tree):
    image = SimpleUploadedFile("anh.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00", content_type="image/png")

    response = import_file({"file": image})

    assert "Không đọc được tệp: tệp không phải Excel (.xlsx)" in page_text(response)
    assert RosterChange.objects.count() == 0


def test_import_into_a_forged_cell_id_is_404_and_writes_nothing(secretary, tree):
    before = snapshot()
    text = CSV_HEADER + "Trần Văn An;19/05/2000;19/05/2001;chính thức\r\n"

    response = secretary.post(
        reverse("members:roster_import", args=[tree.far_cell.pk]), {"file": upload(text)}
    )

    assert response.status_code == 404
    assert snapshot() == before


def test_import_is_forbidden_to_a_plain_member_of_the_cell(client, tree):
    sign_in_verified(client, tree.member.user)
    text = CSV_HEADER + "Trần Văn An;19/05/2000;19/05/2001;chính thức\r\n"

    response = client.post(
        reverse("members:roster_import", args=[tree.cell.pk]), {"file": upload(text)}
    )

    assert response.status_code == 403
    assert not Member.objects.filter(full_name="Trần Văn An").exists()


# --- Record and history -----------------------------------------------------------------------


def _history(tree, count: int) -> None:
    for number in range(count):
        exemptions.mark_exempt(
            actor=tree.secretary.user,
            member=tree.member,
            exempt_from=D(2026, 1, 1 + number),
            exempt_until=None,
            reason=f"Lý do {number}",
        )


def test_member_record_shows_the_history_in_the_readers_words(secretary, tree):
    _history(tree, 1)
    records.update_member(
        actor=tree.secretary.user,
        member=tree.member,
        record=records.MemberRecord(
            full_name="Nguyễn Văn Mới",
            admission_date=D(2010, 5, 19),
            recognition_date=D(2011, 5, 19),
            standing="official",
            party_card_number=tree.member.party_card_number,
        ),
    )

    response = secretary.get(reverse("members:member", args=[tree.member.pk]))

    page = page_text(response)
    assert "Hồ sơ đồng chí Nguyễn Văn Mới" in page
    lines = [lines for _change, lines in response.context["changes"]]
    assert lines[0][0].startswith("Họ và tên: Nguyễn Văn ")
    assert lines[0][0].endswith(" → Nguyễn Văn Mới")
    assert lines[1] == ["Từ 01/01/2026, chưa định ngày kết thúc", "Lý do: Lý do 0"]


def test_cell_history_lists_the_cells_changes_newest_first(secretary, tree):
    _history(tree, 2)
    transfers.transfer_member(
        actor=tree.secretary.user,
        member=tree.member,
        destination=tree.far_cell,
        transferred_on=TODAY,
        decision_reference="QĐ 5",
    )

    response = secretary.get(reverse("members:cell_history", args=[tree.cell.pk]))

    assert [(c.kind, lines) for c, lines in response.context["changes"]] == [
        (RosterChangeKind.TRANSFERRED_OUT, ["Đến Chi bộ B1", "Quyết định: QĐ 5"]),
        (RosterChangeKind.EXEMPTED, ["Từ 02/01/2026, chưa định ngày kết thúc", "Lý do: Lý do 1"]),
        (RosterChangeKind.EXEMPTED, ["Từ 01/01/2026, chưa định ngày kết thúc", "Lý do: Lý do 0"]),
    ]
    assert "<td>15/03/2026</td>" in page_text(response)


def test_cell_history_takes_as_many_queries_for_three_changes_as_for_one(secretary, tree):
    url = reverse("members:cell_history", args=[tree.cell.pk])
    _history(tree, 1)
    with CaptureQueriesContext(connection) as one:
        secretary.get(url)
    _history(tree, 2)

    with CaptureQueriesContext(connection) as three:
        secretary.get(url)

    assert len(three) == len(one)


def test_cell_history_is_forbidden_to_the_reviewer_and_gone_for_another_cell(client, tree):
    sign_in_verified(client, tree.reviewer.user)

    own_tree = client.get(reverse("members:cell_history", args=[tree.cell.pk]))
    other_tree = client.get(reverse("members:cell_history", args=[tree.far_cell.pk]))

    assert (own_tree.status_code, other_tree.status_code) == (403, 404)


def test_roster_pages_keep_vietnamese_dates_in_english(secretary, tree):
    _history(tree, 1)
    secretary.post(reverse("set_language"), {"language": "en", "next": "/"})

    try:
        page = page_text(secretary.get(reverse("members:cell_history", args=[tree.cell.pk])))
    finally:
        # LocaleMiddleware leaves the request's language active in this thread.
        translation.activate(settings.LANGUAGE_CODE)

    assert '<html lang="en">' in page
    assert "01/01/2026" in page
