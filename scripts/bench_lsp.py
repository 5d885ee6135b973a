#!/usr/bin/env python3
"""make bench-lsp: keystroke to diagnostics in `briefd lsp`, p50 and p99, on a 5,000-word post and on a brief.

A keystroke is one incremental didChange (a character typed, then deleted, in the middle of the text); its latency
is the time from writing it on the server's stdin to reading the publishDiagnostics of that version. Keystrokes are
sent one at a time, each after the previous answer, so every one is measured without coalescing.

The workspace is real-sized: the project's registry, 200 other drafts in the folder (for the duplicate checks), and
a state database that holds a check of every link and a kept page for every quote (made first by `briefd check`
against pages served on 127.0.0.1), so each keystroke also reads verdicts and compares quotes.

The peer, alternated with it in the same run: `briefd check --offline` started on the same file (what an editor
plugin that runs the command on save would wait for), and cmark-gfm rendering it (the floor: parsing alone)."""
import argparse, http.server, json, os, random, shutil, statistics, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(__file__))
from bench_check import paragraph, sentence, generate  # noqa: E402

LEADS = ["Historian Mara Feld, writing in [The Wire China]({u}), looked at the matter:",
         "As [Caixin reported]({u}):", "Ian Johnson argues in [Foreign Affairs]({u}) that the roots are deep:",
         "[Sixth Tone]({u}) put it this way:", "Jeremy Goldkorn reminds us, in [The China Project]({u}):"]


def big_post(rng, port, words):
    """A post of about `words` words: paragraphs with links, lead-ins and block quotes whose pages are served."""
    parts, pages, count, n = [], {}, 0, 0
    while count < words:
        n += 1
        url = f"http://127.0.0.1:{port}/p/{n}"
        text = paragraph(rng, rng.randint(40, 90))
        parts.append(text + f" More in [this report]({url}x).")
        quote = paragraph(rng, rng.randint(25, 60))
        parts.append(rng.choice(LEADS).format(u=url))
        parts.append("> " + quote)
        pages[f"/p/{n}"] = quote
        pages[f"/p/{n}x"] = text
        count += len(text.split()) + len(quote.split()) + 12
    body = "\n\n".join(parts)
    return ("---\nkind: post\ntitle: A Long Read on the Licensing Rules\nauthor: Joann Pittman\ndate: 2026-11-25\n"
            "---\n" + body + "\n"), pages


