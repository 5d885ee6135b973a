#!/usr/bin/env python3
"""Runs `briefd check --offline` over the development corpus of real posts (Tests/Corpus/Prose) and reports, per
rule, what briefd found against what a careful editor expects: true findings, false alarms and misses.

Two measures:
  * the posts as published: every finding not in expected.txt is a false alarm, every line of expected.txt that
    briefd does not report is a miss;
  * planted mistakes in those same posts (mutants, made in a temporary folder):
      - a registry person's name with one letter dropped from its longest word, at its first use in the post:
        briefd must report attribution.misspelled-person or prose.misspelled-name on that line;
      - an attributed block quote with its attribution removed (the paragraphs around it): briefd must report
        quote.unattributed on the quote.

Usage: prose_corpus.py BRIEFD CORPUS_DIR [--check]
With --check, exits 1 on any false alarm or miss not listed in CORPUS_DIR/known.txt (so the figures in
docs/rules.md cannot silently get worse).
"""
import json, re, shutil, subprocess, sys, tempfile
from collections import Counter, defaultdict
from pathlib import Path

NAME_RULES = {"attribution.misspelled-person", "prose.misspelled-name"}


def check(briefd, config, folder):
    out = subprocess.run([briefd, "check", "--offline", "--format", "json", "--config", str(config), str(folder)],
                         capture_output=True, text=True, timeout=300)
    if out.returncode not in (0, 1):
        sys.exit(f"briefd check failed ({out.returncode}): {out.stderr.strip()}")
    found = set()
    for draft in json.loads(out.stdout)["drafts"]:
        for f in draft["findings"]:
            if f["severity"] != "info":
                found.add((Path(draft["path"]).name, f["line"], f["rule"]))
    return found


def registry_people(corpus):
    # The corpus registry is plain enough to read without a YAML library: "  - name: X" under "people:".
    people, in_people = [], False
    for line in (corpus / "sources.yml").read_text().splitlines():
        if line.startswith("people:"):
            in_people = True
        elif in_people and (m := re.match(r"\s+- name: (.+)$", line)):
            people.append(m.group(1).strip())
    return people


def split_post(text):
    end = text.index("\n---\n", 4) + 5
    return text[:end], text[end:]


def drop_letter(word):
    middle = len(word) // 2
    return word[:middle] + word[middle + 1:]


def name_mutants(name, post):
    head, body = split_post(post)
    # The first use outside block quotes: inside a quote the words are the source's, and the quote check (online)
    # compares them with the page instead.
    at = -1
    for match in re.finditer(re.escape(name), body):
        line_start = body.rfind("\n", 0, match.start()) + 1
        if not body.startswith(">", line_start):
            at = match.start()
            break
    if at < 0:
        return None
    longest = max(name.replace("-", " ").split(), key=len)
    if len(longest) < 4:
        return None
    wrong = name.replace(longest, drop_letter(longest), 1)
    line = (head + body[:at]).count("\n") + 1
    return head + body[:at] + wrong + body[at + len(name):], line, wrong


def quote_mutant(post, quote_line):
    """The post without the paragraphs just before and after the quote starting at quote_line (1-based)."""
    lines = post.split("\n")
    start = quote_line - 1
    end = start
    while end < len(lines) and lines[end].startswith(">"):
        end += 1
    def paragraph_before(i):
        j = i - 1
        while j >= 0 and lines[j].strip() == "":
            j -= 1
        k = j
        while k >= 0 and lines[k].strip() != "" and not lines[k].startswith(("---", "<!--", ">")):
            k -= 1
        return (k + 1, j + 1) if j >= 0 and k < j else None
    def paragraph_after(i):
        j = i
        while j < len(lines) and lines[j].strip() == "":
            j += 1
        k = j
        while k < len(lines) and lines[k].strip() != "" and not lines[k].startswith(">"):
            k += 1
        return (j, k) if k > j else None
    cut = [r for r in (paragraph_after(end), paragraph_before(start)) if r]
    for a, b in cut:  # after first, so the earlier indexes stay valid
        del lines[a:b]
    new_line = quote_line - sum(b - a for a, b in cut if b <= start)
    return "\n".join(lines), new_line


