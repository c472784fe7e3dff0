"""The request of a page behind the second factor, as a type.

`RequireVerifiedSecondFactorMiddleware` (members/otp.py) lets a request reach a view outside
its public and second-factor lists only with a signed-in user whose second factor is verified;
`tests/members/test_permission_matrix.py` walks every URL to hold it to that. `VerifiedRequest`
says so to the type checker, so that views pass `request.user` as the `User` the services expect
(django-stubs' pattern for authenticated requests). The middleware is what makes it true.
"""

from __future__ import annotations

from django.http import HttpRequest

from members.models import User


class VerifiedRequest(HttpRequest):
    user: User
