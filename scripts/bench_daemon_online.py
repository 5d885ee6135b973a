#!/usr/bin/env python3
"""make bench-daemon, online part: the daemon as systemd runs it (no --offline), politeness on.

Two publishers on 127.0.0.2 and 127.0.0.3 answer every request after 200 ms and record, per host, the requests in
flight and the gap between request starts. 300 drafts, each citing 6 links (its own article, whose page holds
its excerpt, and 5 more), arrive at once. The config is the shipped one for politeness: per_host_concurrency 4,
per_host_interval_ms 100.

Reported: time until every report is final (INDEX.json: no draft `checking`) against the politeness lower
bound (the busiest host's requests x the interval); peak requests in flight per host and the least gap between
two request starts, as the servers saw them; requests per URL; peak threads; peak RSS; idle RSS and idle
private memory (RssAnon) before and after the burst.
Goals (issue 11): limits never exceeded; time <= 1.2x the lower bound; peak RSS <= 80 MB; at most 12 threads;
idle RssAnon <= 8 MB. Everything is on 127.0.0.0/8 and stops by itself."""
import argparse, http.server, json, shutil, socket, struct, subprocess, sys, tempfile, threading, time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SO_TIMESTAMPNS = 35  # Linux, 64-bit time_t
EXCERPT = ("Officials in the province said the new rules would take effect next month and apply to every county, "
           "although the details of how they will be enforced have not yet been published.")
PAGE = (f"<html><head><title>Provincial rules</title></head><body><article><h1>Provincial rules</h1><p>{EXCERPT}</p>"
        "<p>See also the earlier reports.</p></article></body></html>").encode()


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0
        self.starts = []  # (arrival, whether the kernel stamped it)
        self.requests = Counter()

    def begin(self, key, arrived, stamped):
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            self.starts.append((arrived, stamped))
            self.requests[key] += 1

    def end(self):
        with self.lock:
            self.in_flight -= 1


def publisher(host, delay):
    recorder = Recorder()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        arrived = 0.0

        def setup(self):
            super().setup()
            self.connection.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)

        def handle_one_request(self):
            # When the request reached this host: the kernel's timestamp of its first bytes (peeked, so the
            # normal reading still sees them), not when a Python thread got round to it.
            try:
                data, ancillary, _, _ = self.connection.recvmsg(1, 64, socket.MSG_PEEK)
            except OSError:
                data, ancillary = b"", []
            self.arrived = time.time()
            self.stamped = False
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(payload) >= 16:
                    seconds, nanoseconds = struct.unpack("qq", payload[:16])
                    self.arrived = seconds + nanoseconds / 1e9
                    self.stamped = True
            if not data:
                self.close_connection = True
                return
            super().handle_one_request()

        def answer(self, body):
            recorder.begin(self.command + " " + self.path, self.arrived, self.stamped)
            try:
                time.sleep(delay)
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(PAGE)))
                self.end_headers()
                if body:
                    self.wfile.write(PAGE)
            finally:
                recorder.end()

        def do_HEAD(self):
            self.answer(False)

        def do_GET(self):
            self.answer(True)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer((host, 0), Handler)
    # Set on the listening socket, so that an accepted connection's first request is stamped too (set after
    # accept, the option missed the bytes already queued, and that start fell back to a Python thread's clock).
    server.socket.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, recorder


def status(pid):
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.split()[0] if value.split() else ""
    return fields


def thread_names(pid):
    names = Counter()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            names[(task / "comm").read_text().strip()] += 1
        except OSError:
            pass
    return ", ".join(f"{name} x{count}" if count > 1 else name for name, count in sorted(names.items()))


def mib(fields, key):
    return int(fields.get(key, 0)) / 1024


def summary(work):
    try:
        return json.loads((work / "reports" / "INDEX.json").read_text())["summary"]
    except (OSError, ValueError, KeyError):
        return {}


