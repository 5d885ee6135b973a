#!/usr/bin/env python3
"""Scores the attribution rules on the pattern corpus (Tests/Corpus/Patterns): twenty short posts written in the
patterns of real pages, half clean and half with one planted mistake each, in two parts: `dev/` (the rules may be
tuned on it) and `heldout/` (kept aside: never used to tune a rule, only to report). For each part: false errors,
false warnings per 100 drafts, and planted mistakes caught.

Usage: pattern_corpus.py BRIEFD CORPUS_DIR [--check]
With --check, exits 1 when a part has a false alarm or a missed plant that CORPUS_DIR/known.txt does not list.
"""
import json, subprocess, sys
from pathlib import Path


def findings(briefd, corpus, part):
    out = subprocess.run([briefd, "check", "--offline", "--format", "json", "--config", str(corpus / "briefd.yml"),
                          str(corpus / part)], capture_output=True, text=True, timeout=300)
    if out.returncode not in (0, 1):
        sys.exit(f"briefd check failed ({out.returncode}): {out.stderr.strip()}")
    result, drafts = [], 0
    for draft in json.loads(out.stdout)["drafts"]:
        drafts += 1
        for f in draft["findings"]:
            if f["severity"] in ("error", "warning"):
                result.append((Path(draft["path"]).name, f["line"], f["rule"], f["severity"], f["message"]))
    return result, drafts


def expected(path):
    lines = [l.strip() for l in path.read_text().splitlines() if l.strip() and not l.startswith("#")]
    return {(l.split(":")[0], int(l.split(":")[1].split()[0]), l.split()[1]) for l in lines}


def main():
    briefd, corpus = sys.argv[1], Path(sys.argv[2])
    known_path = corpus / "known.txt"
    known = {l.strip() for l in known_path.read_text().splitlines() if l.strip() and not l.startswith("#")} \
        if known_path.exists() else set()
    worse = []
    print(f"pattern corpus: {corpus}")
    print(f"  {'part':8} {'drafts':>6} {'false errors':>13} {'false warnings':>15} {'per 100':>8} {'planted caught':>15}")
    for part in ("dev", "heldout", "setaside"):
        if not (corpus / part).is_dir():
            continue
        found, drafts = findings(briefd, corpus, part)
        wanted = expected(corpus / part / "expected.txt")
        got = {(f, l, r) for f, l, r, _, _ in found}
        false_errors = [x for x in found if (x[0], x[1], x[2]) not in wanted and x[3] == "error"]
        false_warnings = [x for x in found if (x[0], x[1], x[2]) not in wanted and x[3] == "warning"]
        missed = sorted(wanted - got)
        per100 = 100 * len(false_warnings) / max(drafts, 1)
        print(f"  {part:8} {drafts:>6} {len(false_errors):>13} {len(false_warnings):>15} {per100:>8.1f} "
              f"{len(wanted) - len(missed):>7} of {len(wanted)}")
        for f, l, r, sev, msg in false_errors + false_warnings:
            key = f"{part}/{f}:{l} {r}"
            print(f"    false {sev}: {key}: {msg}")
            if key not in known:
                worse.append(key)
        for f, l, r in missed:
            key = f"{part}/{f}:{l} {r}"
            print(f"    missed: {key}")
            if key not in known:
                worse.append(key)
    if "--check" in sys.argv and worse:
        print(f"\npattern corpus: {len(worse)} result(s) worse than recorded in known.txt")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