def serve(pages):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            text = pages.get(self.path.split("?")[0])
            body = (f"<html><head><title>Page</title></head><body><article><h1>Report</h1><p>{text}</p>"
                    "</article></body></html>" if text else "<p>gone</p>").encode()
            self.send_response(200 if text else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Client:
    """`briefd lsp` on pipes, with a blocking reader of frames."""
    def __init__(self, briefd, config):
        self.process = subprocess.Popen([briefd, "lsp", "--config", config], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def send(self, message):
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def read(self):
        length = None
        while True:
            line = self.process.stdout.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.process.stdout.read(length))

    def diagnostics(self, version):
        while True:
            message = self.read()
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"].get("version") == version:
                return message["params"]["diagnostics"]

    def stop(self):
        self.send({"jsonrpc": "2.0", "id": 99, "method": "shutdown"})
        while self.read().get("id") != 99:
            pass
        self.send({"jsonrpc": "2.0", "method": "exit"})
        return self.process.wait(10)


def keystrokes(client, uri, text, count, version):
    """`count` keystrokes in the middle of `text`; their latencies in ms, and the last version sent."""
    lines = text.split("\n")
    line = len(lines) // 2
    while not lines[line].strip():
        line += 1
    column = len(lines[line].encode("utf-16-le")) // 2 // 2
    latencies = []
    for k in range(count):
        version += 1
        if k % 2 == 0:
            change = {"range": {"start": {"line": line, "character": column}, "end": {"line": line, "character": column}}, "text": "x"}
        else:
            change = {"range": {"start": {"line": line, "character": column}, "end": {"line": line, "character": column + 1}}, "text": ""}
        started = time.perf_counter()
        client.send({"jsonrpc": "2.0", "method": "textDocument/didChange",
                     "params": {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}})
        client.diagnostics(version)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies, version


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(argv):
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - started) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--briefd", required=True)
    parser.add_argument("--keystrokes", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--words", type=int, default=5000)
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    work = tempfile.mkdtemp(prefix="briefd-bench-lsp-")
    try:
        rng = random.Random(7)
        pages = {}
        server = serve(pages)
        post, made = big_post(rng, server.server_address[1], args.words)
        pages.update(made)
        shutil.copy(os.path.join(root, "config", "sources.yml"), os.path.join(work, "sources.yml"))
        with open(os.path.join(work, "briefd.yml"), "w") as f:
            f.write("registry: sources.yml\npaths: {drafts: drafts, reports: reports, digests: digests, "
                    "state: var/briefd.sqlite}\nlinks: {allow_networks: [127.0.0.0/8], per_host_interval_ms: 0, "
                    "per_host_concurrency: 8}\n")
        drafts = os.path.join(work, "drafts")
        os.makedirs(drafts)
        generate(os.path.join(drafts, "others"), 200, 11)
        post_path = os.path.join(drafts, "long-read.md")
        with open(post_path, "w") as f:
            f.write(post)
        brief = ("---\ntitle: Licensing Rules\nurl: http://127.0.0.1:%d/p/1\nsource: The Wire China\n"
                 "published: 2026-11-20\nsection: Government / Politics / Foreign Affairs\n---\n%s\n"
                 % (server.server_address[1], pages["/p/1"]))
        brief_path = os.path.join(drafts, "brief.md")
        with open(brief_path, "w") as f:
            f.write(brief)
        config = os.path.join(work, "briefd.yml")
        # The state database as the daemon leaves it: every link checked, every quoted page kept.
        subprocess.run([args.briefd, "check", "--config", config, post_path, brief_path],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        words = len(post.split("---", 2)[2].split())
        cmark = shutil.which("cmark-gfm")
        lsp = {"post": [], "brief": []}
        cli, floor = [], []
        for _ in range(args.rounds):
            client = Client(args.briefd, config)
            client.send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
            while client.read().get("id") != 1:
                pass
            version = 0
            for name, path, text in (("post", post_path, post), ("brief", brief_path, brief)):
                uri = "file://" + path
                client.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
                    "uri": uri, "languageId": "markdown", "version": 1, "text": text}}})
                found = client.diagnostics(1)
                if name == "post" and not lsp["post"]:
                    codes = {}
                    for d in found:
                        codes[d["code"]] = codes.get(d["code"], 0) + 1
                    print(f"post: {words} words, {len(pages) // 2} quotes, {len(pages)} links; "
                          f"{len(found)} diagnostics on opening: {codes}")
                latencies, _ = keystrokes(client, uri, text, args.keystrokes // args.rounds, 1)
                lsp[name] += latencies
            client.stop()
            for _ in range(4):
                cli.append(timed([args.briefd, "check", "--offline", "--config", config, post_path]))
                if cmark:
                    floor.append(timed([cmark, "--extension", "table", post_path]))
        for name in ("post", "brief"):
            values = lsp[name]
            print(f"briefd lsp, {name}: keystroke to diagnostics p50 {statistics.median(values):.1f} ms, "
                  f"p99 {percentile(values, 99):.1f} ms, max {max(values):.1f} ms ({len(values)} keystrokes)")
        print(f"briefd check --offline on the post, a process per run: median {statistics.median(cli):.1f} ms "
              f"({len(cli)} runs); ratio to the LSP's p50 {statistics.median(cli) / statistics.median(lsp['post']):.1f}x")
        if floor:
            print(f"cmark-gfm rendering the post: median {statistics.median(floor):.1f} ms ({len(floor)} runs)")
        if percentile(lsp["post"], 99) > 150:
            print("bench-lsp: p99 on the post is over the 150 ms goal", file=sys.stderr)
            return 1
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
