#!/usr/bin/env python3
"""Brings every derived copy of the alert rules and dashboards in line with
their sources; the one way to update the Helm chart's rules and dashboards.

Sources:
  alerts/*.rules.yml        the alert rules
  alerts/runbook-base-url   the runbook base URL (one line)
  dashboards/*.json         the Grafana dashboards

Derived (rewritten by this script):
  every `runbook_url:` in alerts/*.rules.yml and alerts/tests/*.yml
      -> <runbook base URL>#<anchor>
  deploy/helm/cloudflare-saml-exporter/files/rules/       copies of alerts/*.rules.yml
  deploy/helm/cloudflare-saml-exporter/files/dashboards/  copies of dashboards/*.json

(The chart's prometheusRule.runbookBaseUrl defaults to the exporter's own
/runbook through its Service, so it is not derived from the base file.)

  scripts/sync-chart.py           write the derived files
  scripts/sync-chart.py --check   change nothing; exit 1 naming each file that differs

Python 3 standard library only.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALERTS = ROOT / "alerts"
DASHBOARDS = ROOT / "dashboards"
CHART = ROOT / "deploy" / "helm" / "cloudflare-saml-exporter"
BASE_FILE = ALERTS / "runbook-base-url"

RUNBOOK_URL = re.compile(r"(?m)^(\s*runbook_url:\s*)[^\s#]*#")


def runbook_base() -> str:
    base = BASE_FILE.read_text().strip()
    if not re.fullmatch(r"https?://[^\s#$\"'\\]+", base):
        sys.exit(f"sync-chart: {BASE_FILE.relative_to(ROOT)} must hold one http(s) URL without '#', got {base!r}")
    return base


def wanted_files(base: str) -> dict[Path, str | None]:
    """Every derived file with the text it must have (None: must not exist)."""
    wanted: dict[Path, str | None] = {}
    for path in sorted(ALERTS.glob("*.rules.yml")) + sorted((ALERTS / "tests").glob("*.yml")):
        wanted[path] = RUNBOOK_URL.sub(lambda m: f"{m.group(1)}{base}#", path.read_text())

    for source_dir, pattern, target_dir in (
        (ALERTS, "*.rules.yml", CHART / "files" / "rules"),
        (DASHBOARDS, "*.json", CHART / "files" / "dashboards"),
    ):
        sources = {p.name for p in source_dir.glob(pattern)}
        for stale in target_dir.glob("*"):
            if stale.name not in sources:
                wanted[stale] = None
        for name in sorted(sources):
            source = source_dir / name
            # The rules are copied after their runbook URLs are brought in line.
            wanted[target_dir / name] = wanted.get(source) or source.read_text()
    return wanted


def main() -> int:
    check = sys.argv[1:] == ["--check"]
    if sys.argv[1:] and not check:
        print(__doc__, file=sys.stderr)
        return 64
    differing = []
    for path, text in wanted_files(runbook_base()).items():
        current = path.read_text() if path.exists() else None
        if current == text:
            continue
        differing.append(path.relative_to(ROOT))
        if check:
            continue
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    for path in differing:
        print(f"{'differs' if check else 'updated'}: {path}")
    if check and differing:
        print("sync-chart: the files above are out of date; run scripts/sync-chart.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
