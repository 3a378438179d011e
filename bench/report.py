"""Figures of a benchmark run and the Markdown table `make bench` prints: one line per figure
{scenario, figure, target, value, pass}, one table per database, one column per server
configuration; PASS/MISS where there is a target."""

from __future__ import annotations


class Run:
    """The figures of one database × server configuration."""

    def __init__(self, database: str, server: str):
        self.database, self.server = database, server
        self.lines: list[dict] = []
        self.figures: dict = {}

    def line(self, scenario: str, figure: str, value: str, target: str = "—", ok=None) -> None:
        self.lines.append(
            {
                "scenario": scenario,
                "figure": figure,
                "target": target,
                "value": value,
                "pass": ok,
            }
        )

    def as_dict(self) -> dict:
        return {
            "database": self.database,
            "server": self.server,
            "checks": self.lines,
            "figures": self.figures,
        }


def fmt_ms(value: float) -> str:
    return f"{value:,.1f} ms"


def fmt_rps(value: float) -> str:
    return f"{value:,.0f} req/s"


def fmt_mb(value: float) -> str:
    return f"{value:,.1f} MB"


def _cell(line: dict | None) -> str:
    if line is None:
        return "not run"
    mark = {True: " **PASS**", False: " **MISS**", None: ""}[line["pass"]]
    return f"{line['value']}{mark}"


def markdown(report: dict) -> str:
    out = []
    databases = list(dict.fromkeys(run["database"] for run in report["runs"]))
    for database in databases:
        runs = [run for run in report["runs"] if run["database"] == database]
        out.append(f"### {database}\n")
        out.append("| Scenario | Figure | Target | " + " | ".join(r["server"] for r in runs) + " |")
        out.append("| --- | --- | --- | " + " | ".join("---" for _ in runs) + " |")
        keys = list(dict.fromkeys((c["scenario"], c["figure"]) for r in runs for c in r["checks"]))
        for scenario, figure in keys:
            cells = []
            target = "—"
            for r in runs:
                line = next(
                    (c for c in r["checks"] if (c["scenario"], c["figure"]) == (scenario, figure)),
                    None,
                )
                if line is not None:
                    target = line["target"]
                cells.append(_cell(line))
            out.append(f"| {scenario} | {figure} | {target} | " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)
