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
                                          print the throughput
"""

import argparse
import json
import os
import sys
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

    def __init__(self, topic):
        self.topic = topic
        self.failed = []
        self.sent = 0
        self.p = Producer(
            {"bootstrap.servers": BOOTSTRAP, "linger.ms": 20, "enable.idempotence": True}
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


def produce_bench(args):
    texts = article_texts(args.files)
    s = Sender(args.topic)
    t0 = time.monotonic()
    for i in range(args.count):
        doc = {"id": f"bench-{i}", "source": "bench", "body": texts[i % len(texts)]}
        s.send(doc["id"], json.dumps(doc).encode(), [])
    s.finish()
    dt = time.monotonic() - t0
    print(f"produced {s.sent} articles to {args.topic} in {dt:.1f}s")


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
        if t_first is None and consumed > 0:
            t_first = now
        if done >= args.count:
            dt = now - t_first
            print(f"{int(done)} records in {dt:.2f}s from first consume to last output: "
                  f"{done / dt:.0f} records/s, model {build.get('model', '?')}")
            return
        if now - last_print > 5:
            print(f"  ... consumed {int(consumed)}, finished {int(done)} of {args.count}",
                  file=sys.stderr)
            last_print = now
        time.sleep(0.05)
    die(f"not all {args.count} records finished within {args.timeout}s")


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
    p.set_defaults(fn=wait_metrics)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
