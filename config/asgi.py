import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before the routing imports models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config import daphne_backpressure, daphne_limits  # noqa: E402
from config.body_limits import RequestBodyLimit  # noqa: E402
from config.language import WebsocketLanguageMiddleware  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Bodies past their route's limit get a 413 before they are read (config/body_limits.py).
        "http": RequestBodyLimit(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(
            WebsocketLanguageMiddleware(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)

daphne_limits.install()
daphne_backpressure.install()

from config.heap import freeze_startup_objects, keep_full_collections_short  # noqa: E402

freeze_startup_objects()
keep_full_collections_short()
