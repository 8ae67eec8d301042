"""Small Kafka client for scripts/demo and scripts/bench-worker (run it through scripts/kafkatool,
which provides a virtualenv with confluent-kafka, i.e. librdkafka, the same client library the worker
uses). Not used by the tests: those are in Rust and use the rdkafka crate.

Sub-commands:
  create-topics NAME:PARTITIONS ...       create topics (existing ones are fine)
  delete-topics NAME ...                  delete topics
  produce-files --topic T FILE ...        *.json files: one record per JSON line, key = its "id";
                                          other files: the whole file is one record, key = file name
  produce-bench --topic T --count N FILE ...
                                          N records cycling over the files' article texts, as JSON
                                          envelopes with ids bench-0 .. bench-(N-1)
  end-offsets --topic T                   print partition:offset,... (the current end of each partition)
  show --topic T --from OFFSETS --count N print N records written after OFFSETS (pretty summary)
  wait-metrics --url URL --count N        poll /metrics until N records are consumed and finished;
                                          print the throughput (and, with --pid, the worker's CPU)
  pace --topic T --rate R --seconds S --prefix P FILE ...
                                          one warm-up record, then R records/s for S seconds
                                          (ids P-0 ..), paced
  core --bin NEWSENRICH --count N FILE ...
                                          the core alone: CPU time of `newsenrich enrich` over the
                                          same N articles produce-bench sends
  latency --in T --out T --prefix P ...   end-to-end latency per id prefix: output record timestamp
                                          minus input record timestamp, joined on processing.source
  stages --url URL [--since F] [--save F] mean and p99 of newsenrich_stage_seconds per stage
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")


def die(msg):
    print(f"kafkatool: {msg}", file=sys.stderr)
    sys.exit(1)


def create_topics(args):
    admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
    specs = []
    for spec in args.topics:
        name, _, parts = spec.partition(":")
        specs.append(NewTopic(name, num_partitions=int(parts or 3), replication_factor=1))
    for name, fut in admin.create_topics(specs, operation_timeout=20).items():
        try:
            fut.result()
            print(f"created topic {name}")
        except KafkaException as e:
            if e.args[0].name() == "TOPIC_ALREADY_EXISTS":
                print(f"topic {name} exists")
            else:
                die(f"create topic {name}: {e}")


def delete_topics(args):
    admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
    for name, fut in admin.delete_topics(args.topics, operation_timeout=20).items():
        try:
            fut.result()
        except KafkaException as e:
            print(f"kafkatool: delete topic {name}: {e}", file=sys.stderr)


class Sender:
    """Produces records and fails loudly if any delivery fails."""

    def __init__(self, topic, linger_ms=20):
        self.topic = topic
        self.failed = []
        self.sent = 0
        self.p = Producer(
            {"bootstrap.servers": BOOTSTRAP, "linger.ms": linger_ms, "enable.idempotence": True}
        )

    def _report(self, err, _msg):
        if err is not None:
            self.failed.append(str(err))

    def send(self, key, value, headers):
        while True:
            try:
                self.p.produce(self.topic, value=value, key=key, headers=headers,
                               on_delivery=self._report)
                break
            except BufferError:
                self.p.poll(0.05)
        self.sent += 1
        self.p.poll(0)

    def finish(self):
        left = self.p.flush(60)
        if left or self.failed:
            die(f"{left} records undelivered, {len(self.failed)} failed: {self.failed[:3]}")


def produce_files(args):
    s = Sender(args.topic)
    for path in args.files:
        name = os.path.basename(path)
        with open(path, "rb") as f:
            data = f.read()
        headers = [("x-demo-file", name.encode())]
        if name.endswith(".json"):
            for line in data.splitlines():
                if line.strip():
                    key = json.loads(line).get("id")
                    s.send(key, line, headers)
        else:
            s.send(os.path.splitext(name)[0], data, headers)
    s.finish()
    print(f"produced {s.sent} articles to {args.topic}")


def article_texts(files):
    texts = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            data = f.read()
        if path.endswith(".json"):
            texts += [json.loads(l)["body"] for l in data.splitlines() if l.strip()]
        else:
            texts.append(data)
    if not texts:
        die("no article texts given")
    return texts


def bench_doc(prefix, i, texts):
    return {"id": f"{prefix}-{i}", "source": "bench", "body": texts[i % len(texts)]}


def bench_words(count, texts):
    """Whitespace-separated words in the bodies of `count` bench articles."""
    per = [len(t.split()) for t in texts]
    return sum(per[i % len(per)] for i in range(count))


def produce_bench(args):
    texts = article_texts(args.files)
    s = Sender(args.topic)
    t0 = time.monotonic()
    for i in range(args.count):
        doc = bench_doc("bench", i, texts)
        s.send(doc["id"], json.dumps(doc).encode(), [])
    s.finish()
    dt = time.monotonic() - t0
    print(f"produced {s.sent} articles ({bench_words(args.count, texts)} words) to {args.topic} "
          f"in {dt:.1f}s")


def pace(args):
    """Produces at a steady rate: every 2 ms the records due by then (linger.ms small, so the
    load generator adds little wait of its own)."""
    texts = article_texts(args.files)
    s = Sender(args.topic, linger_ms=args.linger_ms)
    n = int(args.rate * args.seconds)
    payloads = [json.dumps(bench_doc(args.prefix, i, texts)).encode() for i in range(n)]
    # Warm before the clock starts (connected, leaders known, producer id granted): a record's
    # timestamp is taken when it is produced, so a cold producer would count its own start-up as
    # latency. The one warm-up record (id warmup-0) is processed too, but left out of the figures.
    s.send("warmup-0", json.dumps(bench_doc("warmup", 0, texts)).encode(), [])
    s.p.flush(30)
    s.sent = 0
    t0 = time.monotonic()
    i = 0
    while i < n:
        due = min(n, int((time.monotonic() - t0) * args.rate) + 1)
        while i < due:
            s.send(f"{args.prefix}-{i}", payloads[i], [])
            i += 1
        time.sleep(0.002)
    dt = time.monotonic() - t0
    s.finish()
    print(f"paced {n} records to {args.topic} in {dt:.1f}s ({n / dt:.0f}/s, target {args.rate:.0f}/s)")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def core(args):
    """CPU seconds per word of `newsenrich enrich` (one thread, no Kafka) over the bench articles,
    minus a one-article run (model loading)."""
    texts = article_texts(args.files)

    def run(count):
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
            for i in range(count):
                f.write(json.dumps(bench_doc("bench", i, texts)) + "\n")
            path = f.name
        try:
            t0 = time.monotonic()
            proc = subprocess.Popen([args.bin, "enrich", path], stdout=subprocess.DEVNULL)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.monotonic() - t0
        finally:
            os.unlink(path)
        if status != 0:
            die(f"{args.bin} enrich failed ({status})")
        return usage.ru_utime + usage.ru_stime, wall

    cpu1, wall1 = run(1)
    cpu, wall = run(args.count)
    words = bench_words(args.count, texts) - bench_words(1, texts)
    cpu, wall = cpu - cpu1, wall - wall1
    print(f"core alone (newsenrich enrich, one thread, same {args.count} articles): "
          f"{words / cpu:,.0f} words per CPU-second, {cpu / words * 1e6:.3f} CPU-us/word, "
          f"{words / wall:,.0f} words/s wall")
    print(f"CORE_US_PER_WORD={cpu / words * 1e6:.4f}")


def partitions(consumer, topic):
    md = consumer.list_topics(topic, timeout=10)
    t = md.topics.get(topic)
    if t is None or t.error is not None:
        die(f"topic {topic} not found")
    return sorted(t.partitions)


def end_offsets(args):
    c = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": "kafkatool-offsets"})
    ends = []
    for p in partitions(c, args.topic):
        _lo, hi = c.get_watermark_offsets(TopicPartition(args.topic, p), timeout=10)
        ends.append(f"{p}:{hi}")
    c.close()
    print(",".join(ends))


def summary(doc):
    ents = doc.get("entities", [])
    rels = doc.get("relations", [])
    names = {e.get("id"): e.get("name") for e in ents}
    lines = [f"  {doc.get('id')}  {doc.get('title', '')}".rstrip(),
             f"    {len(ents)} entities, {len(rels)} relations"]
    for e in ents[:6]:
        lines.append(f"    {e.get('type'):8} {e.get('name')}  (salience {e.get('salience')})")
    for r in rels[:4]:
        role = f" [{r['role']}]" if r.get("role") else ""
        lines.append(f"    {names.get(r.get('subject'))} --{r.get('predicate')}{role}--> "
                     f"{names.get(r.get('object'))}  ({r.get('confidence')})")
    return "\n".join(lines)


def show(args):
    start = {}
    for item in filter(None, (args.from_offsets or "").split(",")):
        p, o = item.split(":")
        start[int(p)] = int(o)
    c = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": "kafkatool-show",
                  "enable.auto.commit": False})
    c.assign([TopicPartition(args.topic, p, start.get(p, 0)) for p in partitions(c, args.topic)])
    got = []
    deadline = time.monotonic() + args.timeout
    while len(got) < args.count and time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            print(f"kafkatool: {m.error()}", file=sys.stderr)
            continue
        got.append(json.loads(m.value()))
    c.close()
    if len(got) < args.count:
        die(f"only {len(got)} of {args.count} documents arrived on {args.topic} "
            f"within {args.timeout}s")
    for doc in got:
        print(summary(doc))
    if args.full:
        print(f"\nfirst document in full (schema {got[0].get('schema')}):")
        print(json.dumps(got[0], indent=2, ensure_ascii=False))


def metric(text, name):
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def wait_metrics(args):
    build = {}

    def scrape():
        with urllib.request.urlopen(args.url, timeout=5) as r:
            text = r.read().decode()
        for line in text.splitlines():
            if line.startswith("newsenrich_build_info{") and 'model="' in line:
                build["model"] = line.split('model="', 1)[1].split('"', 1)[0]
        consumed = metric(text, "newsenrich_records_consumed_total")
        done = (metric(text, "newsenrich_records_produced_total")
                + metric(text, "newsenrich_records_dlq_total"))
        return consumed, done

    deadline = time.monotonic() + args.timeout
    t_first = None
    cpu_first = 0.0
    last_print = 0.0
    while time.monotonic() < deadline:
        if args.pid and not os.path.exists(f"/proc/{args.pid}"):
            die(f"worker pid {args.pid} exited before finishing")
        try:
            consumed, done = scrape()
        except OSError:
            time.sleep(0.1)
            continue
        now = time.monotonic()
        if t_first is None and consumed > args.base:
            t_first = now
            cpu_first = cpu_seconds(args.pid) if args.pid else 0.0
        if done >= args.count:
            n = done - args.base
            dt = now - t_first
            if dt <= 0:
                print("already finished")
                return
            print(f"{int(n)} records in {dt:.2f}s from first consume to last output: "
                  f"{n / dt:.0f} records/s, model {build.get('model', '?')}")
            if args.words:
                print(f"  {args.words / dt:,.0f} words/s wall")
            if args.pid:
                cpu = cpu_seconds(args.pid) - cpu_first
                print(f"  worker CPU {cpu:.2f}s = {cpu / dt * 100:.0f}% of one core", end="")
                if args.words:
                    print(f", {args.words / cpu:,.0f} words per CPU-second, "
                          f"{cpu / args.words * 1e6:.3f} CPU-us/word", end="")
                    print(f"\nWORKER_US_PER_WORD={cpu / args.words * 1e6:.4f}", end="")
                print()
            print(f"RATE={n / dt:.1f}")
            return
        if now - last_print > 5:
            print(f"  ... consumed {int(consumed)}, finished {int(done)} of {args.count}",
                  file=sys.stderr)
            last_print = now
        time.sleep(0.05)
    die(f"not all {args.count} records finished within {args.timeout}s")


def read_all(topic):
    """Every record of `topic` now in it: (partition, offset, timestamp ms, key, value)."""
    c = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": "kafkatool-latency",
                  "enable.auto.commit": False})
    ends = {}
    for p in partitions(c, topic):
        _lo, hi = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
        if hi > 0:
            ends[p] = hi
    c.assign([TopicPartition(topic, p, 0) for p in ends])
    out = []
    left = dict(ends)
    deadline = time.monotonic() + 120
    while left and time.monotonic() < deadline:
        for m in c.consume(1000, 1.0):
            if m.error():
                continue
            out.append((m.partition(), m.offset(), m.timestamp()[1], m.key(), m.value()))
            if m.offset() + 1 >= left.get(m.partition(), 1 << 62):
                left.pop(m.partition(), None)
    c.close()
    return out


def pct(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def latency(args):
    inputs = {}
    for p, o, ts, key, _ in read_all(args.input):
        inputs[(p, o)] = (ts, (key or b"").decode(errors="replace"))
    per = {prefix: [] for prefix in args.prefix}
    for _p, _o, ts, _k, value in read_all(args.output):
        src = json.loads(value).get("processing", {}).get("source", {})
        hit = inputs.get((src.get("partition"), src.get("offset")))
        if hit is None:
            continue
        prefix = hit[1].rsplit("-", 1)[0]
        if prefix in per:
            per[prefix].append(ts - hit[0])
    for prefix, values in per.items():
        values.sort()
        if not values:
            print(f"  {prefix}: no records")
            continue
        print(f"  {prefix}: {len(values)} records, end-to-end ms p50 {pct(values, 0.5)} "
              f"p99 {pct(values, 0.99)} max {values[-1]}")


def stage_histograms(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        text = r.read().decode()
    h = {}
    for line in text.splitlines():
        if not line.startswith("newsenrich_stage_seconds"):
            continue
        name, value = line.rsplit(" ", 1)
        stage = name.split('stage="', 1)[1].split('"', 1)[0]
        d = h.setdefault(stage, {"buckets": {}, "sum": 0.0, "count": 0.0})
        if name.startswith("newsenrich_stage_seconds_bucket"):
            le = name.split('le="', 1)[1].split('"', 1)[0]
            d["buckets"][le] = float(value)
        elif name.startswith("newsenrich_stage_seconds_sum"):
            d["sum"] = float(value)
        elif name.startswith("newsenrich_stage_seconds_count"):
            d["count"] = float(value)
    return h


def stages(args):
    now = stage_histograms(args.url)
    if args.save:
        with open(args.save, "w") as f:
            json.dump(now, f)
    if not args.print:
        return
    if not now:
        print("  (no newsenrich_stage_seconds in /metrics)")
        return
    before = {}
    if args.since:
        with open(args.since) as f:
            before = json.load(f)
    for stage, d in now.items():
        b = before.get(stage, {"buckets": {}, "sum": 0.0, "count": 0.0})
        n = d["count"] - b["count"]
        if n <= 0:
            continue
        mean = (d["sum"] - b["sum"]) / n
        p99 = "inf"
        for le in sorted((k for k in d["buckets"] if k != "+Inf"), key=float):
            if d["buckets"][le] - b["buckets"].get(le, 0.0) >= 0.99 * n:
                p99 = f"<= {float(le) * 1000:g}"
                break
        print(f"    stage {stage:<10} mean {mean * 1000:7.2f} ms  p99 {p99} ms  ({int(n)})")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("create-topics")
    p.add_argument("topics", nargs="+")
    p.set_defaults(fn=create_topics)
    p = sub.add_parser("delete-topics")
    p.add_argument("topics", nargs="+")
    p.set_defaults(fn=delete_topics)
    p = sub.add_parser("produce-files")
    p.add_argument("--topic", required=True)
    p.add_argument("files", nargs="+")
    p.set_defaults(fn=produce_files)
    p = sub.add_parser("produce-bench")
    p.add_argument("--topic", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("files", nargs="+")
    p.set_defaults(fn=produce_bench)
    p = sub.add_parser("end-offsets")
    p.add_argument("--topic", required=True)
    p.set_defaults(fn=end_offsets)
    p = sub.add_parser("show")
    p.add_argument("--topic", required=True)
    p.add_argument("--from", dest="from_offsets", default="")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--full", action="store_true", help="also print the first document in full")
    p.set_defaults(fn=show)
    p = sub.add_parser("wait-metrics")
    p.add_argument("--url", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--pid", type=int, help="fail at once when this process is gone")
    p.add_argument("--base", type=int, default=0, help="records finished before this phase")
    p.add_argument("--words", type=int, default=0, help="words in this phase's records")
    p.set_defaults(fn=wait_metrics)
    p = sub.add_parser("pace")
    p.add_argument("--topic", required=True)
    p.add_argument("--rate", type=float, required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--prefix", required=True)
    p.add_argument("--linger-ms", type=float, default=1)
    p.add_argument("files", nargs="+")
    p.set_defaults(fn=pace)
    p = sub.add_parser("core")
    p.add_argument("--bin", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("files", nargs="+")
    p.set_defaults(fn=core)
    p = sub.add_parser("latency")
    p.add_argument("--in", dest="input", required=True)
    p.add_argument("--out", dest="output", required=True)
    p.add_argument("--prefix", action="append", required=True)
    p.set_defaults(fn=latency)
    p = sub.add_parser("stages")
    p.add_argument("--url", required=True)
    p.add_argument("--since")
    p.add_argument("--save")
    p.add_argument("--print", action="store_true")
    p.set_defaults(fn=stages)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
