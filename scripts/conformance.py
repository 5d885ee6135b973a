#!/usr/bin/env python3
"""Compares `briefd links --dump` with lychee's extraction of lychee's own Markdown fixtures.

Usage: conformance.py BRIEFD FIXTURES_DIR CONFIG
Allowed differences (see the fixtures' README and docs/rules.md): briefd also lists RFC 2606 example domains,
lychee adds a trailing "/" to bare hosts. Anything else fails.
"""
import subprocess, sys
from pathlib import Path
from urllib.parse import urlsplit

EXAMPLE_SUFFIXES = (".example", ".test", ".invalid", ".localhost")
EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")


def is_example(url: str) -> bool:
    if url.startswith("mailto:"):
        host = url.split("@", 1)[-1].lower()
    else:
        host = (urlsplit(url).hostname or "").lower()
    return host.endswith(EXAMPLE_SUFFIXES) or any(host == d or host.endswith("." + d) for d in EXAMPLE_DOMAINS)


def normal(url: str) -> str:
    return url.rstrip("/")


def main() -> int:
    briefd, fixtures, config = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    failures, compared = 0, 0
    for md in sorted(fixtures.glob("*.md")):
        expected_file = md.with_suffix(".expected")
        if not expected_file.exists():
            continue
        compared += 1
        expected = {normal(u) for u in expected_file.read_text().split()}
        out = subprocess.run([briefd, "links", "--config", config, "--dump", str(md)],
                             capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(f"FAIL {md.name}: briefd exited {out.returncode}: {out.stderr.strip()}")
            failures += 1
            continue
        got = {normal(u) for u in out.stdout.split()}
        missing = sorted(expected - got)
        extra = sorted(u for u in got - expected if not is_example(u))
        if missing or extra:
            failures += 1
            print(f"FAIL {md.name}: missing {missing}, extra {extra}")
        else:
            print(f"ok   {md.name}: {len(got)} links ({len(got - expected)} example-domain links lychee leaves out)")
    print(f"conformance: {compared - failures} fixtures match lychee, {failures} differ")
    return 1 if failures or compared == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
