#!/usr/bin/env python3
"""make bench-import: `briefd import` on its fixtures (items read right, field by field, against
Tests/BriefdLinkTests/Fixtures/import/expected.json) and on a 500-issue archive (pages per second, recording
into a fresh state database, archive and feeds rewritten once at the end; median of ROUNDS).

Usage: bench_import.py --briefd PATH [--rounds 3]
"""
import argparse, datetime, json, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests/BriefdLinkTests/Fixtures/import"
FIELDS = ["section", "title", "url", "source", "published", "featured", "format", "via", "paywall"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--briefd", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    expected = json.loads((FIXTURES / "expected.json").read_text())
    tmp = Path(tempfile.mkdtemp(prefix="briefd-bench-import-"))
    try:
        config = tmp / "briefd.yml"
        config.write_text(f"registry: {ROOT}/config/sources.yml\npaths: {{drafts: drafts, digests: digests, "
                          f"state: state/briefd.sqlite, templates: {ROOT}/templates}}\n")
        print("| page | layout | items | fields right |")
        print("| --- | --- | --- | --- |")
        total_right = total_fields = 0
        for page in expected["pages"]:
            run = subprocess.run([args.briefd, "import", "--dry-run", "--format", "json", "--config", str(config),
                                  str(FIXTURES / page["file"])], capture_output=True, text=True, timeout=60)
            items = json.loads(run.stdout)["issues"][0]["items"]
            right = sum(1 for want, got in zip(page["items"], items) for field in FIELDS if want[field] == got[field])
            fields = len(page["items"]) * len(FIELDS)
            right -= abs(len(items) - len(page["items"])) * len(FIELDS)
            total_right += right
            total_fields += fields
            about = page["about"].replace("|", "\\|")
            print(f"| `{page['file']}` | {about} | {len(items)} of {len(page['items'])} | {right} of {fields} |")
        print(f"\nall fixtures: {total_right} of {total_fields} fields right")

        template = (FIXTURES / "zgbriefs-2019-01-17.html").read_text()
        archive = tmp / "archive"
        archive.mkdir()
        day = datetime.date(2019, 1, 17)
        for n in range(500):
            issue = day - datetime.timedelta(weeks=n)
            text = (template.replace("January 17, 2019", issue.strftime("%B %-d, %Y"))
                    .replace("2019-01-17", issue.isoformat()).replace("/2019/01/", f"/{issue.year}/{issue.month:02}/{n}/"))
            (archive / f"zgbriefs-{issue.isoformat()}.html").write_text(text)
        times = []
        for round in range(args.rounds):
            state = tmp / "state"
            shutil.rmtree(state, ignore_errors=True)
            shutil.rmtree(tmp / "digests", ignore_errors=True)
            started = time.monotonic()
            run = subprocess.run([args.briefd, "import", "--format", "json", "--config", str(config), str(archive)],
                                 capture_output=True, text=True, timeout=600)
            times.append(time.monotonic() - started)
            document = json.loads(run.stdout)
            recorded = sum(1 for issue in document["issues"] if issue["outcome"] == "recorded")
            items = sum(len(issue["items"]) for issue in document["issues"])
        median = statistics.median(times)
        print(f"500-issue archive: {recorded} issues, {items} items recorded; {median:.2f} s median of {args.rounds} "
              f"({500 / median:.0f} pages/s; runs {', '.join(f'{t:.2f}' for t in times)} s)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
