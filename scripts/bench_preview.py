#!/usr/bin/env python3
"""make bench-preview: the desk's preview of the coming issue with 280 ready briefs, as an editor opens it (the page
and its two frames, web and email), against a baseline build in the same run (A and B alternated, medians, ratio).
Two figures per build: a view while nothing changes, and a view just after a draft was edited (the account moved).

Usage: bench_preview.py --briefd PATH [--baseline PATH] [--drafts 280] [--rounds 15]
"""
import argparse, http.client, json, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time
from pathlib import Path

from bench_desk import free_port, make_workspace

SECTIONS = ["Books", "Society / Culture / Life", "Religion", "Economy / Trade / Business"]


def get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def wait_for(predicate, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if predicate():
                return True
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    return False


def view(port):
    """The page and its two frames, as a browser asks for them; seconds."""
    started = time.monotonic()
    for path in ("/issues/next", "/issues/next/web", "/issues/next/email"):
        status, _ = get(port, path)
        assert status == 200, (path, status)
    return time.monotonic() - started


def run(briefd, tmp, drafts, rounds):
    port = free_port()
    config = make_workspace(tmp, f"127.0.0.1:{port}", count=drafts, name="brief", sections=SECTIONS, misspell_every=0)
    process = subprocess.Popen([briefd, "run", "--offline", "--config", str(config), "--log-level", "warning"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        index = tmp / "reports" / "INDEX.json"
        def settled():
            entries = json.loads(index.read_text())
            entries = entries.get("drafts", entries) if isinstance(entries, dict) else entries
            return len(entries) == drafts and all(e.get("status") != "checking" for e in entries)
        assert wait_for(settled), "the drafts were not all checked"
        assert wait_for(lambda: get(port, "/healthz")[0] == 200)
        plan = json.loads(get(port, "/api/issues/next")[1])
        included = len(plan.get("items", []))
        view(port)  # warm
        steady = [view(port) for _ in range(rounds)]
        changed = []
        edited = tmp / "drafts" / "brief-000.md"
        report = tmp / "reports" / "brief-000.report.json"
        for round in range(rounds):
            before = report.stat().st_mtime_ns
            edited.write_text(edited.read_text() + " ")
            assert wait_for(lambda: report.stat().st_mtime_ns != before), "the edit was not checked"
            changed.append(view(port))
        return included, statistics.median(steady), statistics.median(changed)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--briefd", required=True)
    parser.add_argument("--baseline")
    parser.add_argument("--drafts", type=int, default=280)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--alternations", type=int, default=2)
    args = parser.parse_args()
    builds = [("briefd", args.briefd)] + ([("baseline", args.baseline)] if args.baseline else [])
    results = {name: [] for name, _ in builds}
    tmp = Path(tempfile.mkdtemp(prefix="briefd-bench-preview-"))
    try:
        for turn in range(args.alternations):
            for name, binary in (builds if turn % 2 == 0 else list(reversed(builds))):
                folder = tmp / f"{name}-{turn}"
                included, steady, changed = run(binary, folder, args.drafts, args.rounds)
                results[name].append((steady, changed))
                print(f"{name} (turn {turn + 1}): {included} items; a view (page + 2 frames) p50 {steady * 1000:.0f} ms "
                      f"unchanged, {changed * 1000:.0f} ms just after an edit")
                shutil.rmtree(folder, ignore_errors=True)
        summary = {name: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
                   for name, runs in results.items()}
        for name, (steady, changed) in summary.items():
            print(f"{name}: median view {steady * 1000:.0f} ms unchanged, {changed * 1000:.0f} ms after an edit")
        if args.baseline:
            (a_steady, a_changed), (b_steady, b_changed) = summary["briefd"], summary["baseline"]
            print(f"speed-up over the baseline: {b_steady / a_steady:.1f}x unchanged, {b_changed / a_changed:.1f}x after an edit")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
