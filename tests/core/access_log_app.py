"""A WSGI application that answers every request with 200: gunicorn's access log under test, without
Django."""


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
