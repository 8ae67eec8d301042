#!/usr/bin/env python3
"""Builds models/ner/lexicon.tsv (TYPE<TAB>space-separated tokens) from the gazetteer lexicons in
models/gazetteer/*.tsv, for the tagger's lexicon features.

Kinds map to CoNLL types: country/city/state/location -> LOC, demonym/group -> MISC, org -> ORG.
Names are split into tokens the way the tagger sees them: on spaces, with a trailing period or
possessive kept apart only where the tokenizer splits them (hyphens and inner periods stay).
Usage: scripts/build_ner_lexicon.py [--gazetteer models/gazetteer] [--out models/ner/lexicon.tsv]
"""
import argparse
from pathlib import Path

KIND_TYPE = {
    "country": "LOC",
    "city": "LOC",
    "state": "LOC",
    "location": "LOC",
    "demonym": "MISC",
    "group": "MISC",
    "org": "ORG",
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gazetteer", default="models/gazetteer")
    ap.add_argument("--out", default="models/ner/lexicon.tsv")
    args = ap.parse_args()
    rows = set()
    for path in sorted(Path(args.gazetteer).glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 2:
                continue
            ty = KIND_TYPE.get(cols[1])
            if ty is None:
                continue
            for name in {cols[0], cols[3] if len(cols) > 3 else cols[0]}:
                toks = name.replace(",", " ,").split()
                if toks and toks[0][:1].isupper():
                    rows.add(f"{ty}\t{' '.join(toks)}")
    Path(args.out).write_text("".join(r + "\n" for r in sorted(rows)), encoding="utf-8")
    print(f"{len(rows)} entries -> {args.out}")


if __name__ == "__main__":
    main()
