//! Every metric the service exports, defined once. Names carry the `newsenrich_` prefix.
//! No label ever holds per-article or per-entity-text values.

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

pub const RECORDS_CONSUMED_TOTAL: &str = "newsenrich_records_consumed_total";
pub const RECORDS_PRODUCED_TOTAL: &str = "newsenrich_records_produced_total";
pub const RECORDS_DLQ_TOTAL: &str = "newsenrich_records_dlq_total";
pub const ENRICH_DURATION_SECONDS: &str = "newsenrich_enrich_duration_seconds";
pub const END_TO_END_LATENCY_SECONDS: &str = "newsenrich_end_to_end_latency_seconds";
pub const INFLIGHT_RECORDS: &str = "newsenrich_inflight_records";
pub const CONSUMER_LAG: &str = "newsenrich_consumer_lag";
pub const REBALANCES_TOTAL: &str = "newsenrich_rebalances_total";
pub const OFFSET_COMMITS_TOTAL: &str = "newsenrich_offset_commits_total";
pub const ENTITIES_EXTRACTED_TOTAL: &str = "newsenrich_entities_extracted_total";
pub const RELATIONS_EXTRACTED_TOTAL: &str = "newsenrich_relations_extracted_total";
pub const BUILD_INFO: &str = "newsenrich_build_info";
pub const ARTICLES_BY_LANGUAGE_TOTAL: &str = "newsenrich_articles_by_language_total";
pub const LANGUAGE_OUTCOMES_TOTAL: &str = "newsenrich_language_outcomes_total";
pub const STAGE_SECONDS: &str = "newsenrich_stage_seconds";

/// Every metric name above, for checks that dashboards and alerts only use exported names.
pub const ALL_NAMES: [&str; 15] = [
    RECORDS_CONSUMED_TOTAL,
    RECORDS_PRODUCED_TOTAL,
    RECORDS_DLQ_TOTAL,
    ENRICH_DURATION_SECONDS,
    END_TO_END_LATENCY_SECONDS,
    INFLIGHT_RECORDS,
    CONSUMER_LAG,
    REBALANCES_TOTAL,
    OFFSET_COMMITS_TOTAL,
    ENTITIES_EXTRACTED_TOTAL,
    RELATIONS_EXTRACTED_TOTAL,
    BUILD_INFO,
    ARTICLES_BY_LANGUAGE_TOTAL,
    LANGUAGE_OUTCOMES_TOTAL,
    STAGE_SECONDS,
];

/// The worker's stages, in a record's order (label `stage` of `newsenrich_stage_seconds`).
pub const STAGES: [&str; 7] = [
    "fetch", "admit", "queue", "enrich", "publish", "ack", "store",
];

/// One handle per stage, resolved once (no label lookup per record).
#[derive(Clone)]
pub struct Stages {
    /// Input record timestamp -> polled by the consumer thread (upstream linger, broker, fetch).
    pub fetch: Histogram,
    /// Polled -> started (waiting for room in a full pipeline or partition).
    pub admit: Histogram,
    /// Started -> on an enrich thread (waiting for a pool slot).
    pub queue: Histogram,
    /// Decode, enrich and serialize.
    pub enrich: Histogram,
    /// Enriched -> handed to the producer (earlier records of the partition first, in order).
    pub publish: Histogram,
    /// Handed to the producer -> acknowledged by the broker (linger, broker write, acks).
    pub ack: Histogram,
    /// Acknowledged -> its offset applied by the consumer thread.
    pub store: Histogram,
}

