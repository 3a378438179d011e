"""gunicorn settings read from the working directory (`make serve`, the benchmark): only what
the command line does not say."""

import gc


def post_worker_init(worker):
    # The app and its imports live as long as the worker: move them out of the garbage
    # collector's reach, so a full collection during a request only walks that request's
    # objects (a pause of tens of milliseconds otherwise, seen at p99 on big lists).
    gc.freeze()
