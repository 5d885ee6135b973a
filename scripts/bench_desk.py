#!/usr/bin/env python3
"""make bench-desk: the desk under load. 300 drafts in the folder; `briefd run --offline` (release) serves the
desk on loopback; an open-loop client sends 200 requests/s for DURATION seconds (each request at its scheduled
time, whether or not earlier ones finished, so a slow server shows up as latency rather than a slower rate),
half to `/` and half to a draft page, and reports p50/p99/max latency. Then the memory the web service adds
to the idle daemon: RssAnon of the daemon with `web.listen` "" and with the desk on (after the load, idle
for 20 s so the upkeep service releases memory), each a median of ROUNDS starts.

Usage: bench_desk.py --briefd PATH [--rate 200] [--duration 20] [--rounds 3]
"""
import argparse, http.client, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, threading, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_workspace(tmp, listen, count=300, name="draft", sections=("Books",), misspell_every=5):
    """`count` briefs in tmp/drafts (NAME-000.md …), every `misspell_every`-th with a misspelt name (0: none, so
    every one is ready), and a config serving the desk on `listen` ("" for none). Also bench_preview's workspace."""
    drafts = tmp / "drafts"
    drafts.mkdir(parents=True)
    for n in range(count):
        mistake = "Mara Fled" if misspell_every and n % misspell_every == 0 else "Mara Feld"
        (drafts / f"{name}-{n:03}.md").write_text(
            f"---\ntitle: {name.capitalize()} number {n} on the licensing rules\n"
            f"url: https://www.thewirechina.com/2026/11/{n}/x\n"
            f"source: The Wire China\npublished: 2026-11-20\nsection: {sections[n % len(sections)]}\n---\n"
            f"{mistake} writes that the rules do not ban anything outright; they make every activity conditional on a "
            "licence that can be withdrawn at any time, and that is the point of them.\n")
    (tmp / "briefd.yml").write_text(
        f"registry: {ROOT}/config/sources.yml\n"
        f"paths: {{drafts: drafts, reports: reports, digests: digests, state: briefd.sqlite, templates: {ROOT}/templates}}\n"
        f'web: {{listen: "{listen}"}}\n')
    return tmp / "briefd.yml"


def start(briefd, config):
    return subprocess.Popen([briefd, "run", "--offline", "--config", str(config), "--log-level", "warning"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(predicate, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def up(port):
    try:
        return get(port, "/healthz") == 200
    except OSError:
        return False


def rss_anon(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load(port, rate, duration):
    paths = ["/", "/drafts/draft-005.md"]
    latencies, errors = [], []
    lock = threading.Lock()
    start = time.monotonic() + 0.5
    total = int(rate * duration)

    def one(index):
        scheduled = start + index / rate
        delay = scheduled - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        try:
            status = get(port, paths[index % 2])
            elapsed = time.monotonic() - scheduled
            with lock:
                (latencies if status == 200 else errors).append(elapsed)
        except OSError as error:
            with lock:
                errors.append(str(error))

    # A pool wide enough that no request waits for a thread at 200/s.
    threads = []
    for index in range(total):
        thread = threading.Thread(target=one, args=(index,))
        thread.start()
        threads.append(thread)
        while len(threads) > 64:
            threads.pop(0).join()
    for thread in threads:
        thread.join()
    latencies.sort()
    return latencies, errors


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--briefd", required=True)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="briefd-bench-desk-"))
    try:
        port = free_port()
        config = make_workspace(tmp / "on", f"127.0.0.1:{port}")
        process = start(args.briefd, config)
        assert wait_for(lambda: up(port)), "the desk did not come up"
        for _ in range(20):
            get(port, "/")  # warm: every draft's title read once
        latencies, errors = load(port, args.rate, args.duration)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        p = lambda q: latencies[min(len(latencies) - 1, int(len(latencies) * q))] * 1000
        print(f"load: {len(latencies)} answers, {len(errors)} errors at {args.rate}/s for {args.duration} s "
              f"(/ and a draft page, 300 drafts): p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, max {latencies[-1] * 1000:.1f} ms")

        memory = {"off": [], "on": []}
        for round in range(args.rounds):
            for mode in ("off", "on"):
                folder = tmp / f"mem-{mode}-{round}"
                port = free_port()
                config = make_workspace(folder, f"127.0.0.1:{port}" if mode == "on" else "")
                process = start(args.briefd, config)
                assert wait_for(lambda: (folder / "reports" / "INDEX.json").exists()), "no index"
                if mode == "on":
                    assert wait_for(lambda: up(port))
                    for _ in range(200):
                        get(port, "/")
                        get(port, "/drafts/draft-005.md")
                time.sleep(20)  # idle: the upkeep service releases memory
                memory[mode].append(rss_anon(process.pid))
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=20)
        off, on = statistics.median(memory["off"]), statistics.median(memory["on"])
        print(f"idle RssAnon, median of {args.rounds}: desk off {off:.1f} MiB, desk on (after 400 pages) {on:.1f} MiB; "
              f"the desk adds {on - off:.1f} MiB   (runs: off {memory['off']}, on {memory['on']})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
