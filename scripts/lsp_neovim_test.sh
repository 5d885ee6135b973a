#!/usr/bin/env bash
# `make lsp-test`: briefd lsp under Neovim's own LSP client (scripts/lsp_neovim_test.lua), on a workspace made here.
set -euo pipefail
briefd=$(realpath "$1")
command -v nvim >/dev/null || { echo "lsp-test: nvim not found (make test-deps installs Debian's neovim)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash "$(dirname "$0")/lsp_workspace.sh" "$work"
BRIEFD="$briefd" BRIEFD_TEST_CONFIG="$work/briefd.yml" BRIEFD_TEST_DRAFT="$work/drafts/notes.md" \
  timeout 60 nvim --headless --clean -n -c "luafile $(dirname "$0")/lsp_neovim_test.lua" 2>&1 </dev/null
echo "lsp-test: passed (Neovim $(nvim --version | head -1 | cut -d' ' -f2))"
