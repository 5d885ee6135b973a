#!/usr/bin/env python3
"""make bench-daemon: drafts dropped into a running `briefd run --offline`, one by one and all at once; prints
drop-to-report latency (p50, p99), the time for a whole burst, and the daemon's idle and peak memory.

Goals (issue 5): p99 under 50 ms for single drops; all 2,000 of a burst reported within 2 s; idle memory under
30 MB. Then 10,000 drafts at once (more events than the kernel queues: the overflow must be handled).
Everything happens in a temporary folder; nothing touches the network."""
import argparse, os, random, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_check import brief  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def memory(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_for(predicate, timeout):
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            return False
        time.sleep(0.0005)
    return True


def count_reports(folder):
    return sum(1 for p in folder.iterdir() if p.name.endswith(".report.json")) if folder.exists() else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--briefd", required=True)
    parser.add_argument("--drafts", type=int, default=2000)
    parser.add_argument("--overflow", type=int, default=10000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="briefd-bench-daemon-"))
    rng = random.Random(5)
    texts = [brief(rng, i) for i in range(max(args.drafts, args.overflow))]
    (work / "drafts").mkdir()
    (work / "briefd.yml").write_text(
        f"registry: {ROOT}/config/sources.yml\n"
        f"paths: {{drafts: drafts, reports: reports, digests: digests, state: var/briefd.sqlite, templates: {ROOT}/templates}}\n"
        "log_level: warning\n")
    daemon = subprocess.Popen([str(Path(args.briefd).resolve()), "run", "--offline", "--config", str(work / "briefd.yml")],
                              stderr=subprocess.DEVNULL)
    try:
        if not wait_for(lambda: (work / "reports" / "INDEX.md").exists() or (work / "reports").exists(), 10):
            sys.exit("the daemon did not start")
        time.sleep(0.5)
        idle = memory(daemon.pid, "VmRSS")
        print(f"idle memory: {idle:.1f} MiB (goal < 30)")

        single = work / "drafts" / "single"
        single.mkdir()
        latencies = []
        for i in range(args.drafts):
            path = single / f"d{i:05d}.md"
            report = work / "reports" / "single" / f"d{i:05d}.report.json"
            start = time.perf_counter()
            path.write_text(texts[i])
            if not wait_for(report.exists, 5):
                sys.exit(f"no report for {path}")
            latencies.append((time.perf_counter() - start) * 1000)
        latencies.sort()
        p50, p99 = statistics.median(latencies), latencies[int(len(latencies) * 0.99) - 1]
        print(f"single drops: {args.drafts}, drop-to-report p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms (goal p99 < 50)")

        # A burst: written elsewhere, then moved in at once (as a sync tool would), then written in place.
        staging = work / "staging"
        staging.mkdir()
        for i in range(args.drafts):
            (staging / f"b{i:05d}.md").write_text(texts[i])
        start = time.perf_counter()
        staging.rename(work / "drafts" / "burst")
        ok = wait_for(lambda: count_reports(work / "reports" / "burst") == args.drafts, 30)
        moved = time.perf_counter() - start
        written = work / "drafts" / "written"
        written.mkdir()
        start = time.perf_counter()
        for i in range(args.drafts):
            (written / f"w{i:05d}.md").write_text(texts[i])
        ok2 = wait_for(lambda: count_reports(work / "reports" / "written") == args.drafts, 30)
        burst = time.perf_counter() - start
        print(f"burst of {args.drafts}: a folder moved in, all reported in {moved:.2f} s{'' if ok else ' (INCOMPLETE)'}; "
              f"written one after another as fast as possible, all reported {burst:.2f} s after the first write"
              f"{'' if ok2 else ' (INCOMPLETE)'} (goal < 2 s)")
        print(f"peak memory: {memory(daemon.pid, 'VmHWM'):.1f} MiB")

        if args.overflow:
            flood = work / "drafts" / "flood"
            flood.mkdir()
            start = time.perf_counter()
            for i in range(args.overflow):
                (flood / f"f{i:05d}.md").write_text(texts[i])
            ok3 = wait_for(lambda: count_reports(work / "reports" / "flood") == args.overflow, 120)
            print(f"flood of {args.overflow}: {count_reports(work / 'reports' / 'flood')} reported, "
                  f"{time.perf_counter() - start:.2f} s after the first write{'' if ok3 else ' (INCOMPLETE)'}; "
                  f"peak memory {memory(daemon.pid, 'VmHWM'):.1f} MiB")
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
