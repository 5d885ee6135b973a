#!/usr/bin/env bash
# Writes a small briefd workspace into $1 for the editor tests and the screenshot: a registry, a config, and a post
# with one misspelled name after CJK characters and an emoji, and one person the registry lacks.
set -euo pipefail
work=$1
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
