"""Real threads released together, for the races that prove the limits hold."""

import threading


def race(app, worker, count):
    """Run worker(n) for n in range(count) in real threads released together (each with its
    own app context, so its own database connection). Returns (errors, {n: result}); a thread
    still running after two minutes is an error too."""
    barrier = threading.Barrier(count)
    errors, results = [], {}

    def run(n):
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                results[n] = worker(n)
        except Exception as error:  # collected and asserted by the caller
            errors.append(repr(error))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    errors.extend(f"thread {n} still running" for n, t in enumerate(threads) if t.is_alive())
    return errors, results
