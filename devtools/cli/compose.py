"""Write docker-compose.yml's app containers from the apps map (`make package` runs it).

One container per app of locals.apps in terraform/modules/platform/main.tf, on its declared port,
with its table and the URLs of the services it calls, between the `# BEGIN apps` and `# END apps`
lines of the services; the rest of the file is written by hand. `--check` changes nothing and exits
1 when the file differs from what would be written.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from devtools.terraform_source import App, read_topology

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
BEGIN = (
    "  # BEGIN apps: one per app of locals.apps, written by `make package` (python -m devtools.cli.compose)"
)
END = "  # END apps"
NAME_PREFIX = "foyer-local"  # the local root's name_prefix: its tables are foyer-local-<app>


def container(app: App, ports: dict[str, int]) -> str:
    """One app's service entry, on the YAML anchors the hand-written part defines."""
    lines = [
        f"  {app.name}:",
        "    <<: *app",
        "    ports:",
        f'      - "{app.port}:{app.port}"',
        "    environment:",
        "      <<: *app-env",
        f"      APP: {app.package}.app:app",
        f'      PORT: "{app.port}"',
        f"      FOYER_SERVICE: {app.name}",
    ]
    if app.table:
        lines.append(f"      TABLE_NAME: {NAME_PREFIX}-{app.name}")
    if app.calls:
        urls = {callee: f"http://{callee}:{ports[callee]}" for callee in sorted(app.calls)}
        lines.append(f"      FOYER_SERVICE_URLS: '{json.dumps(urls)}'")
    return "\n".join(lines) + "\n"


def generate(text: str, apps: dict[str, App]) -> str:
    """`text` with the lines between the markers replaced by one container per app."""
    start, end = text.find(BEGIN + "\n"), text.find(END + "\n")
    if start < 0 or end < start:
        raise ValueError(f"no {BEGIN!r} ... {END!r} lines (in that order) to write the apps between")
    ports = {name: app.port for name, app in apps.items()}
    body = "\n".join(container(app, ports) for app in apps.values())
    return text[: start + len(BEGIN) + 1] + "\n" + body + "\n" + text[end:]


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite the app containers (default) or, with --check, exit 1 when they are stale."""
    parser = argparse.ArgumentParser(
        prog="python -m devtools.cli.compose", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if the file is stale")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository")
    args = parser.parse_args(argv)
    compose = args.root / COMPOSE_FILE.name
    current = compose.read_text(encoding="utf-8")
    wanted = generate(current, read_topology(args.root / "terraform").apps)
    if wanted == current:
        return 0
    if args.check:
        print(f"stale: {compose} (run `make package` to rewrite its app containers)", file=sys.stderr)
        return 1
    compose.write_text(wanted, encoding="utf-8")
    print(f"rewrote: {compose}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