/// Handles to every metric, registered in one registry that `/metrics` renders.
#[derive(Clone)]
pub struct Metrics {
    pub registry: Registry,
    pub records_consumed: IntCounter,
    pub records_produced: IntCounter,
    /// Label `reason`: the dead-letter error class (a small fixed set).
    pub records_dlq: IntCounterVec,
    pub enrich_duration: Histogram,
    pub end_to_end_latency: Histogram,
    pub inflight: IntGauge,
    /// Labels `topic`, `partition`.
    pub consumer_lag: IntGaugeVec,
    pub rebalances: IntCounter,
    /// Label `result`: `ok` or `error`.
    pub offset_commits: IntCounterVec,
    /// Label `type`: the entity type.
    pub entities_extracted: IntCounterVec,
    /// Label `predicate`.
    pub relations_extracted: IntCounterVec,
    pub build_info: IntGaugeVec,
    /// Label `language`: an ISO 639-1 code from a bounded set (the tracked and configured
    /// languages), `other` or `unknown` (see `service::language`).
    pub articles_by_language: IntCounterVec,
    /// Label `outcome`: the language policy applied, `enrich`, `pass`, `dlq` or `route`.
    pub language_outcomes: IntCounterVec,
    /// Label `stage`: one of [`STAGES`].
    pub stage_seconds: HistogramVec,
    pub stages: Stages,
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let records_consumed =
            IntCounter::new(RECORDS_CONSUMED_TOTAL, "Records read from the input topic")?;
        let records_produced = IntCounter::new(
            RECORDS_PRODUCED_TOTAL,
            "Enriched documents acknowledged by the broker on the output topic",
        )?;
        let records_dlq = IntCounterVec::new(
            Opts::new(
                RECORDS_DLQ_TOTAL,
                "Records sent to the dead-letter topic, by reason",
            ),
            &["reason"],
        )?;
        let enrich_duration = Histogram::with_opts(
            HistogramOpts::new(
                ENRICH_DURATION_SECONDS,
                "Time spent in the enrich core per article",
            )
            .buckets(vec![
                0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                1.0,
            ]),
        )?;
        let end_to_end_latency = Histogram::with_opts(
            HistogramOpts::new(
                END_TO_END_LATENCY_SECONDS,
                "Time from the input record's timestamp to the broker's ack of its output",
            )
            .buckets(vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
            ]),
        )?;
        let inflight = IntGauge::new(INFLIGHT_RECORDS, "Records consumed but not yet finished")?;
        let consumer_lag = IntGaugeVec::new(
            Opts::new(
                CONSUMER_LAG,
                "Consumer lag in records, from librdkafka statistics",
            ),
            &["topic", "partition"],
        )?;
        let rebalances = IntCounter::new(REBALANCES_TOTAL, "Consumer group rebalances seen")?;
        let offset_commits = IntCounterVec::new(
            Opts::new(OFFSET_COMMITS_TOTAL, "Offset commits, by result"),
            &["result"],
        )?;
        let entities_extracted = IntCounterVec::new(
            Opts::new(ENTITIES_EXTRACTED_TOTAL, "Entities extracted, by type"),
            &["type"],
        )?;
        let relations_extracted = IntCounterVec::new(
            Opts::new(
                RELATIONS_EXTRACTED_TOTAL,
                "Relations extracted, by predicate",
            ),
            &["predicate"],
        )?;
        let build_info = IntGaugeVec::new(
            Opts::new(BUILD_INFO, "Build information; the value is always 1"),
            &["version", "model"],
        )?;
        let articles_by_language = IntCounterVec::new(
            Opts::new(
                ARTICLES_BY_LANGUAGE_TOTAL,
                "Decoded articles by language (detected or trusted input)",
            ),
            &["language"],
        )?;
        let language_outcomes = IntCounterVec::new(
            Opts::new(
                LANGUAGE_OUTCOMES_TOTAL,
                "Decoded articles by the language policy applied to them",
            ),
            &["outcome"],
        )?;
        let stage_seconds = HistogramVec::new(
            HistogramOpts::new(
                STAGE_SECONDS,
                "Time a record spends in each stage of the worker",
            )
            .buckets(vec![
                0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2,
                0.5, 1.0, 5.0,
            ]),
            &["stage"],
        )?;
        let stage = |name: &str| stage_seconds.get_metric_with_label_values(&[name]);
        let stages = Stages {
            fetch: stage(STAGES[0])?,
            admit: stage(STAGES[1])?,
            queue: stage(STAGES[2])?,
            enrich: stage(STAGES[3])?,
            publish: stage(STAGES[4])?,
            ack: stage(STAGES[5])?,
            store: stage(STAGES[6])?,
        };
        registry.register(Box::new(records_consumed.clone()))?;
        registry.register(Box::new(records_produced.clone()))?;
        registry.register(Box::new(records_dlq.clone()))?;
        registry.register(Box::new(enrich_duration.clone()))?;
        registry.register(Box::new(end_to_end_latency.clone()))?;
        registry.register(Box::new(inflight.clone()))?;
        registry.register(Box::new(consumer_lag.clone()))?;
        registry.register(Box::new(rebalances.clone()))?;
        registry.register(Box::new(offset_commits.clone()))?;
        registry.register(Box::new(entities_extracted.clone()))?;
        registry.register(Box::new(relations_extracted.clone()))?;
        registry.register(Box::new(build_info.clone()))?;
        registry.register(Box::new(articles_by_language.clone()))?;
        registry.register(Box::new(language_outcomes.clone()))?;
        registry.register(Box::new(stage_seconds.clone()))?;
        Ok(Self {
            registry,
            records_consumed,
            records_produced,
            records_dlq,
            enrich_duration,
            end_to_end_latency,
            inflight,
            consumer_lag,
            rebalances,
            offset_commits,
            entities_extracted,
            relations_extracted,
            build_info,
            articles_by_language,
            language_outcomes,
            stage_seconds,
            stages,
        })
    }

    /// Creates every fixed label set at zero so each name shows on the first scrape (dashboards and
    /// `rate()` need the series to exist before the first event), and sets build info.
    pub fn init_labels(&self, model: &str) {
        for class in crate::service::article::ErrorClass::ALL {
            self.records_dlq.with_label_values(&[class.as_str()]);
        }
        for result in ["ok", "error"] {
            self.offset_commits.with_label_values(&[result]);
        }
        for t in crate::enrich::EntityType::ALL {
            self.entities_extracted.with_label_values(&[t.as_str()]);
        }
        for p in crate::enrich::Predicate::ALL {
            self.relations_extracted.with_label_values(&[p.as_str()]);
        }
        self.build_info
            .with_label_values(&[env!("CARGO_PKG_VERSION"), model])
            .set(1);
    }

    /// Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let encoder = TextEncoder::new();
        if encoder.encode(&self.registry.gather(), &mut buf).is_err() {
            return String::new();
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}
