#!/usr/bin/env bash
# `make lsp-test`: briefd lsp under Neovim's own LSP client (scripts/lsp_neovim_test.lua), on a workspace made here.
set -euo pipefail
briefd=$(realpath "$1")
command -v nvim >/dev/null || { echo "lsp-test: nvim not found (make test-deps installs Debian's neovim)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/drafts"
cat > "$work/sources.yml" <<'YAML'
publications:
  - {name: The Wire China, domains: [thewirechina.com]}
people:
  - name: Mara Feld
    roles:
      - {title: Historian, org: University of Edinburgh, from: 2024-07-01}
    writes_for: [The Wire China]
YAML
cat > "$work/briefd.yml" <<'YAML'
registry: sources.yml
newsletter: {sections: [Government / Politics / Foreign Affairs]}
paths: {drafts: drafts, reports: reports, digests: digests, state: var/briefd.sqlite}
YAML
cat > "$work/drafts/notes.md" <<'MD'
---
kind: post
title: Notes on the Licensing Rules
author: Mara Feld
date: 2026-11-25
---
北京 🙂 Mara Fled, writing in The Wire China, was blunt about the rules and what they mean.

Tomas Brenner, writing in The Wire China, was blunt:

> The rules are a leash, not a fence.

Mara Feld, the historian, put the rules in their place.
MD
BRIEFD="$briefd" BRIEFD_TEST_CONFIG="$work/briefd.yml" BRIEFD_TEST_DRAFT="$work/drafts/notes.md" \
  timeout 60 nvim --headless --clean -n -c "luafile $(dirname "$0")/lsp_neovim_test.lua" 2>&1 </dev/null
echo "lsp-test: passed (Neovim $(nvim --version | head -1 | cut -d' ' -f2))"
