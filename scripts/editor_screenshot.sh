#!/usr/bin/env bash
# `make editor-screenshot`: Neovim with docs/editors/neovim.lua, showing briefd's diagnostics on a draft, run in a
# tmux pane; the pane (with its colours) is rendered to HTML and photographed in Chromium into
# docs/editors/neovim-diagnostics.png: the findings beside their lines, and the registry's entry for a name. Look at the picture before committing it.
set -euo pipefail
briefd=$(realpath "$1")
out=$(realpath -m "${2:-docs/editors/neovim-diagnostics.png}")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
session="briefd-shot-$$"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"' EXIT
bash "$here/lsp_workspace.sh" "$work"
# Fonts with CJK characters and emoji, so that the draft's own text shows as written.
fc-list | grep -qi "Noto Sans CJK" && fc-list | grep -qi "Noto Color Emoji" || { SUDO=$( [ "$(id -u)" = 0 ] || echo sudo ); \
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fonts-noto-cjk fonts-noto-color-emoji >/dev/null; }
python3 -c "import ansi2html" 2>/dev/null || python3 -m pip install -q ansi2html \
  || python3 -m pip install -q --break-system-packages ansi2html
tmux new-session -d -s "$session" -x 150 -y 24 \
  "BRIEFD_BIN=$briefd BRIEFD_CONFIG=$work/briefd.yml nvim --clean -n -u $here/../docs/editors/neovim.lua -c 'hi NormalFloat ctermbg=236 ctermfg=252' -c 'hi SignColumn ctermbg=NONE' $work/drafts/notes.md"
# Wait for the diagnostics' virtual text, then show the registry entry of the name on line 13 (a hover).
for _ in $(seq 1 100); do
  tmux capture-pane -p -t "$session" | grep -q "Mara Feld'" && break
  sleep 0.1
done
tmux send-keys -t "$session" "13G3|" ":lua vim.lsp.buf.hover()" Enter
sleep 1
tmux capture-pane -e -p -t "$session" > "$work/screen.ansi"
python3 - "$work/screen.ansi" "$out" <<'PY'
import sys
from ansi2html import Ansi2HTMLConverter
from playwright.sync_api import sync_playwright
ansi = open(sys.argv[1], encoding="utf-8").read()
html = Ansi2HTMLConverter(dark_bg=True, font_size="15px", title="briefd lsp in Neovim").convert(ansi)
html = html.replace("</style>", "pre.ansi2html-content { font-family: 'DejaVu Sans Mono', 'Noto Sans Mono CJK SC', 'Noto Color Emoji', monospace; line-height: 1.3; margin: 0; padding: 10px; } body { margin: 0; }</style>")
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": 1400, "height": 510})
    page.set_content(html)
    page.screenshot(path=sys.argv[2], full_page=True)
    browser.close()
print("editor-screenshot:", sys.argv[2])
PY
