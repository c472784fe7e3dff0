"""The superior committee's reviewer ratifies the elections of the cells below their seat."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetings.forms import RatificationForm
from meetings.services import ratification as ratification_services
from members import access as member_access
from members.models import Member
from members.requests import VerifiedRequest
from members.views.flow import submit


def _page(request: VerifiedRequest, forms: dict[int, RatificationForm], status: int = 200):
    if not member_access.review_seats(member_access.member_of(request.user)).exists():
        raise Http404
    awaiting = ratification_services.awaiting_ratification(request.user)
    names = dict(
        Member.objects.filter(
            pk__in={m for vote in awaiting for m in ratification_services.elected_members(vote)}
        ).values_list("pk", "full_name")
    )
    rows = [
        {
            "vote": vote,
            "elected": [names.get(m, f"#{m}") for m in ratification_services.elected_members(vote)],
            "form": forms.get(vote.pk) or RatificationForm(prefix=f"v{vote.pk}"),
        }
        for vote in awaiting
    ]
    done = ratification_services.ratifiable_elections(request.user).filter(
        ratification__isnull=False
    )[:20]
    return render(
        request,
        "meetings/ratifications.html",
        {"rows": rows, "done": done},
        status=status,
    )


def ratifications(request: VerifiedRequest) -> HttpResponse:
    """Elections awaiting ratification in the reviewer's subtree; 404 without a seat."""
    return _page(request, {})


@require_POST
def ratify(request: VerifiedRequest, vote_id: int) -> HttpResponse:
    if not any(v.pk == vote_id for v in ratification_services.awaiting_ratification(request.user)):
        raise Http404
    form = RatificationForm(request.POST, prefix=f"v{vote_id}")
    if response := submit(
        request,
        form,
        lambda: ratification_services.ratify_election(
            actor=request.user,
            vote_id=vote_id,
            details=ratification_services.RatificationDetails(**form.cleaned_data),
        ),
        redirect_to=reverse("meetings:ratifications"),
        message=_("Đã chuẩn y kết quả bầu cử; chức vụ có hiệu lực."),
    ):
        return response
    return _page(request, {vote_id: form}, status=200)
