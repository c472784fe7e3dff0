"""Views: parse the request, check access (meetings.access), call a service, render."""
