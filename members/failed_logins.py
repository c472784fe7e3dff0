"""What django-axes records of a failed sign-in: the username, at most as long as a real one.

django-axes stores the name typed at every failed sign-in and locks by it. Stored whole, a
4 MB name was 4 MB in the database (SQLite) or a 500 (PostgreSQL's varchar(255)). The login form
refuses a longer name before authenticating (members.forms.auth.LoginForm); this bounds every
other way a failure reaches django-axes (`AXES_USERNAME_CALLABLE`). No real account is longer,
so cutting a name changes no real account's lockout.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from members.models import User

# AbstractUser.username is a CharField, so it has a max_length (150).
USERNAME_MAX_LENGTH: int = User._meta.get_field("username").max_length or 150


def recorded_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """django-axes' own choice of name (credentials, else the POSTed form field), cut short."""
    # axes.conf sets its defaults on Django's settings when it loads; the stubs know Django's own.
    field: str = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    if credentials:
        name = credentials.get(field)
    else:
        name = getattr(request, "data", request.POST).get(field)
    return None if name is None else str(name)[:USERNAME_MAX_LENGTH]
