#!/usr/bin/env python3
"""make bench-archive: captures 500 pages of ../shared/bench's link farm into a WARC with briefd (`briefd
bench-capture`: the same CaptureRun an issue's capture runs) and with Debian's wget (`wget --warc-file`, a real WARC
writer), alternating A and B in one run, with the same per-host politeness on both, and prints wall times, peak
memory, WARC sizes, ratios and warcio's verdict on every record of both files.

The pages are article-sized HTML (our own generated text, 20-60 KB each, as a news article page with its markup
weighs) served by the farm's nginx on 10 hosts (127.0.0.2-11:18080). Two settings:
  polite:  one request at a time per host, at least 100 ms apart (briefd per_host_concurrency 1,
           per_host_interval_ms 100; wget --wait=0.1, which is one request at a time in all, so no less polite);
  unpaced: one request at a time per host, no wait (wget without --wait).
Every address is in 127.0.0.0/8; nothing leaves the machine."""
import argparse, json, os, random, shutil, statistics, subprocess, sys, tempfile
from pathlib import Path

HOSTS = 10
PORT = 18080
WORDS = ("the a of to and in that for on is was with as by at from said provincial government village school "
         "families cities workers market policy officials local rural county reform economy growth trade "
         "education teachers students children parents housing migrants factory province ministry report "
         "according year years last new more than two hundred forty decade while after before since under "
         "china chinese beijing shanghai guangdong gansu sichuan yunnan henan central committee council state "
         "people many some most which who their they them this these those have has had been being will would "
         "could should may might also however because although where when what how why program plan budget").split()


def article(rng, n):
    """One article page: a header with navigation, an inline script and style, 8-40 paragraphs, a footer."""
    paragraphs = []
    for _ in range(rng.randint(8, 40)):
        sentences = []
        for _ in range(rng.randint(3, 7)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(8, 28))]
            sentences.append(" ".join(words).capitalize() + ".")
        paragraphs.append("<p>" + " ".join(sentences) + "</p>")
    nav = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(30))
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Story {n}</title>"
            f"<style>body{{font-family:serif;margin:0 auto;max-width:40em}} nav li{{display:inline}}</style>"
            f"<script>window.analytics={{page:{n},sections:[{','.join(str(i) for i in range(40))}]}};</script>"
            f"</head><body><header><nav><ul>{nav}</ul></nav></header><article><h1>Story {n}</h1>"
            f"<time datetime=\"2026-11-20\">November 20, 2026</time>{''.join(paragraphs)}</article>"
            f"<footer><p>Copyright the farm. All rights reserved.</p></footer></body></html>\n")


def timed(command, cwd):
    stats = Path(cwd) / ".time"
    run = subprocess.run(["/usr/bin/time", "-o", str(stats), "-f", "%e %M"] + command, cwd=cwd,
                         capture_output=True, text=True, check=False)
    wall, kib = stats.read_text().split()[-2:]
    return float(wall), int(kib) / 1024, run


def warcio(arguments):
    return subprocess.run([sys.executable, "-c", "import sys; from warcio.cli import main; sys.exit(main())"]
                          + arguments, capture_output=True, text=True, check=False)


