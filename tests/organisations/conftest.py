import pytest


@pytest.fixture
def switch(client, login):
    """Log the test client out, then in as `user` (login() alone keeps a signed-in session)."""

    def _switch(user, c=None):
        (c or client).post("/auth/logout")
        return login(user, c=c)

    return _switch
