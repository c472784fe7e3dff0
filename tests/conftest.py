import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.models import User
from tests.factories import (
    CellFactory,
    CellRoleFactory,
    CommitteeSeatFactory,
    MemberFactory,
    OrganizationFactory,
)


def sign_in_verified(client: Client, user: User) -> Client:
    """Signs `user` in as if they had passed both factors."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="totp", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def tree(db):
    """Two đảng bộ under one superior; the first has two cells, the second one.

    Returns a namespace of organisations and people with their roles.
    """
    from types import SimpleNamespace

    superior = OrganizationFactory(name="Đảng bộ cấp trên", level="superior")
    grassroots = OrganizationFactory(name="Đảng bộ A", parent=superior)
    sibling = OrganizationFactory(name="Đảng bộ B", parent=superior)
    cell = CellFactory(name="Chi bộ A1", parent=grassroots)
    neighbour_cell = CellFactory(name="Chi bộ A2", parent=grassroots)
    far_cell = CellFactory(name="Chi bộ B1", parent=sibling)
    secretary = CellRoleFactory(member__home_cell=cell).member
    member = MemberFactory(home_cell=cell)
    neighbour = MemberFactory(home_cell=neighbour_cell)
    far_member = MemberFactory(home_cell=far_cell)
    reviewer = CommitteeSeatFactory(
        organization=grassroots, member__home_cell=neighbour_cell
    ).member
    sibling_reviewer = CommitteeSeatFactory(organization=sibling, member__home_cell=far_cell).member
    member.user.totpdevice_set.create(name="totp", confirmed=True)
    return SimpleNamespace(**locals())
