"""Profile the registration POST in-process (no HTTP server, no load generator): the CPU one
submission of the real form costs, and where it goes.

    .venv/bin/python bench/profile_post.py [--posts 300] [--questions congress|fifteen|none]
        [--database URL] [--profile]      # --profile: cProfile, the top functions by own time

Each participant GETs the form in their own session, then POSTs it with that session's CSRF
token, exactly as in the rush (bench/rush.py builds the same answers). Prints the CPU time per
POST (process time, median over batches of 50) and the bare insert's, measured alternately.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness, rush


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--questions", default="congress", choices=rush.FORMS)
    parser.add_argument("--database", default="")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="eventapp-profile-")
    url = args.database or f"sqlite:///{tmp}/profile.db"
    if url.startswith("postgresql"):
        os.environ["BENCH_DATABASE_URL"] = url
        url = harness.fresh_database("postgresql", Path(tmp))
    env = harness.app_env(url, harness.new_secret())
    harness.flask_cli(env, "db", "upgrade")
    os.environ.update(env)

    from bench import seed
    from eventapp import create_app
    from eventapp.extensions import db

    app = create_app()
    with app.app_context():
        slug = seed.rush_event(
            "profile", capacity=args.posts // 4, form=args.questions, limit=args.posts
        )
        db.session.commit()
        keys = seed.question_keys(slug)
        db.session.remove()
    path = f"/events/{slug}/register"
    clients = []
    for n in range(args.posts):
        client = app.test_client()
        page = client.get(path)
        assert page.status_code == 200, page.status_code
        person = rush.Client(n, f"p{n}.{slug}@bench.example.org", keys=keys)
        person.token = harness.csrf_token(page.data)
        clients.append((client, person))

    bare = app.test_client()
    profiler = cProfile.Profile() if args.profile else None
    post_times, insert_times = [], []
    for start in range(0, len(clients), 50):
        batch = clients[start : start + 50]
        began = time.process_time()
        if profiler:
            profiler.enable()
        for client, person in batch:
            answer = client.post(path, data=rush.form_data(person))
            assert answer.status_code in (302, 303), (answer.status_code, answer.data[:2000])
        if profiler:
            profiler.disable()
        post_times.append((time.process_time() - began) * 1000 / len(batch))
        began = time.process_time()
        for _ in batch:
            assert bare.post("/bench/insert").status_code == 200
        insert_times.append((time.process_time() - began) * 1000 / len(batch))
    post, insert = statistics.median(post_times), statistics.median(insert_times)
    print(
        f"{url.split(':')[0]}, form {args.questions}: POST {post:.2f} ms CPU "
        f"(batches {min(post_times):.2f}–{max(post_times):.2f}); bare insert {insert:.2f} ms; "
        f"CPU ratio {insert / post:.2f}"
    )
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(35)
        stats.sort_stats("cumulative").print_stats(60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