def main():
    # The recording servers are Python threads: a thread waiting for the GIL would read a request late (by up to
    # the 5 ms switch interval) and make two requests look closer together than they arrived.
    sys.setswitchinterval(0.0002)
    parser = argparse.ArgumentParser()
    parser.add_argument("--briefd", required=True)
    parser.add_argument("--drafts", type=int, default=300)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--interval-ms", type=int, default=100)
    args = parser.parse_args()
    publishers = [publisher(host, args.delay) for host in ("127.0.0.2", "127.0.0.3")]
    base = [f"http://{server.server_address[0]}:{server.server_address[1]}" for server, _ in publishers]
    work = Path(tempfile.mkdtemp(prefix="briefd-bench-online-"))
    (work / "drafts").mkdir()
    (work / "briefd.yml").write_text(
        f"registry: {ROOT}/config/sources.yml\n"
        f"paths: {{drafts: drafts, reports: reports, digests: digests, state: var/briefd.sqlite, templates: {ROOT}/templates}}\n"
        f"links: {{allow_networks: [127.0.0.0/8], per_host_concurrency: {args.per_host}, "
        f"per_host_interval_ms: {args.interval_ms}, timeout_s: 30}}\n"
        "log_level: warning\n")
    # Each draft: its article on one host, five more links spread over both (a fifth of them shared).
    drafts = {}
    for i in range(args.drafts):
        links = [f"{base[(i + k) % 2]}/story/{i}-{k}" if k % 5 else f"{base[k % 2]}/shared/{i % 60}" for k in range(1, 6)]
        body = " ".join(f"[link {k}]({url})" for k, url in enumerate(links, 1))
        drafts[f"d{i:04d}.md"] = (f"---\ntitle: Provincial Rules {i}\nurl: {base[i % 2]}/article/{i}\nsource: ChinaFile\n"
                                  f"published: 2026-11-20\nsection: Government / Politics / Foreign Affairs\n---\n"
                                  f"{EXCERPT}\n\nSee also the earlier reports: {body}.\n")
    daemon = subprocess.Popen([str(Path(args.briefd).resolve()), "run", "--config", str(work / "briefd.yml")],
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while not (work / "reports").exists() and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
        before = status(daemon.pid)
        print(f"idle before the burst: RSS {mib(before, 'VmRSS'):.1f} MiB, RssAnon {mib(before, 'RssAnon'):.1f} MiB, "
              f"threads {before['Threads']}")
        staging = work / "staging"
        staging.mkdir()
        for name, text in drafts.items():
            (staging / name).write_text(text)
        start = time.perf_counter()
        for name in drafts:
            (staging / name).rename(work / "drafts" / name)
        peak_threads = 0
        peak_names = ""
        finished = None
        while time.perf_counter() - start < 600:
            fields = status(daemon.pid)
            if int(fields["Threads"]) > peak_threads:
                peak_threads = int(fields["Threads"])
                peak_names = thread_names(daemon.pid)
            done = summary(work)
            if done.get("drafts") == args.drafts and done.get("checking") == 0:
                finished = time.perf_counter() - start
                break
            time.sleep(0.05)
        peak_rss = mib(status(daemon.pid), "VmHWM")
        # Idle again: sampled 3, 10 and 30 s after the burst (libdispatch's idle worker threads, whose stacks count
        # as private memory, leave after a few seconds).
        idle = []
        for wait in (3, 7, 20):
            time.sleep(wait)
            idle.append(status(daemon.pid))
        after = idle[-1]
        total = Counter()
        for (server, recorder), url in zip(publishers, base):
            starts = sorted(recorder.starts)
            gaps = [b[0] - a[0] for a, b in zip(starts, starts[1:])]
            # A start the kernel did not stamp is when a Python thread got to it: later than the request came.
            stamped = [b[0] - a[0] for a, b in zip(starts, starts[1:]) if a[1] and b[1]]
            unstamped = sum(1 for start in starts if not start[1])
            total.update(recorder.requests)
            print(f"{url}: {len(starts)} requests, at most {recorder.peak} in flight (limit {args.per_host}), "
                  f"least gap between starts {min(gaps) * 1000:.1f} ms (interval {args.interval_ms} ms); "
                  f"{unstamped} starts not stamped by the kernel; least gap between stamped starts "
                  f"{min(stamped) * 1000 if stamped else float('nan'):.1f} ms")
        busiest = max(len(recorder.starts) for _, recorder in publishers)
        bound = busiest * args.interval_ms / 1000
        repeated = sum(1 for count in total.values() if count > 1)
        print(f"requests asked more than once (same method and URL): {repeated}")
        if finished is None:
            print("NOT FINISHED within 600 s")
        else:
            print(f"every report final after {finished:.2f} s; lower bound {bound:.2f} s "
                  f"(busiest host {busiest} requests x {args.interval_ms} ms): {finished / bound:.3f}x (goal <= 1.2)")
        print(f"peak threads {peak_threads} (goal <= 12): {peak_names}; peak RSS {peak_rss:.1f} MiB (goal <= 80)")
        samples = ", ".join(f"{mib(fields, 'RssAnon'):.1f} MiB with {fields['Threads']} threads after {t} s"
                            for fields, t in zip(idle, (3, 10, 30)))
        print(f"idle after the burst: RssAnon {samples} (goal <= 8); RSS {mib(after, 'VmRSS'):.1f} MiB")
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
        for server, _ in publishers:
            server.shutdown()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