def verify(path, urls):
    """warcio check (every digest) and one response per URL (warcio index)."""
    check = warcio(["check", str(path)])
    index = warcio(["index", "-f", "warc-type,warc-target-uri,http:status", str(path)])
    records = [json.loads(line) for line in index.stdout.splitlines() if line.strip()]
    responses = {r.get("warc-target-uri") for r in records if r.get("warc-type") == "response"}
    return {"warcio_check_ok": check.returncode == 0, "records": len(records),
            "responses_for_every_url": set(urls) <= responses}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--briefd", required=True)
    parser.add_argument("--bench", default=str(Path(__file__).resolve().parent.parent.parent / "shared/bench"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    briefd = str(Path(args.briefd).resolve())
    linkfarm = str(Path(args.bench) / "linkfarm.py")
    print(f"machine: {os.cpu_count()} cores; {subprocess.run(['uname', '-srm'], capture_output=True, text=True).stdout.strip()}; "
          f"{subprocess.run(['wget', '--version'], capture_output=True, text=True).stdout.splitlines()[0]}")
    farm = Path(tempfile.mkdtemp(prefix="briefd-archive-farm-"))
    farm.chmod(0o755)
    subprocess.run([sys.executable, linkfarm, "gen", str(farm), "--hosts", str(HOSTS), "--drafts", "1", "--links", "1",
                    "--mix", "fast", "--seed", "7"], check=True, stdout=subprocess.DEVNULL)
    rng = random.Random(11)
    urls = []
    for n in range(args.pages):
        name = f"article-{n}.html"
        (farm / "www" / "page" / name).write_text(article(rng, n))
        urls.append(f"http://127.0.0.{n % HOSTS + 2}:{PORT}/page/{name}")
    (farm / "urls.txt").write_text("\n".join(urls) + "\n")
    page_bytes = sum((farm / "www" / "page" / f"article-{n}.html").stat().st_size for n in range(args.pages))
    subprocess.run([sys.executable, linkfarm, "up", str(farm)], check=True)
    results = {"pages": args.pages, "hosts": HOSTS, "page_bytes_total": page_bytes, "rounds": args.rounds}
    try:
        for setting, interval in (("polite", 100), ("unpaced", 0)):
            config = farm / f"briefd-{setting}.yml"
            config.write_text(f"""registry: {Path(__file__).resolve().parent.parent / 'config/sources.yml'}
paths: {{state: {farm / 'state.sqlite'}}}
links:
  per_host_concurrency: 1
  per_host_interval_ms: {interval}
  allow_networks: [127.0.0.0/8]
archive:
  max_page_bytes: 8388608
""")
            wget = ["wget", "--input-file", "urls.txt", "--warc-file=wget", "--no-warc-keep-log", "--delete-after",
                    "--no-verbose", "--tries=1", "--timeout=30", "-P", "wget-tmp"] + (
                ["--wait=0.1"] if interval else [])
            ours = [briefd, "bench-capture", "--config", str(config), "--urls", "urls.txt", "--out", "briefd-out"]
            times = {"wget": [], "briefd": []}
            for _ in range(args.rounds):
                for stale in [farm / "wget.warc.gz", farm / "wget-tmp", farm / "briefd-out"] + list(farm.glob("state.sqlite*")):
                    shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
                wall, mib, _ = timed(wget, farm)
                times["wget"].append((wall, mib))
                wall, mib, run = timed(ours, farm)
                times["briefd"].append((wall, mib))
                if run.returncode != 0 or '"captured": %d' % args.pages not in run.stdout:
                    print("briefd bench-capture:", run.stdout, run.stderr, file=sys.stderr)
            ours_warc = farm / "briefd-out" / "2000-01-06" / "archive.warc.gz"
            entry = {"interval_ms": interval}
            for tool, path in (("wget", farm / "wget.warc.gz"), ("briefd", ours_warc)):
                walls = [w for w, _ in times[tool]]
                entry[tool] = {"wall_s": walls, "median_wall_s": round(statistics.median(walls), 3),
                               "peak_mib": round(max(m for _, m in times[tool]), 1),
                               "warc_bytes": path.stat().st_size if path.exists() else None,
                               **verify(path, urls)}
            entry["wall_ratio_briefd_to_wget"] = round(entry["briefd"]["median_wall_s"] / entry["wget"]["median_wall_s"], 3)
            if entry["briefd"]["warc_bytes"] and entry["wget"]["warc_bytes"]:
                entry["size_ratio_briefd_to_wget"] = round(entry["briefd"]["warc_bytes"] / entry["wget"]["warc_bytes"], 3)
            results[setting] = entry
    finally:
        subprocess.run([sys.executable, linkfarm, "down", str(farm)], check=False)
        if not args.keep:
            shutil.rmtree(farm, ignore_errors=True)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
