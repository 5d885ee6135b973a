#!/usr/bin/env python3
"""make bench-build: times `briefd build` of a 500-item issue against cmark-gfm rendering the same 500
excerpts to HTML, alternating A and B in one run, and prints medians and the ratio (goal <= 3).

Each briefd round starts from an empty state database and digests folder, so it does the whole build:
checking the drafts, assembling, rendering seven templates, writing atomically with fsync, recording the
issue. Nothing here touches the network."""
import argparse, os, random, shutil, statistics, sys, tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_check import brief, timed  # noqa: E402  (same realistic briefs as bench-check)

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--briefd", required=True)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="briefd-bench-build-"))
    try:
        rng = random.Random(args.seed)
        drafts, excerpts = work / "drafts", work / "excerpts"
        drafts.mkdir()
        excerpts.mkdir()
        for i in range(args.items):
            text = brief(rng, i)
            (drafts / f"item-{i:04d}.md").write_text(text)
            (excerpts / f"item-{i:04d}.md").write_text(text.split("---\n", 2)[2])
        config = work / "briefd.yml"
        config.write_text(
            f"registry: {ROOT}/config/sources.yml\n"
            f"paths: {{drafts: {drafts}, digests: {work}/out, state: {work}/state.sqlite, templates: {ROOT}/templates}}\n")
        a = [str(Path(args.briefd).resolve()), "build", "--config", str(config), "--issue", "2026-12-02"]
        b = ["cmark-gfm", "--smart", "-e", "autolink", "-e", "table", "-e", "strikethrough", "-e", "tagfilter"] + \
            sorted(str(p) for p in excerpts.iterdir())

        def fresh():
            shutil.rmtree(work / "out", ignore_errors=True)
            for stale in work.glob("state.sqlite*"):
                stale.unlink()

        fresh(); timed(a); timed(b)  # warm the page cache for both
        ta, tb = [], []
        for r in range(args.rounds):
            fresh()
            ta.append(timed(a)[0])
            tb.append(timed(b)[0])
            print(f"round {r + 1}: briefd build {ta[-1]:.3f} s   cmark-gfm {tb[-1]:.3f} s")
        items = sum(1 for line in (work / "out/2026-12-02/build.json").read_text().splitlines() if '"placement"' in line)
        ma, mb = statistics.median(ta), statistics.median(tb)
        print(f"{items} items in the issue; median: briefd build {ma:.3f} s, cmark-gfm {mb:.3f} s, "
              f"ratio {ma / mb:.2f} (goal <= 3.00)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
