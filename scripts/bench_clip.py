#!/usr/bin/env python3
"""make bench-clip: `briefd clip --print --format json` on each fixture page of
Tests/BriefdLinkTests/Fixtures/clip, served on 127.0.0.1 under its site's *.localhost name; the fields it gets
right against expected.json, and the time of a clip (process start to exit, fetch included), median of ROUNDS.

Usage: bench_clip.py --briefd PATH [--rounds N]
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "Tests/BriefdLinkTests/Fixtures/clip"
FIELDS = ["title", "url", "source", "published", "format", "via", "paywall"]


def serve(sites):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            host = self.headers.get("Host", "").split(":")[0]
            path = self.path.split("?")[0]
            for site in sites:
                if site["host"] == host and site["path"].startswith(path) and path not in ("", "/"):
                    body = (FIXTURES / site["file"]).read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Type", site.get("content_type") or "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--briefd", required=True)
    parser.add_argument("--rounds", type=int, default=11)
    args = parser.parse_args()
    expected = json.loads((FIXTURES / "expected.json").read_text())
    sites = expected["sites"]
    server = serve(sites)
    port = server.server_address[1]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "sources.yml").write_text(expected["registry"])
        (tmp / "briefd.yml").write_text(
            "registry: sources.yml\npaths: {drafts: drafts, state: briefd.sqlite}\n"
            "links: {allow_networks: [127.0.0.0/8], per_host_interval_ms: 0}\n")
        (tmp / "drafts").mkdir()
        rows, all_times, right_total, field_total = [], [], 0, 0
        for site in sites:
            origin = f"http://{site['host']}:{port}"
            url = origin + site["path"]
            times, document = [], None
            for _ in range(args.rounds):
                started = time.monotonic()
                run = subprocess.run([args.briefd, "clip", "--config", str(tmp / "briefd.yml"), "--print",
                                      "--format", "json", url], capture_output=True, text=True, timeout=60)
                times.append(time.monotonic() - started)
                if run.returncode != 0:
                    sys.exit(f"{site['name']}: exit {run.returncode}: {run.stderr}")
                document = json.loads(run.stdout)
            draft = document["draft"]
            wrong = []
            for field in FIELDS:
                want = site[field]
                if isinstance(want, str):
                    want = want.replace("{origin}", origin)
                if draft[field] != want:
                    wrong.append(f"{field}: {draft[field]!r} (wanted {want!r})")
            excerpt_ok = draft["excerpt"].startswith(site["excerpt_starts"]) and not any(
                bad in draft["excerpt"] for bad in site["excerpt_excludes"])
            if not excerpt_ok:
                wrong.append("excerpt")
            right = len(FIELDS) + 1 - len(wrong)
            right_total += right
            field_total += len(FIELDS) + 1
            median = statistics.median(times)
            all_times.extend(times)
            rows.append((site["name"], right, len(FIELDS) + 1, median, len(draft["excerpt"].split()), wrong))
    server.shutdown()
    print(f"| site layout | fields right (of 8) | excerpt words | clip p50 (ms) |")
    print(f"| --- | --- | --- | --- |")
    for name, right, total, median, words, wrong in rows:
        print(f"| {name} | {right} | {words} | {median * 1000:.0f} |")
    print(f"\nall: {right_total} of {field_total} fields right; clip p50 {statistics.median(all_times) * 1000:.0f} ms, "
          f"p90 {sorted(all_times)[int(len(all_times) * 0.9)] * 1000:.0f} ms over {len(all_times)} runs")
    for name, _, _, _, _, wrong in rows:
        for w in wrong:
            print(f"WRONG {name}: {w}")
    return 0 if right_total == field_total else 1


if __name__ == "__main__":
    sys.exit(main())
