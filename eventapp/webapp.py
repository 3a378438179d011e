"""The Flask application class: the request owns its transaction (Indico's request handler).

Once the view has returned, the request commits if its answer is not an error and rolls back
otherwise (`database.finish_request`); an exception rolls back before any error handler runs
(`database.rollback_request`), so an error page or the ServiceError handler never sees, and
never commits, half a change. The commit happens inside the dispatch: a commit that fails (the
database is gone, a constraint) goes through the error handlers like any other error (503, …).
"""

from flask import Flask

from eventapp import database
from eventapp.routing import EventMap


class EventApp(Flask):
    url_map_class = EventMap  # bounded ids in every rule (eventapp/routing.py)

    def dispatch_request(self):
        response = self.make_response(super().dispatch_request())
        database.finish_request(response.status_code)
        return response

    def handle_user_exception(self, e):
        database.rollback_request()
        return super().handle_user_exception(e)
