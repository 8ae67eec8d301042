//! A throw-away secured broker (`scripts/kafka start --secure` on free ports, purged on drop) and
//! the test's own clients for it: the super user `admin` over SASL_SSL/SCRAM for creating topics,
//! producing articles and reading what the worker wrote.
//!
//! Topic and group names must carry the prefixes the broker's ACLs grant (`in.`, `out.`, `dlq.`,
//! `grp.`); [`SecureBroker::topics`] makes such names.

use super::worker::crate_dir;
use super::{block_on, unique, wait_for, Rec, Topics};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::BTreeMap;
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct SecureBroker {
    pub port: u16,
    /// secure.env: SASL_BOOTSTRAP, MTLS_BOOTSTRAP, MISMATCH_BOOTSTRAP, CA, ROGUE_CA, CLIENT_CERT,
    /// CLIENT_KEY, ADMIN_PASSWORD, WORKER_PASSWORD, NODLQ_PASSWORD, …
    pub env: BTreeMap<String, String>,
}

/// Four ports: P, P+1, P+2 free on 127.0.0.1 and P+3 free on 127.0.0.2.
fn free_port_block() -> u16 {
    wait_for(Duration::from_secs(10), "four adjacent free ports", || {
        let a = TcpListener::bind("127.0.0.1:0").ok()?;
        let p = a.local_addr().ok()?.port();
        if p > 65_000 {
            return None;
        }
        let _b = TcpListener::bind(("127.0.0.1", p + 1)).ok()?;
        let _c = TcpListener::bind(("127.0.0.1", p + 2)).ok()?;
        let _d = TcpListener::bind(("127.0.0.2", p + 3)).ok()?;
        Some(p)
    })
}

impl SecureBroker {
    pub fn start() -> SecureBroker {
        let port = free_port_block();
        let started = Instant::now();
        let out = Command::new("bash")
            .arg(crate_dir().join("scripts/kafka"))
            .args(["start", "--secure"])
            .env("KAFKA_PORT", port.to_string())
            .stderr(Stdio::inherit())
            .output()
            .expect("run scripts/kafka start --secure");
        let mut broker = SecureBroker {
            port,
            env: BTreeMap::new(),
        };
        assert!(
            out.status.success(),
            "scripts/kafka start --secure (port {port}) failed"
        );
        let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {path} printed by scripts/kafka: {e}"));
        broker.env = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        eprintln!(
            "secure broker on {port} ready after {:?}",
            started.elapsed()
        );
        broker
    }

    pub fn get(&self, key: &str) -> &str {
        self.env
            .get(key)
            .unwrap_or_else(|| panic!("{key} missing from secure.env"))
    }

    /// Fresh names with the prefixes the ACLs grant.
    pub fn topics(&self, test: &str) -> Topics {
        let u = unique(test);
        let mut t = Topics::names(test, 1);
        t.input = format!("in.{u}");
        t.output = format!("out.{u}");
        t.dlq = format!("dlq.{u}");
        t.group = format!("grp.{u}");
        t
    }

    /// The super user's client configuration (SASL_SSL, SCRAM-SHA-512).
    pub fn admin_config(&self) -> ClientConfig {
        let mut c = ClientConfig::new();
        c.set("bootstrap.servers", self.get("SASL_BOOTSTRAP"))
            .set("security.protocol", "SASL_SSL")
            .set("sasl.mechanism", "SCRAM-SHA-512")
            .set("sasl.username", "admin")
            .set("sasl.password", self.get("ADMIN_PASSWORD"))
            .set("ssl.ca.location", self.get("CA"));
        c
    }

