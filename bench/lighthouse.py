"""Page weight and phone speed (issue 21): Lighthouse with its default (mobile) settings on the
pages a participant sees, against Debian's Chromium (CHROME_PATH, nothing downloaded).

Lighthouse is the npm package, installed beside the harness once:
    npm install --prefix bench --no-audit --no-fund lighthouse@13.5.0
(bench/node_modules is ignored by git), or named by LIGHTHOUSE_BIN. Without it the scenario
says so and measures nothing. A report, not a test: each page's four scores (performance,
accessibility, best practices, SEO) and the bytes transferred; targets: 100 / 100 / 100,
SEO 100 on the pages meant to be found, no page over 60 kB."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from bench import harness
from bench.report import Run

CONGRESS = "congres-france-bioproduction-2026"
TOUR = "french-bioproduction-tour-2027"
MAX_KB = 60
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
FOUND = {"home", "congress page", "tour page", "programme"}  # meant for search engines


def binary() -> str | None:
    named = os.environ.get("LIGHTHOUSE_BIN")
    if named:
        return named
    local = harness.ROOT / "bench" / "node_modules" / ".bin" / "lighthouse"
    return str(local) if local.exists() else shutil.which("lighthouse")


def participant_pages(env) -> dict[str, str]:
    from bench.scenarios import sql

    pages = {
        "home": "/",
        "congress page": f"/events/{CONGRESS}",
        "congress form (conditional questions)": f"/events/{CONGRESS}/register",
        "tour page": f"/events/{TOUR}",
        "tour form": f"/events/{TOUR}/register",
        "programme": f"/events/{CONGRESS}/programme",
    }
    row = sql(
        env,
        "SELECT r.manage_token, b.manage_token FROM registration r JOIN event e "
        "ON e.id = r.event_id JOIN booking b ON b.id = r.booking_id WHERE e.slug = :slug "
        "AND r.status = 'confirmed' ORDER BY r.id LIMIT 1",
        slug=CONGRESS,
    )
    if row:
        pages["manage page with answers"] = f"/r/{row[0][0]}"
        pages["booking page"] = f"/b/{row[0][1]}"
    return pages


def audit(url: str, tool: str) -> dict:
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    result = subprocess.run(
        [tool, url, "--output=json", "--output-path=stdout", "--quiet",
         "--only-categories=" + ",".join(CATEGORIES),
         "--chrome-flags=--headless=new --no-sandbox --disable-dev-shm-usage"],
        capture_output=True, text=True, env=env, timeout=240, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-500:])
    report = json.loads(result.stdout)
    scores = {c: round((report["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}
    weight = report["audits"]["total-byte-weight"]["numericValue"] / 1000
    return {"scores": scores, "kb": round(weight, 1)}


def lighthouse(server, run: Run, env) -> None:
    tool = binary()
    if tool is None or (not Path(tool).exists() and not shutil.which(tool)):
        run.line("Lighthouse", "participant pages", "not run: no lighthouse (bench/lighthouse.py)")
        return
    results = {}
    for name, path in participant_pages(env).items():
        try:
            results[name] = audit(f"http://127.0.0.1:{server.port}{path}", tool)
        except (RuntimeError, subprocess.TimeoutExpired, KeyError, ValueError) as error:
            run.line("Lighthouse", name, f"failed: {str(error)[:120]}", "", False)
            continue
        item = results[name]
        s = item["scores"]
        wanted_seo = name in FOUND
        ok = (
            s["performance"] == s["accessibility"] == s["best-practices"] == 100
            and (s["seo"] == 100 or not wanted_seo)
            and item["kb"] <= MAX_KB
        )
        run.line(
            "Lighthouse",
            f"{name} ({path[:3] + '…' if path.startswith(('/r/', '/b/')) else path})",
            f"{s['performance']} / {s['accessibility']} / {s['best-practices']} / {s['seo']}; "
            f"{item['kb']:.0f} kB",
            "100 / 100 / 100" + (" / SEO 100" if wanted_seo else "") + f"; ≤ {MAX_KB} kB",
            ok,
        )
    run.figures["lighthouse"] = results
