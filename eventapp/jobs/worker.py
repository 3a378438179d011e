"""For Celery's own command line: `celery -A eventapp.jobs.worker worker -Q mail` and
`celery -A eventapp.jobs.worker beat` do what `flask --app eventapp worker|beat` do. The app is
built from the environment (APP_CONFIG, DATABASE_URL, REDIS_URL, ...)."""

from eventapp import create_app
from eventapp.jobs.celery_app import prepare_worker

flask_app = create_app()
prepare_worker(flask_app)
celery = flask_app.extensions["celery"]
