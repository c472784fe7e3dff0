# One image for the web (Daphne), the Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    CHIBO_VAR_DIR=/var/lib/chibo STATIC_ROOT=/var/lib/chibo/static MEDIA_ROOT=/var/lib/chibo/media

# WeasyPrint needs Pango; the PDFs need fonts with Vietnamese glyphs. Voice and picture: Janus,
# coturn, and the browser's Janus client and WebRTC adapter (collected into the static files).
# Backups (docs/operations.md): pg_dump and pg_restore, of the server's major version (15).
# nginx: the reverse proxy in front of the Daphnes (docker-compose.yml `proxy`, deploy/nginx/);
# libsodium: the encrypted secret ballots' group (meetings/secret_ballot/group.py).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-noto-core fonts-liberation2 \
      janus coturn libjs-janus-gateway libjs-webrtc-adapter iproute2 postgresql-client-15 nginx \
      libsodium23 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements/ requirements/
RUN pip install --no-cache-dir -r requirements/base.txt
COPY . .
RUN pip install --no-cache-dir --no-deps . \
 && pybabel compile -D django -d locale \
 && pybabel compile -D djangojs -d locale \
 && CHIBO_EMBEDDED_SECRET=1 python manage.py collectstatic --noinput \
 && useradd --system --home /var/lib/chibo chibo && mkdir -p /var/lib/chibo/media \
 && chown -R chibo /var/lib/chibo

USER chibo
EXPOSE 8000
# Behind the proxy, whose X-Forwarded-For gives the visitor's address: never publish this port.
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "--websocket_connect_timeout", "30", "config.asgi:application"]