    /// Creates `topics` (input with `partitions`, output and DLQ with 1) and waits for leaders.
    pub fn create_topics(&self, t: &Topics, partitions: i32) {
        let admin: AdminClient<DefaultClientContext> =
            self.admin_config().create().expect("admin client");
        let new = [
            NewTopic::new(&t.input, partitions, TopicReplication::Fixed(1)),
            NewTopic::new(&t.output, 1, TopicReplication::Fixed(1)),
            NewTopic::new(&t.dlq, 1, TopicReplication::Fixed(1)),
        ];
        let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(20)));
        for r in block_on(admin.create_topics(new.iter(), &opts)).expect("create topics") {
            r.unwrap_or_else(|(name, code)| panic!("create topic {name}: {code}"));
        }
        for name in [&t.input, &t.output, &t.dlq] {
            wait_for(Duration::from_secs(30), &format!("{name} leader"), || {
                let md = admin
                    .inner()
                    .fetch_metadata(Some(name), Duration::from_secs(5))
                    .ok()?;
                let topic = md.topics().iter().find(|x| x.name() == name)?;
                (!topic.partitions().is_empty()
                    && topic.partitions().iter().all(|p| p.leader() >= 0))
                .then_some(())
            });
        }
    }

    pub fn produce(&self, topic: &str, records: Vec<Rec>) -> Vec<Rec> {
        let producer: FutureProducer = self
            .admin_config()
            .set("acks", "all")
            .set("enable.idempotence", "true")
            .create()
            .expect("test producer");
        let mut out = records;
        for rec in out.iter_mut() {
            let mut headers = OwnedHeaders::new();
            for (k, v) in &rec.headers {
                headers = headers.insert(Header {
                    key: k,
                    value: Some(v),
                });
            }
            let mut record = FutureRecord::to(topic).payload(&rec.value).headers(headers);
            if let Some(k) = &rec.key {
                record = record.key(k);
            }
            let (partition, offset) = block_on(producer.send(record, Duration::from_secs(30)))
                .map(|d| (d.partition, d.offset))
                .unwrap_or_else(|(e, _)| panic!("produce to {topic}: {e}"));
            rec.partition = partition;
            rec.offset = offset;
        }
        producer.flush(Duration::from_secs(10)).expect("flush");
        out
    }

    /// Reads `topic` from the beginning (read_committed) until `done` holds.
    pub fn consume_until(
        &self,
        topic: &str,
        timeout: Duration,
        what: &str,
        done: impl FnMut(&[Rec]) -> bool,
    ) -> Vec<Rec> {
        super::consume_until_with(self.admin_config(), topic, timeout, what, done)
    }

    /// The group's committed offset on `topic` partition 0 (None when nothing is committed).
    pub fn committed(&self, group: &str, topic: &str) -> Option<i64> {
        let consumer: BaseConsumer = self
            .admin_config()
            .set("group.id", group)
            .create()
            .expect("offsets reader");
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition(topic, 0);
        let got = consumer
            .committed_offsets(tpl, Duration::from_secs(10))
            .expect("committed offsets");
        match got.find_partition(topic, 0).map(|p| p.offset()) {
            Some(Offset::Offset(o)) => Some(o),
            _ => None,
        }
    }

    /// Env vars giving both the worker's consumer and producer the librdkafka `props`.
    pub fn client_env(props: &[(&str, String)]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for section in ["CONSUMER_EXTRA", "PRODUCER_EXTRA"] {
            for (key, value) in props {
                let var = format!(
                    "NEWSENRICH__KAFKA__{section}__{}",
                    key.to_ascii_uppercase().replace('.', "__")
                );
                out.push((var, value.clone()));
            }
        }
        out
    }

    /// SASL_SSL properties for `user` with `password` and `mechanism`, trusting `ca`.
    pub fn sasl_props(
        &self,
        mechanism: &str,
        user: &str,
        password: &str,
        ca: &str,
    ) -> Vec<(&'static str, String)> {
        vec![
            ("security.protocol", "SASL_SSL".into()),
            ("sasl.mechanism", mechanism.into()),
            ("sasl.username", user.into()),
            ("sasl.password", password.into()),
            ("ssl.ca.location", ca.into()),
        ]
    }

    /// mTLS properties with the worker's client certificate, trusting `ca`.
    pub fn mtls_props(&self, ca: &str) -> Vec<(&'static str, String)> {
        vec![
            ("security.protocol", "SSL".into()),
            ("ssl.ca.location", ca.into()),
            ("ssl.certificate.location", self.get("CLIENT_CERT").into()),
            ("ssl.key.location", self.get("CLIENT_KEY").into()),
        ]
    }
}

impl Drop for SecureBroker {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(crate_dir().join("scripts/kafka"))
            .args(["purge", "--secure"])
            .env("KAFKA_PORT", self.port.to_string())
            .stdout(Stdio::null())
            .status();
    }
}
