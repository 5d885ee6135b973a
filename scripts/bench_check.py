#!/usr/bin/env python3
"""make bench-check: times `briefd check --offline --format json` over generated drafts against cmark-gfm
rendering the same files, alternating A and B in one run, and prints medians and the ratio.

Drafts are realistic: briefs with excerpts of 60-250 words, posts with lead-ins, block quotes and registry
names (some misspelled), front matter as editors write it. Nothing here touches the network."""
import argparse, os, random, resource, shutil, statistics, subprocess, sys, tempfile, time

WORDS = ("the of and to in a is that for on with as by at from its was this which be are has have it not "
         "government policy party state economy market trade province officials reform rural urban village "
         "students church pastor believers regulators platform data licence company workers migrant county "
         "beijing shanghai shenzhen guangdong court law rules campaign local central national year month "
         "report survey percent growth decline population families children schools teachers hospital").split()
SECTIONS = ["Government / Politics / Foreign Affairs", "Economy / Trade / Business", "Society / Culture / Life",
            "Religion", "Education / Language", "Travel / Food", "Books"]
SOURCES = [("ChinaFile", "www.chinafile.com"), ("Caixin", "www.caixinglobal.com"), ("Sixth Tone", "www.sixthtone.com"),
           ("South China Morning Post", "www.scmp.com"), ("The Economist", "www.economist.com"),
           ("Foreign Affairs", "www.foreignaffairs.com"), ("MERICS", "merics.org"), ("Human Rights Watch", "www.hrw.org")]
LEADS = ["Historian Mara Feld, writing in The Wire China, looked at the {w}:", "Caixin reported on the {w}:",
         "According to Human Rights Watch, the {w} matters:", "Ian Johnson argues that the {w} has deep roots:",
         "As Ian Johnson put it in Foreign Affairs:", "Jeremy Goldkorn reminds us:", "Mara Fled said of the {w}:",
         "Li Wen, director of the Shanghai Policy Lab (SPL) in Shanghai, said:", "Some context on the {w}:"]


def sentence(rng, n):
    words = [rng.choice(WORDS) for _ in range(n)]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def paragraph(rng, words):
    out, left = [], words
    while left > 0:
        n = min(left, rng.randint(8, 24))
        out.append(sentence(rng, n))
        left -= n
    return " ".join(out)


def brief(rng, i):
    source, host = rng.choice(SOURCES)
    body = "\n\n".join(paragraph(rng, rng.randint(40, 120)) for _ in range(rng.randint(1, 3)))
    return (f"---\ntitle: {sentence(rng, 8)[:-1]}\nurl: https://{host}/2026/11/article-{i}\nsource: {source}\n"
            f"published: 2026-11-{rng.randint(1, 20):02d}\nsection: {rng.choice(SECTIONS)}\n---\n{body}\n")


def post(rng, i):
    parts = [paragraph(rng, rng.randint(30, 80))]
    for _ in range(rng.randint(2, 5)):
        parts.append(rng.choice(LEADS).format(w=rng.choice(WORDS)))
        parts.append("> " + paragraph(rng, rng.randint(15, 60)))
    return (f"---\nkind: post\ntitle: Notes {i}\nauthor: Joann Pittman\ndate: 2026-11-{rng.randint(1, 20):02d}\n---\n"
            + "\n\n".join(parts) + "\n")


def generate(folder, count, seed):
    rng = random.Random(seed)
    paths = []
    for i in range(count):
        sub = os.path.join(folder, f"batch{i // 1000:02d}")
        os.makedirs(sub, exist_ok=True)
        path = os.path.join(sub, f"draft-{i:05d}.md")
        with open(path, "w") as f:
            f.write(brief(rng, i) if i % 3 else post(rng, i))
        paths.append(path)
    return paths


def timed(argv):
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in (0, 1):
        sys.exit(f"{argv[0]} failed ({result.returncode}): {result.stderr.decode()[:500]}")
    return elapsed, max(after.ru_maxrss, before.ru_maxrss)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--briefd", required=True)
    parser.add_argument("--config", default="config/briefd.yml")
    parser.add_argument("--drafts", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="briefd-bench-check-")
    try:
        paths = generate(folder, args.drafts, args.seed)
        size = sum(os.path.getsize(p) for p in paths)
        print(f"{args.drafts} drafts, {size / 1e6:.1f} MB, in {folder}")
        a = [args.briefd, "check", "--offline", "--format", "json", "--config", args.config, folder]
        b = ["cmark-gfm", "-e", "autolink", "-e", "table", "-e", "strikethrough", "-e", "tagfilter"] + paths
        timed(a); timed(b)  # warm the page cache for both
        ta, tb = [], []
        for r in range(args.rounds):
            ta.append(timed(a)[0])
            tb.append(timed(b)[0])
            print(f"round {r + 1}: briefd {ta[-1]:.3f} s   cmark-gfm {tb[-1]:.3f} s")
        ma, mb = statistics.median(ta), statistics.median(tb)
        print(f"median: briefd {ma:.3f} s, cmark-gfm {mb:.3f} s, ratio briefd/cmark-gfm {ma / mb:.2f} (goal <= 2.00)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
