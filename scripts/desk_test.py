#!/usr/bin/env python3
"""The editors' desk, tested as it is deployed: `briefd run` (online, on loopback) serving the desk, driven over
HTTP and in a real browser (Playwright with Debian's Chromium). Part of `make test` (make desk-test).

  * over HTTP: security headers, path traversal (plain, encoded, double-encoded, symlink), CSRF and Origin on
    POST, a body too large, hostile draft content escaped, /healthz JSON, /metrics parsed by prometheus_client,
    a non-loopback address without a token refused (exit 2), the token login and bearer token on /metrics;
  * in the browser: a draft dropped into the folder appears in the open desk without a reload; the mark of an
    error sits on the misspelled name; the next issue's preview shows its items; a page clipped from a local
    server becomes a draft page.

Usage: desk_test.py BRIEFD [--screenshots DIR]   (DIR: desk, draft and preview at 1280 and 390 px wide)
"""
import http.client, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAILURES = []


IDLE_TIMEOUT = 3


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        FAILURES.append(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ARTICLE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Village Schools Close Their Doors | The Wire China</title>
<meta property="og:title" content="Village Schools Close Their Doors">
<meta property="article:published_time" content="2026-11-20T08:00:00+08:00"></head>
<body><article><h1>Village Schools Close Their Doors</h1>
<p>Across the countryside, village schools are closing as families follow work to the cities and birth rates fall, and
children as young as six now board during the week in county towns far from home.</p></article></body></html>"""


def serve_articles():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = ARTICLE.encode() if self.path.startswith("/2026/") else b"<title>Not found</title>"
            self.send_response(200 if self.path.startswith("/2026/") else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def workspace(tmp, articles_port, listen, token_env=None, idle_timeout=None):
    (tmp / "drafts").mkdir(parents=True)
    (tmp / "sources.yml").write_text(
        "publications:\n  - {name: The Wire China, domains: [thewirechina.localhost]}\n"
        "people:\n  - {name: Mara Feld, writes_for: [The Wire China]}\n")
    web = (f'web: {{listen: "{listen}"' + (f", token_env: {token_env}" if token_env else "")
           + (f", idle_timeout_s: {idle_timeout}" if idle_timeout else "") + "}\n")
    (tmp / "briefd.yml").write_text(
        "registry: sources.yml\n"
        "paths: {drafts: drafts, reports: reports, digests: digests, state: state/briefd.sqlite, templates: "
        + str(ROOT / "templates") + "}\n"
        "links: {allow_networks: [127.0.0.0/8], per_host_interval_ms: 0, retries: 0}\n" + web)
    site = f"http://www.thewirechina.localhost:{articles_port}"
    (tmp / "drafts" / "clean.md").write_text(
        f"---\ntitle: Village Schools Close Their Doors\nurl: {site}/2026/11/20/village-schools/\nsource: The Wire China\n"
        "published: 2026-11-20\nsection: Education / Language\n---\nAcross the countryside, village schools are closing "
        "as families follow work to the cities and birth rates fall.\n")
    (tmp / "drafts" / "mistake.md").write_text(
        "---\nkind: post\ntitle: Notes on the rules\nauthor: Joann Pittman\ndate: 2026-11-24\n---\n"
        "The rules drew comment this week.\n\nHistorian Mara Fled, writing in The Wire China, was blunt:\n\n"
        "> The rules do not ban anything outright.\n")
    (tmp / "drafts" / "hostile.md").write_text(
        "---\ntitle: \"<script>alert(1)</script><img src=x onerror=alert(2)>\"\nurl: javascript:alert(3)\n"
        "source: \"\\\"><svg onload=alert(4)>\"\npublished: 2026-11-20\nsection: Books\n---\n"
        "</pre><script>alert(5)</script> and [a link](javascript:alert(6)) and \"quotes\" & ampersands.\n")
    os.symlink("/etc/hostname", tmp / "drafts" / "outside.md")
    return tmp / "briefd.yml"


def start(config, env=None):
    process = subprocess.Popen([BRIEFD, "run", "--config", str(config), "--log-level", "warning"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    return process


def wait_up(port, process, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"briefd run exited {process.returncode}: {process.stderr.read().decode()}")
        try:
            status, _, body = request(port, "GET", "/healthz")
            if status == 200:
                return json.loads(body)
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the desk did not come up")


def request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read().decode("utf-8", "replace")
    result = (response.status, response.headers, data)
    connection.close()
    return result


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            FAILURES.append("briefd did not stop within 20 s of SIGTERM")


def http_checks(port, tmp):
    status, headers, body = request(port, "GET", "/")
    check(status == 200, "GET / answers 200")
    csp = headers.get("Content-Security-Policy", "")
    check("script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp,
          "Content-Security-Policy: scripts from the desk only, no inline script, no framing")
    check(headers.get("X-Content-Type-Options") == "nosniff", "X-Content-Type-Options: nosniff")
    check(headers.get("Referrer-Policy") == "no-referrer", "Referrer-Policy: no-referrer")
    check("<script>" not in re.sub(r'<script src="/static/desk.js"></script>', "", body), "no script element but desk.js on the desk")
    check("&lt;script&gt;alert(1)&lt;/script&gt;" in body, "a hostile title is shown escaped in the list")

    for path in ["/drafts/../../etc/passwd", "/drafts/..%2f..%2fetc%2fpasswd", "/drafts/%2e%2e/%2e%2e/etc/hostname.md",
                 "/drafts/%252e%252e%252f%252e%252e%252fetc%252fpasswd", "/drafts//etc/passwd", "/drafts/outside.md",
                 "/drafts/.hidden.md", "/drafts/clean.md%00.txt"]:
        status, _, body = request(port, "GET", path)
        check(status == 404 and "root:" not in body and socket.gethostname() not in body, f"{path} is refused with 404")

    status, _, body = request(port, "GET", "/drafts/hostile.md")
    check(status == 200, "the hostile draft's page opens")
    check("<script>alert" not in body and "<svg onload" not in body and "<img src=x" not in body
          and 'href="javascript:' not in body, "the hostile draft renders inert (every tag escaped)")
    check("/pre&gt;&lt;script&gt;" in body and "(5)&lt;/script&gt;" in body, "its body text is escaped in place")

    status, _, body = request(port, "GET", "/clip")
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', body).group(1)
    form = lambda **kv: urllib.parse.urlencode(kv)
    origin = f"http://127.0.0.1:{port}"
    hdr = {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin}
    status, _, _ = request(port, "POST", "/clip", form(url="http://www.thewirechina.localhost/2026/x"), hdr)
    check(status == 403, "POST without a CSRF token is refused (403)")
    status, _, _ = request(port, "POST", "/clip", form(csrf="0" * 64, url="http://x.localhost/"), hdr)
    check(status == 403, "POST with a wrong CSRF token is refused (403)")
    status, _, _ = request(port, "POST", "/clip", form(csrf=token, url="http://x.localhost/"),
                           {**hdr, "Origin": "http://evil.example"})
    check(status == 403, "POST from another origin is refused (403)")
    status, _, _ = request(port, "POST", "/clip", form(csrf=token, url="http://x.localhost/"),
                           {"Content-Type": "application/x-www-form-urlencoded"})
    check(status == 403, "POST with neither Origin nor Referer is refused (403)")
    status, _, _ = request(port, "POST", "/clip", form(csrf=token, url="http://x.localhost/"),
                           {**hdr, "Origin": "null", "Sec-Fetch-Site": "cross-site"})
    check(status == 403, "POST with Origin: null from another site (Sec-Fetch-Site: cross-site) is refused (403)")
    status, _, _ = request(port, "POST", "/clip", "csrf=" + token + "&url=" + "a" * 200_000, hdr)
    check(status == 413, "a request body over web.max_body_bytes is refused (413)")
    status, _, _ = request(port, "POST", "/issues/next/build", form(csrf=token), {**hdr, "Origin": "http://evil.example"})
    check(status == 403 and not (tmp / "digests").exists(), "a cross-origin build request builds nothing")

    # A dead link cited by a draft, as the rot monitor records it (an archive answer that is not a web address
    # must not become a link).
    import sqlite3
    cited = re.search(r"url: (\S+)", (tmp / "drafts" / "clean.md").read_text()).group(1)
    with sqlite3.connect(tmp / "state" / "briefd.sqlite", timeout=10) as db:
        db.execute("INSERT OR REPLACE INTO link_health (url, state, failures, first_failure, last_check, last_status, archived_url, changed_at)"
                   " VALUES (?, 'dead', 3, 1764000000, 1764300000, 404, 'javascript:alert(7)', 1764300000)", (cited,))
    status, _, body = request(port, "GET", "/links")
    check(status == 200 and cited in body and 'href="/drafts/clean.md"' in body and "javascript:alert(7)" not in body,
          "/links shows the dead link, the draft citing it, and no link to a non-web archive address")

    status, headers, body = request(port, "GET", "/healthz")
    health = json.loads(body)
    check(status == 200 and health.get("up") is True and health.get("drafts") >= 3 and "last_scan" in health
          and "last_build" in health, "/healthz: up, drafts watched, last scan, last build")
    from prometheus_client.parser import text_string_to_metric_families
    status, headers, body = request(port, "GET", "/metrics")
    families = {f.name: f for f in text_string_to_metric_families(body)}
    check(status == 200 and "briefd_drafts" in families and "briefd_desk_requests" in families,
          "/metrics parses as Prometheus text (briefd_drafts, briefd_desk_requests_total)")
    statuses = {s.labels.get("status") for s in families["briefd_drafts"].samples}
    check({"ready", "needs_work", "checking", "unreadable"} <= statuses, "drafts by status in /metrics")


def idle_checks(port):
    """Connections that say nothing are closed after web.idle_timeout_s (IDLE_TIMEOUT here); a live stream is an
    answer under way and stays open."""
    import socket
    opened = time.time()  # before the connections exist: the server's timers can only start later
    silent = socket.create_connection(("127.0.0.1", port), timeout=IDLE_TIMEOUT + 10)
    partial = socket.create_connection(("127.0.0.1", port), timeout=IDLE_TIMEOUT + 10)
    partial.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line
    live = socket.create_connection(("127.0.0.1", port), timeout=IDLE_TIMEOUT + 10)
    live.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
    head = live.recv(4096)

    def closed_within(connection, seconds):
        connection.settimeout(seconds)
        try:
            while connection.recv(4096):
                pass
            return True
        except (socket.timeout, TimeoutError):
            return False
        except ConnectionResetError:
            return True

    check(closed_within(silent, IDLE_TIMEOUT + 5), f"a connection that sends nothing is closed after {IDLE_TIMEOUT} s")
    waited = time.time() - opened
    check(waited >= IDLE_TIMEOUT, f"... and not before the timeout ({waited:.1f} s)")
    check(closed_within(partial, IDLE_TIMEOUT + 5), "a request whose headers never end is closed too")
    check(b"200" in head.split(b"\r\n")[0] and not closed_within(live, 1.0),
          f"a live stream stays open past the idle timeout ({time.time() - opened:.1f} s)")
    for connection in (silent, partial, live):
        connection.close()


def refusal_check(tmp, articles_port):
    config = workspace(tmp / "open", articles_port, f"0.0.0.0:{free_port()}")
    started = time.time()
    process = subprocess.run([BRIEFD, "run", "--config", str(config)], capture_output=True, text=True, timeout=30)
    check(process.returncode == 2 and "token_env" in process.stderr and time.time() - started < 20,
          "listening beyond loopback without web.token_env is refused at start-up (exit 2)")


def token_checks(tmp, articles_port):
    port = free_port()
    config = workspace(tmp / "token", articles_port, f"127.0.0.1:{port}", token_env="DESK_TOKEN")
    secret = "s3cret-" + os.urandom(8).hex()
    process = start(config, {"DESK_TOKEN": secret})
    try:
        wait_up(port, process)
        status, headers, _ = request(port, "GET", "/")
        check(status == 303 and headers.get("Location") == "/login", "with a token, the desk sends a stranger to /login")
        status, _, body = request(port, "GET", "/login")
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', body).group(1)
        hdr = {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{port}"}
        status, headers, _ = request(port, "POST", "/login", urllib.parse.urlencode({"csrf": token, "token": "wrong"}), hdr)
        check(status == 401 and "Set-Cookie" not in headers, "a wrong token is refused (401), no cookie")
        status, headers, _ = request(port, "POST", "/login", urllib.parse.urlencode({"csrf": token, "token": secret}), hdr)
        cookie = headers.get("Set-Cookie", "")
        check(status == 303 and "HttpOnly" in cookie and "SameSite=Strict" in cookie, "the right token sets an HttpOnly, SameSite=Strict session cookie")
        session = cookie.split(";")[0]
        status, _, body = request(port, "GET", "/", headers={"Cookie": session})
        check(status == 200 and "Drafts" in body, "the session opens the desk")
        status, _, _ = request(port, "GET", "/metrics")
        check(status == 401, "/metrics without a token answers 401")
        status, _, body = request(port, "GET", "/metrics", headers={"Authorization": "Bearer " + secret})
        check(status == 200 and "briefd_drafts" in body, "/metrics with the bearer token answers")
    finally:
        stop(process)
        log = process.stderr.read().decode()
        check(secret not in log, "the token never appears in the log")


def browser_checks(port, tmp, articles_port, screenshots):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI") or screenshots:
            raise
        print("skip the browser checks: they need Playwright and /usr/bin/chromium (make test-deps installs both)")
        return
    if not os.path.exists("/usr/bin/chromium") and not os.environ.get("CI"):
        print("skip the browser checks: /usr/bin/chromium is missing (make test-deps installs it)")
        return
    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(base + "/")
        page.wait_for_selector("#live-status:not([hidden])", timeout=10_000)
        page.evaluate("window.__stillTheSamePage = true")
        total_before = int(page.locator("#total-count").inner_text())
        (tmp / "drafts" / "dropped-in.md").write_text(
            "---\ntitle: A Draft Dropped In\nurl: https://www.thewirechina.localhost/x\nsource: The Wire China\n"
            "published: 2026-11-20\nsection: Books\n---\nToo short.\n")
        try:
            page.wait_for_selector('tr[data-path="dropped-in.md"]', timeout=10_000)
            appeared = True
        except Exception:
            appeared = False
        check(appeared and page.evaluate("window.__stillTheSamePage === true"),
              "a draft dropped into the folder appears in the open desk without a reload")
        # The summary and the filter counts follow, from the same account as the rows (/api/drafts).
        # Polled from here: the desk's CSP forbids the eval that wait_for_function would need.
        counted = False
        deadline = time.time() + 10
        while time.time() < deadline and not counted:
            counted = page.locator("#total-count").inner_text() == str(total_before + 1)
            time.sleep(0.1)
        api = json.loads(request(port, "GET", "/api/drafts")[2])
        options = {o.get_attribute("data-status"): o.inner_text() for o in page.locator("option[data-status]").all()}
        by_status = {}
        for entry in api["drafts"]:
            by_status[entry["status"]] = by_status.get(entry["status"], 0) + 1
        check(counted and page.evaluate("window.__stillTheSamePage === true")
              and all(text == f"{status} ({by_status.get(status, 0)})" for status, text in options.items()),
              f"the summary and the filter counts update live and match /api/drafts ({options}, {by_status})")
        if screenshots:
            shoot(page, screenshots, "desk")
        # A draft's own page follows its report: fixed in the folder, it says so without a reload by hand.
        page.goto(base + "/drafts/dropped-in.md")
        page.wait_for_selector("#live-status, #draft-status", timeout=10_000)
        before = page.locator("#draft-status").inner_text()
        (tmp / "drafts" / "dropped-in.md").write_text(
            "---\ntitle: A Draft Dropped In, Fixed\nurl: https://www.thewirechina.localhost/x\nsource: Nowhere Known\n"
            "published: 2026-11-20\nsection: Books\n---\nToo short.\n")
        followed = False
        deadline = time.time() + 10
        while time.time() < deadline and not followed:
            try:
                followed = "brief.unknown-source" in page.locator("body").inner_text(timeout=2_000)
            except Exception:
                pass  # the page is reloading
            time.sleep(0.1)
        check(followed, f"a draft's page updates when its report changes ({before!r})")
        page.goto(base + "/drafts/mistake.md")
        mark = page.locator("a.mark.error").first
        check(mark.inner_text() == "Mara Fled" and page.locator("#L9").count() == 1
              and "#L9" in page.locator("#f1 a").first.get_attribute("href"),
              "the error's mark sits on the misspelled name, at its line")
        mark.click()
        check(page.url.endswith("#f1") and "Mara Feld" in page.locator("#f1").inner_text(),
              "the mark leads to the finding and its suggestion")
        if screenshots:
            shoot(page, screenshots, "draft")
        apply_check(page, base, tmp)
        page.goto(base + "/issues/next")
        frame = page.frame_locator("iframe").first
        check("Village Schools Close Their Doors" in frame.locator("body").inner_text(timeout=10_000),
              "the next issue's preview shows the ready brief as the template renders it")
        if screenshots:
            shoot(page, screenshots, "preview")
        page.goto(base + "/clip")
        page.fill('input[name="url"]', f"http://www.thewirechina.localhost:{articles_port}/2026/11/20/village-schools/?utm_source=x")
        page.click('button[type="submit"]')
        page.wait_for_load_state()
        clipped = list((tmp / "drafts").glob("2026-11-20-village-schools-close-their-doors*.md"))
        check("/drafts/2026-11-20-village-schools-close-their-doors.md" in page.url and len(clipped) == 1
              and "Village Schools Close Their Doors" in clipped[0].read_text(),
              "a page clipped from a local server becomes a new draft, and its page opens")
        # The clipped draft cites the same article as clean.md (both need work while both exist): it goes again.
        # Its page is left first: a draft's page reloads itself when its report changes (or goes), which would
        # interrupt the next navigation.
        goto_settled(page, base + "/links")
        for path in clipped:
            path.unlink()
        deadline = time.time() + 10
        while time.time() < deadline:
            statuses = {d["path"]: d["status"] for d in json.loads(request(port, "GET", "/api/drafts")[2])["drafts"]}
            if statuses.get("clean.md") == "ready":
                break
            time.sleep(0.1)
        date = publish_and_replace(page, base, port)
        preservation_checks(page, base, port, date, screenshots)
        phone_layout(browser, base, extra=[f"/archive/{date}/1"])
        check(not errors, f"no script error in the pages ({errors})")
        browser.close()


def apply_check(page, base, tmp):
    """The desk's Apply in the browser: the registry's spelling written into the file, and the page follows."""
    draft = tmp / "drafts" / "apply-me.md"
    draft.write_text(
        "---\nkind: post\ntitle: Notes to fix\nauthor: Joann Pittman\ndate: 2026-11-24\n---\n"
        "Historian Mara Fled, writing in The Wire China, was blunt:\n\n> The rules are a leash.\n")
    button = None
    deadline = time.time() + 10
    while time.time() < deadline and button is None:
        goto_settled(page, base + "/drafts/apply-me.md")
        candidate = page.locator("form.fix button", has_text="Mara Feld")
        if candidate.count() == 1:
            button = candidate
        else:
            time.sleep(0.2)
    check(button is not None, "a finding with a fix shows its Apply button in the browser")
    button.click()
    page.wait_for_load_state()
    text = draft.read_text()
    check("Historian Mara Feld, writing" in text and "Fled" not in text and "/drafts/apply-me.md" in page.url,
          f"Apply writes the registry's spelling into the file and returns to the draft ({text!r})")
    followed = False
    deadline = time.time() + 10
    while time.time() < deadline and not followed:
        try:
            goto_settled(page, base + "/drafts/apply-me.md")
            body = page.locator("body").inner_text(timeout=2_000)
            followed = "misspelled" not in body and page.locator("form.fix button", has_text="Mara Feld").count() == 0
        except Exception:
            pass  # the page is reloading
        time.sleep(0.2)
    check(followed, "after Apply the draft's page no longer shows the finding or its button")
    goto_settled(page, base + "/links")
    draft.unlink()


def goto_settled(page, url, tries=5):
    """Goes to `url`, again when the page left behind reloads itself meanwhile (a draft's page does when its
    report changes, and that navigation interrupts ours)."""
    for attempt in range(tries):
        try:
            page.goto(url)
            return
        except Exception as error:  # playwright's Error: "... is interrupted by another navigation ..."
            if "interrupted by another navigation" not in str(error) or attempt == tries - 1:
                raise
            page.wait_for_load_state()


def publish_and_replace(page, base, port):
    """The desk's Build, then the published issue replaced only after its own, explicit confirmation."""
    date = json.loads(request(port, "GET", "/api/drafts")[2])["next_issue"]["date"]
    page.goto(base + "/issues/next/build")
    page.click("form button.danger")
    page.wait_for_load_state()
    check(page.locator("ul.included li").count() >= 1 and page.locator("h1").inner_text() == "Built",
          f"the desk's build shows its outcome as lists ({page.locator('main').inner_text()[:300]!r})")
    after = json.loads(request(port, "GET", "/api/drafts")[2])
    check(after["next_issue"]["date"] != date
          and any(d["status"] == "published" for d in after["drafts"]),
          "after the desk's build the account says published and the coming issue moves on")
    page.goto(base + f"/issues/{date}")
    check("Published" in page.locator("p.summary").first.inner_text()
          and page.locator('a[href$="/files/digest.txt"]').count() == 1,
          "a published issue's page says when it was published and offers its text for download")
    check(page.locator("h2", has_text="Email checks").count() == 1
          and "passes every check" in page.locator("main").inner_text(),
          "a published issue's page shows the email checks of its build (the test issue passes them)")
    page.click(f'a[href="/issues/{date}/rebuild"]')
    page.wait_for_load_state()
    question = page.locator("main p").first.inner_text()
    button = page.locator("form button.danger")
    check(f"Replace the published issue of {date}?" in question
          and button.inner_text() == f"Replace the published issue of {date}",
          "replacing a published issue asks 'Replace the published issue of …?' explicitly")
    versions_before = [i for i in json.loads(request(port, "GET", "/api/issues")[2])["issues"] if i["date"] == date][0]
    button.click()
    page.wait_for_load_state()
    versions_after = [i for i in json.loads(request(port, "GET", "/api/issues")[2])["issues"] if i["date"] == date][0]
    check(versions_before["version"] == 1 and versions_after["version"] == 2 and len(versions_after["versions"]) == 2,
          "the confirmed replacement publishes version 2 and keeps version 1")
    return date


def preservation_checks(page, base, port, date, screenshots):
    """The daemon captures the published issue's cited page; the issue's page shows it, and the copy opens in a
    sandboxed frame under its banner."""
    deadline = time.time() + 20
    links = []
    while time.time() < deadline:
        links = json.loads(request(port, "GET", f"/api/issues/{date}/archive")[2])["links"]
        if links and all(link["captured"] for link in links):
            break
        time.sleep(0.2)
    check(links and all(link["captured"] and link["excerpt_found"] is True and link["copy"] for link in links),
          f"the daemon captured the published issue's cited page, with its excerpt ({links})")
    if not links or not links[0]["copy"]:
        return
    page.goto(base + f"/issues/{date}")
    row = page.locator("table.links tbody tr").first
    check("found" in row.inner_text() and row.locator("a", has_text="own copy").count() == 1,
          "the published issue's page shows each link's preservation and its own copy")
    # Followed by address rather than clicked: the issue's page reloads itself when the account changes.
    check(row.locator("a", has_text="own copy").get_attribute("href") == links[0]["copy"],
          "the own copy's link is the one the API gives")
    page.goto(base + links[0]["copy"])
    check("not the live page" in page.locator(".capture-banner").inner_text()
          and page.locator("iframe.capture").get_attribute("sandbox") == "",
          "the own copy's page says what it is, above a sandboxed frame")
    frame = page.frame_locator("iframe.capture")
    check("Village Schools Close Their Doors" in frame.locator("body").inner_text(timeout=10_000),
          "the frame shows the captured article")
    if screenshots:
        shoot(page, screenshots, "capture")


def phone_layout(browser, base, extra=()):
    """At 390 px nothing overflows horizontally, on every page of the desk."""
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(base + "/issues")
    issues = [a.get_attribute("href") for a in phone.locator("table.archive a").all()]
    pages = ["/", "/drafts/mistake.md", "/drafts/hostile.md", "/drafts/clean.md", "/issues/next", "/issues",
             "/links", "/clip", "/issues/next/build"] + issues[:1] + list(extra)
    wide = []
    for path in pages:
        phone.goto(base + path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide.append(f"{path}: {width} px")
    check(not wide, f"at 390 px no page scrolls sideways ({wide})")
    phone.close()


def shoot(page, folder, name):
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900 if width > 500 else 844})
        page.wait_for_timeout(200)
        page.screenshot(path=str(Path(folder) / f"desk-{name}-{width}.png"), full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})


def main():
    global BRIEFD
    BRIEFD = os.path.abspath(sys.argv[1])
    screenshots = sys.argv[sys.argv.index("--screenshots") + 1] if "--screenshots" in sys.argv else None
    if screenshots:
        os.makedirs(screenshots, exist_ok=True)
    articles = serve_articles()
    articles_port = articles.server_address[1]
    tmp = Path(tempfile.mkdtemp(prefix="briefd-desk-"))
    try:
        port = free_port()
        config = workspace(tmp / "main", articles_port, f"127.0.0.1:{port}", idle_timeout=IDLE_TIMEOUT)
        process = start(config)
        try:
            wait_up(port, process)
            http_checks(port, tmp / "main")
            idle_checks(port)
            browser_checks(port, tmp / "main", articles_port, screenshots)
        finally:
            stop(process)
        refusal_check(tmp, articles_port)
        token_checks(tmp, articles_port)
    finally:
        articles.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\ndesk: {len(FAILURES)} failure(s)" if FAILURES else "\ndesk: every check passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
