"""Scenes for the meetings tests: a cell with its people, meetings made through the services."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from members.enums import CellRoleKind, Level, Standing
from tests.factories import (
    CellFactory,
    CellRoleFactory,
    CommitteeSeatFactory,
    MemberFactory,
    OrganizationFactory,
)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def cell_scene(db):
    """A cell of eight: secretary, deputy, three official members, one exempt, one
    probationary, one member meeting here temporarily; a superior committee member follows it;
    a member of a far cell sees nothing."""
    superior = OrganizationFactory(name="Đảng bộ Quận Ba Đình", level=Level.SUPERIOR)
    grassroots = OrganizationFactory(name="Đảng bộ Phường Điện Biên", parent=superior)
    cell = CellFactory(name="Chi bộ Khu phố 5", parent=grassroots)
    other_cell = CellFactory(name="Chi bộ Khu phố 6", parent=grassroots)
    far_cell = CellFactory(name="Chi bộ Xa", parent=OrganizationFactory(parent=superior))
    secretary = CellRoleFactory(
        member__home_cell=cell,
        member__full_name="Nguyễn Thị Hằng",
        member__email="hang@chibo.invalid",
    ).member
    deputy = CellRoleFactory(
        member__home_cell=cell,
        member__full_name="Trần Văn Đức",
        kind=CellRoleKind.DEPUTY_SECRETARY,
    ).member
    members = [
        MemberFactory(home_cell=cell, full_name=name)
        for name in ("Lê Minh Tuấn", "Phạm Thị Lan", "Hoàng Văn Nam")
    ]
    exempt = MemberFactory(
        home_cell=cell, full_name="Đỗ Văn Hùng", exempt_from=datetime.date(2020, 1, 1)
    )
    probationary = MemberFactory(
        home_cell=cell,
        full_name="Lý Thị Ngọc Ánh",
        standing=Standing.PROBATIONARY,
        party_card_number=None,
    )
    temporary = MemberFactory(
        home_cell=other_cell,
        full_name="Đinh Công Thành",
        temporary_cell=cell,
        temporary_from=datetime.date(2020, 1, 1),
    )
    follower = CommitteeSeatFactory(
        organization=grassroots,
        member__home_cell=other_cell,
        member__full_name="Võ Thành Công",
        follows_cell=cell,
    ).member
    outsider = MemberFactory(home_cell=far_cell, full_name="Người Ngoài")
    return SimpleNamespace(**locals())


def in_days(days: float, hour: int = 19, minute: int = 30) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )
