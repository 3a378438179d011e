"""The Flask application class: the request owns its transaction (Indico's request handler).

Once the view has returned, the request commits if its answer is not an error and rolls back
otherwise (`database.finish_request`); an exception rolls back before any error handler runs
(`database.rollback_request`, also for an error outside the view that goes straight to the 500
handler), so an error page or the ServiceError handler never sees, and never commits, half a
change; the error handlers (eventapp/errors.py) do not roll back themselves. The commit happens
inside the dispatch: a commit that fails (the database is gone, a constraint) goes through the
error handlers like any other error (503, …).
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

    def handle_exception(self, e):
        # An error outside the view (an after-request hook, the response's processing) reaches
        # the 500 handler without handle_user_exception: roll back here too.
        database.rollback_request()
        return super().handle_exception(e)
