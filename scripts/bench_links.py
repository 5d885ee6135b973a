#!/usr/bin/env python3
"""make bench-links: times `briefd links` against lychee on ../shared/bench's link farm (loopback only),
alternating A and B in one run, and prints wall times, peak memory, ratios and both verdict scores.

1. The fast mix (--hosts 50 --drafts 1000 --links 12 --mix fast --seed 7), both at 10 requests at once per
   host and no per-host interval (lychee --host-request-interval 0ms; briefd per_host_concurrency 10,
   per_host_interval_ms 0, 127.0.0.0/8 allowed), --rounds times each.
2. The full mix with lychee's politeness defaults set on both (10 per host, 50 ms between requests to one
   host), compared with the lower bound: the busiest host's request count x 50 ms.
Every address is in 127.0.0.0/8; nothing leaves the machine."""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

# Requests briefd sends for one URL of each farm kind, every one of them paced (the first request, each redirect
# hop, the GET after a refused HEAD, each retry: 500s are tried 1 + `retries` times). The basis of the lower bound.
PACED = {"moved": 2, "chain": 3, "nohead": 2, "forbidden": 2, "error": 3}


def timed(command, cwd, out_path=None):
    """Wall seconds and peak resident memory (MiB) of one run, via GNU time."""
    stats = Path(cwd) / ".time"
    with open(out_path or os.devnull, "w") as out:
        subprocess.run(["/usr/bin/time", "-o", str(stats), "-f", "%e %M"] + command, cwd=cwd, stdout=out,
                       stderr=subprocess.DEVNULL, check=False)
    wall, kib = stats.read_text().split()[-2:]
    return float(wall), int(kib) / 1024


def score(farm, linkfarm, results, fmt):
    out = subprocess.run([sys.executable, linkfarm, "score", str(farm), str(results), "--format", fmt],
                         capture_output=True, text=True, check=False)
    return json.loads(out.stdout.strip().splitlines()[-1])


def briefd_config(farm, interval_ms):
    config = farm / "briefd.yml"
    config.write_text(f"""registry: {Path(__file__).resolve().parent.parent / 'config/sources.yml'}
paths: {{state: {farm / 'state.sqlite'}}}
links:
  per_host_concurrency: 10
  per_host_interval_ms: {interval_ms}
  allow_networks: [127.0.0.0/8]
""")
    return config


def lower_bound(farm, interval_ms, retries):
    truth = json.loads((farm / "truth.json").read_text())
    per_host = Counter()
    for url in truth:
        parts = urlsplit(url)
        kind = parts.path.split("/")[1]
        requests = 1 + retries if kind == "error" else PACED.get(kind, 1)
        per_host[f"{parts.hostname}:{parts.port}"] += requests
    host, count = per_host.most_common(1)[0]
    return count * interval_ms / 1000, host, count


def run_mix(args, mix, interval_ms, rounds):
    linkfarm = str(Path(args.bench) / "linkfarm.py")
    farm = Path(tempfile.mkdtemp(prefix=f"briefd-farm-{mix}-"))
    farm.chmod(0o755)  # nginx's workers run as another user and must read www/.
    subprocess.run([sys.executable, linkfarm, "gen", str(farm), "--hosts", "50", "--drafts", "1000", "--links", "12",
                    "--mix", mix, "--seed", "7"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, linkfarm, "up", str(farm)], check=True)
    try:
        config = briefd_config(farm, interval_ms)
        lychee = ["lychee", "--no-progress", "-v", "--host-request-interval", f"{interval_ms}ms", "--host-concurrency",
                  "10", "--format", "json", "--output", "lychee.json", "drafts/"]
        briefd = [args.briefd, "links", "--config", str(config), "--format", "json", "--quiet", "drafts/"]
        times = {"lychee": [], "briefd": []}
        for _ in range(rounds):
            times["lychee"].append(timed(lychee, farm))
            for stale in farm.glob("state.sqlite*"):
                stale.unlink()  # Every round starts with an empty cache, as lychee does.
            times["briefd"].append(timed(briefd, farm, farm / "briefd.json"))
        scores = {"lychee": score(farm, linkfarm, farm / "lychee.json", "lychee"),
                  "briefd": score(farm, linkfarm, farm / "briefd.json", "briefd")}
        bound = lower_bound(farm, interval_ms, retries=2) if interval_ms else None
    finally:
        subprocess.run([sys.executable, linkfarm, "down", str(farm)], check=False)
        if not args.keep:
            shutil.rmtree(farm, ignore_errors=True)
    result = {"mix": mix, "interval_ms": interval_ms, "rounds": rounds}
    for tool in ("lychee", "briefd"):
        walls = [w for w, _ in times[tool]]
        result[tool] = {"wall_s": [round(w, 3) for w in walls], "median_wall_s": round(statistics.median(walls), 3),
                        "peak_mib": round(max(m for _, m in times[tool]), 1), "score": scores[tool]}
    result["ratio_briefd_to_lychee"] = round(result["briefd"]["median_wall_s"] / result["lychee"]["median_wall_s"], 3)
    if bound:
        bound, host, count = bound
        result["lower_bound_s"] = round(bound, 3)
        result["busiest_host"] = f"{host} ({count} requests)"
        result["briefd_over_lower_bound"] = round(result["briefd"]["median_wall_s"] / bound, 3)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--briefd", required=True)
    parser.add_argument("--bench", default=str(Path(__file__).resolve().parent.parent.parent / "shared/bench"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--full-rounds", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the generated farms")
    args = parser.parse_args()
    args.briefd = str(Path(args.briefd).resolve())
    print(f"machine: {os.cpu_count()} cores; {subprocess.run(['uname', '-srm'], capture_output=True, text=True).stdout.strip()}")
    fast = run_mix(args, "fast", 0, args.rounds)
    print(json.dumps(fast, indent=1))
    if args.full_rounds > 0:
        full = run_mix(args, "full", 50, args.full_rounds)
        print(json.dumps(full, indent=1))


if __name__ == "__main__":
    main()
