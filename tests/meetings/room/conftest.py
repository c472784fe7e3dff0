import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from meetings.models import AgendaItem, Meeting
from members.enums import CellRoleKind
from tests.factories import CellFactory, CellRoleFactory, MemberFactory


@pytest.fixture
def scene(db):
    return build_scene()


@pytest.fixture
def in_person_scene(db):
    """The same cell meeting in person: discipline and elections may not be decided online."""
    return build_scene(mode="in_person")


def build_scene(mode: str = "online") -> SimpleNamespace:
    """A scheduled meeting (online unless `mode` says otherwise) of a cell: the secretary chairs,
    a deputy records, three more official members, one probationary member, one member meeting
    here temporarily."""
    cell = CellFactory(name="Chi bộ Khu phố 3")
    chair = CellRoleFactory(member__home_cell=cell, member__full_name="Nguyễn Thị Hằng").member
    recorder = CellRoleFactory(
        member__home_cell=cell, member__full_name="Trần Văn Đức", kind=CellRoleKind.DEPUTY_SECRETARY
    ).member
    officials = [MemberFactory(home_cell=cell, full_name=f"Đảng viên {n}") for n in (1, 2, 3)]
    probationary = MemberFactory(home_cell=cell, full_name="Lý Thị Ánh", standing="probationary")
    guest_cell = CellFactory(parent=cell.parent)
    temporary = MemberFactory(
        home_cell=guest_cell,
        full_name="Đinh Công Thành",
        temporary_cell=cell,
        temporary_from=datetime.date(2020, 1, 1),
    )
    outsider = MemberFactory(home_cell=guest_cell)
    meeting = Meeting.objects.create(
        cell=cell,
        kind="regular",
        mode=mode,
        approval_number="12-CV/ĐU",
        approval_date=datetime.date(2026, 1, 5),
        starts_at=timezone.now() + datetime.timedelta(minutes=5),
        chair=chair,
        recorder=recorder,
        status="scheduled",
    )
    items = [
        AgendaItem.objects.create(meeting=meeting, position=n, kind=kind, title=title)
        for n, (kind, title) in enumerate(
            [
                ("news", "Thông tin thời sự"),
                ("admission", "Xét kết nạp quần chúng Phạm Văn A"),
                ("resolution", "Biểu quyết nghị quyết tháng"),
            ],
            start=1,
        )
    ]
    return SimpleNamespace(**locals())
