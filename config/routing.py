from django.urls import path

from meetings.consumers import MeetingConsumer
from members.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    path("ws/meetings/<int:meeting_id>/", MeetingConsumer.as_asgi()),
]
