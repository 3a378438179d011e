"""Where Chromium is, where screenshots go, and why browser tests would be skipped."""

from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def chromium_skip_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return (
            f"{CHROMIUM} is not installed (apt-get install -y chromium); `make test` installs "
            "it where it can"
        )
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright (Python) is not installed"
    return None
