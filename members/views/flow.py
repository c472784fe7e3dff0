"""The one flow of a form page: a valid form → one service → its refusal onto the form, or a
message and a redirect.

    if response := submit(
        request,
        form,
        lambda: records.add_member(actor=request.user, cell=cell, record=form.record()),
        redirect_to=lambda member: reverse("members:cell", args=[member.home_cell_id]),
        message=lambda member: _("Đã thêm đồng chí %(name)s.") % {"name": member.full_name},
    ):
        return response
    return render(request, "...", {"form": form})

`submit` answers None when the page is to be shown again with the form: not posted, not valid,
or refused by a rule (a `DomainError`, its message on the form field it names, else on the form
as a whole). A refusal writes nothing (services change nothing when they refuse).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect

from members.errors import DomainError

T = TypeVar("T")


def posted(request: HttpRequest) -> QueryDict | None:
    """The form's data on a POST; None (an unbound form) otherwise."""
    return request.POST if request.method == "POST" else None


def show_error(form: Form, error: DomainError, aliases: Mapping[str, str] | None = None) -> None:
    """Puts a service's refusal on the form: each problem on its field when the form has one
    (through `aliases` when the service names a field differently), else on the whole form."""
    for field, message in error.form_errors():
        name = (aliases or {}).get(field or "", field)
        form.add_error(name if name in form.fields else None, message)


def submit(
    request: HttpRequest,
    form: Form,
    action: Callable[[], T],
    *,
    redirect_to: str | Callable[[T], str],
    message: str | Callable[[T], str] | None = None,
    aliases: Mapping[str, str] | None = None,
) -> HttpResponse | None:
    """Runs `action` if the form is valid. Done: `message` (text, or made from the action's
    result), if any, as a success message and a redirect to `redirect_to` (a URL, or made from
    the result). Refused: the error on the form and None, as when the form is not valid."""
    if not form.is_valid():
        return None
    try:
        result = action()
    except DomainError as error:
        show_error(form, error, aliases)
        return None
    if message is not None:
        messages.success(request, message(result) if callable(message) else message)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)
