#!/usr/bin/env python3
"""Small word vectors from a bundled data set, for trying `--embeddings` without a download.

Random indexing (Kanerva et al.; Sahlgren 2005): every word gets a fixed sparse random
"index" vector, and its word vector is the sum of the index vectors of the words around it
(a window of 2 each side), normalised. Words used alike get similar vectors. These are much
weaker than real fastText or GloVe vectors, which `--embeddings` reads the same way
(cc.en.300.vec, glove.6B.100d.txt); they are here so that the README's example runs offline.

Standard library only (no virtual environment needed); deterministic (seeded).

    python3 Benchmarks/embeddings/make_vectors.py Data/en-movie-snippets/train.tsv movie.vec --dim 50
"""
import argparse
import math
import random
import re
from collections import Counter, defaultdict

WORD = re.compile(r"\w+", re.UNICODE)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("data", help="label<TAB>text file (the texts are read, the labels ignored)")
    p.add_argument("out", help="the .vec file to write (fastText text format, with its header)")
    p.add_argument("--dim", type=int, default=50)
    p.add_argument("--min-count", type=int, default=2)
    p.add_argument("--window", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    a = p.parse_args()

    texts = []
    with open(a.data, encoding="utf-8") as f:
        for line in f:
            if "\t" in line:
                texts.append([w.lower() for w in WORD.findall(line.split("\t", 1)[1])])
    counts = Counter(w for t in texts for w in t)
    vocab = sorted((w for w, c in counts.items() if c >= a.min_count), key=lambda w: (-counts[w], w))
    keep = set(vocab)

    rng = random.Random(a.seed)
    nonzero = max(2, a.dim // 10)
    index = {}
    for w in vocab:
        slots = rng.sample(range(a.dim), nonzero)
        index[w] = [(s, 1.0 if i % 2 == 0 else -1.0) for i, s in enumerate(slots)]

    vectors = defaultdict(lambda: [0.0] * a.dim)
    for t in texts:
        for i, w in enumerate(t):
            if w not in keep:
                continue
            v = vectors[w]
            for j in range(max(0, i - a.window), min(len(t), i + a.window + 1)):
                c = t[j]
                if j != i and c in keep:
                    # Frequent context words count less (as word2vec subsamples them).
                    weight = 1.0 / math.log(2 + counts[c])
                    for s, sign in index[c]:
                        v[s] += sign * weight

    with open(a.out, "w", encoding="utf-8") as f:
        f.write(f"{len(vocab)} {a.dim}\n")
        for w in vocab:
            v = vectors[w]
            norm = math.sqrt(sum(x * x for x in v)) or 1.0
            f.write(w + " " + " ".join(f"{x / norm:.5f}" for x in v) + " \n")
    print(f"{a.out}: {len(vocab)} words, {a.dim} dimensions")


if __name__ == "__main__":
    main()
