# eventapp in a container (docs/deploy.md). Untested here: this machine has no Docker engine.
# One image for every role: web (the default command), worker, beat (see compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    APP_CONFIG=production \
    INSTANCE_PATH=/var/lib/eventapp

WORKDIR /srv/eventapp
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
RUN pybabel compile --use-fuzzy -d translations \
    && useradd --system --home-dir /var/lib/eventapp --create-home eventapp \
    && chown -R eventapp /var/lib/eventapp
USER eventapp

EXPOSE 8000
CMD ["gunicorn", "--workers", "4", "--worker-class", "gthread", "--threads", "4", \
     "--bind", "0.0.0.0:8000", "--timeout", "120", "--access-logfile", "-", "eventapp:create_app()"]