def main():
    briefd, corpus = sys.argv[1], Path(sys.argv[2])
    strict = "--check" in sys.argv
    config = corpus / "briefd.yml"
    posts = sorted((corpus / "posts").glob("*.md"))
    expected = set()
    for line in (corpus / "expected.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            place, rule = line.split()
            name, number = place.rsplit(":", 1)
            expected.add((name, int(number), rule))
    known = set(l.strip() for l in (corpus / "known.txt").read_text().splitlines()
                if l.strip() and not l.startswith("#")) if (corpus / "known.txt").exists() else set()

    found = check(briefd, config, corpus / "posts")
    per_rule = defaultdict(Counter)
    problems = []
    for item in sorted(found | expected):
        name, line, rule = item
        if item in found and item in expected:
            per_rule[rule]["true"] += 1
        elif item in found:
            per_rule[rule]["false alarm"] += 1
            problems.append(f"false alarm: {name}:{line} {rule}")
        else:
            per_rule[rule]["missed"] += 1
            problems.append(f"missed: {name}:{line} {rule}")

    people = registry_people(corpus)
    attributed_quotes = []
    for post in posts:
        text = post.read_text()
        for number, line in enumerate(text.split("\n"), 1):
            starts_quote = line.startswith(">") and not text.split("\n")[number - 2].startswith(">")
            if starts_quote and (post.name, number, "quote.unattributed") not in expected:
                attributed_quotes.append((post, number))

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copy(corpus / "sources.yml", tmp / "sources.yml")
        (tmp / "briefd.yml").write_text(config.read_text().replace("../../../templates", str(Path.cwd() / "templates")))
        (tmp / "posts").mkdir()
        planted = {}
        for post in posts:
            text = post.read_text()
            for person in people:
                mutant = name_mutants(person, text)
                if mutant:
                    body, line, wrong = mutant
                    file = f"{post.stem}--name-{len(planted)}.md"
                    (tmp / "posts" / file).write_text(body)
                    planted[file] = ("name", line, f"{person} -> {wrong}")
        for post, number in attributed_quotes:
            body, line = quote_mutant(post.read_text(), number)
            file = f"{post.stem}--quote-{len(planted)}.md"
            (tmp / "posts" / file).write_text(body)
            planted[file] = ("quote", line, f"attribution of the quote at line {number} removed")
        mutant_found = check(briefd, tmp / "briefd.yml", tmp / "posts")
    by_file = defaultdict(set)
    for name, line, rule in mutant_found:
        by_file[name].add((line, rule))
    caught = Counter()
    for file, (kind, line, what) in sorted(planted.items()):
        hits = by_file[file]
        wanted = NAME_RULES if kind == "name" else {"quote.unattributed"}
        ok = any(l == line and r in wanted for l, r in hits)
        caught[(kind, ok)] += 1
        if not ok:
            problems.append(f"planted mistake missed: {file}:{line} ({what})")

    print(f"prose corpus: {len(posts)} real posts, {len(planted)} planted mistakes")
    print("\nAs published (per rule):")
    for rule in sorted(per_rule):
        c = per_rule[rule]
        print(f"  {rule:32} true {c['true']:3}   false alarms {c['false alarm']:3}   missed {c['missed']:3}")
    if not per_rule:
        print("  no findings expected, none given")
    clean = sum(1 for p in posts if not any(f[0] == p.name for f in found))
    print(f"  posts with no finding: {clean} of {len(posts)}")
    print("\nPlanted mistakes:")
    for kind, label in (("name", "misspelled registry name"), ("quote", "attribution removed")):
        total = caught[(kind, True)] + caught[(kind, False)]
        print(f"  {label:32} caught {caught[(kind, True)]:3} of {total}")
    if problems:
        print()
        for p in problems:
            print(("  (known) " if p in known else "  ") + p)
    unexpected = [p for p in problems if p not in known]
    if strict and unexpected:
        print(f"\nprose corpus: {len(unexpected)} result(s) worse than recorded in known.txt")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
