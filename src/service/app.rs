//! Wires settings, telemetry-ready metrics, the Kafka clients, the pipeline and HTTP together, and
//! owns the shutdown order: stop fetching -> drain in-flight -> commit -> close consumer -> flush
//! producer -> stop HTTP.
//!
//! [`run`] touches no process-wide state: the caller owns the shutdown token, the signal handlers,
//! the log subscriber and the panic hook (the binary sets them up in `main.rs`), so a test or an
//! embedding program can run the whole worker in-process, more than once.

use crate::enrich::Enricher;
use crate::service::config::{Delivery, Settings};
use crate::service::health::Status;
use crate::service::http::{self, HttpState};
use crate::service::kafka::admin;
use crate::service::kafka::consumer::{self, ConsumerCtx};
use crate::service::kafka::producer::{self, OutputProducer};
use crate::service::metrics::Metrics;
use crate::service::worker::{self, Pipeline, PipelineConfig, Progress, Rebalancer};
use anyhow::Context;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;

/// How often topic creation is retried while the broker is unreachable.
const ADMIN_RETRY: Duration = Duration::from_secs(5);

/// Runs the worker until `shutdown` is cancelled (the binary cancels it on SIGTERM/SIGINT), then
/// shuts down in order: the in-flight records are finished within `worker.drain_timeout_ms`, their
/// offsets committed, the group left, the producer flushed, the HTTP server stopped. `Ok(())` after
/// a clean shutdown; an error when the worker cannot start or its pipeline broke.
pub async fn run(settings: Settings, shutdown: CancellationToken) -> anyhow::Result<()> {
    for warning in settings.warnings() {
        tracing::warn!("insecure setting: {warning}");
    }
    let metrics = Metrics::new().context("cannot register metrics")?;
    let enricher = load_enricher(&settings)?;
    metrics.init_labels(&enricher.model_name());
    let status = Arc::new(Status::default());
    status.touch();

    // `/readyz` says "shutting down" from the moment shutdown is asked for, so load balancers stop
    // routing before the drain ends.
    let stopping = status.clone();
    let asked = shutdown.clone();
    // Aborted when `run` returns, however it returns: nothing is left waiting on the caller's token.
    let _stopping_watch = AbortOnDropHandle::new(tokio::spawn(async move {
        asked.cancelled().await;
        stopping.stopping.store(true, Ordering::Relaxed);
    }));

    let progress = Arc::new(Progress::default());
    let http = Http::start(&settings, &metrics, &status, &progress).await?;
    let producer = create_producer(&settings, &status)?;
    if settings.kafka.create_topics {
        ensure_topics(&settings, &status, &shutdown).await;
    }
    if settings.kafka.delivery == Delivery::ExactlyOnce {
        init_transactions(&producer, &status, &shutdown).await?;
    }

    let mut result = Ok(());
    if !shutdown.is_cancelled() {
        let pipeline = Pipeline::new(
            PipelineConfig::from_settings(&settings),
            tokio::runtime::Handle::current(),
            producer.clone(),
            enricher,
            metrics.clone(),
            status.clone(),
            progress,
        );
        result = consume(&settings, &pipeline, &status, &metrics, &shutdown).await;
        pipeline.close(Duration::from_millis(500)).await;
    }

    flush(producer).await;
    http.stop().await;
    tracing::info!("worker stopped");
    result
}

fn load_enricher(settings: &Settings) -> anyhow::Result<Arc<Enricher>> {
    let models_dir = &settings.enrich.models_dir;
    let enricher = Enricher::load(models_dir).with_context(|| {
        format!(
            "cannot load models from {} (enrich.models_dir)",
            models_dir.display()
        )
    })?;
    Ok(Arc::new(enricher))
}

/// The HTTP server (`/metrics`, `/healthz`, `/readyz`), stopped last.
struct Http {
    stop: CancellationToken,
    server: tokio::task::JoinHandle<()>,
}

impl Http {
    async fn start(
        settings: &Settings,
        metrics: &Metrics,
        status: &Arc<Status>,
        progress: &Arc<Progress>,
    ) -> anyhow::Result<Self> {
        let addr = format!("{}:{}", settings.http.host, settings.http.port);
        let listener = TcpListener::bind(&addr)
            .await
            .with_context(|| format!("cannot listen on {addr} (http.host, http.port)"))?;
        tracing::info!(addr = %listener.local_addr()?, "http listening");
        let stop = CancellationToken::new();
        let router = http::router(HttpState {
            metrics: metrics.clone(),
            status: status.clone(),
            progress: progress.clone(),
            stall_timeout: settings.worker.stall_timeout(),
        });
        let limits = settings.http.clone();
        let stopped = stop.clone();
        let server = tokio::spawn(async move {
            http::serve(listener, router, &limits, stopped).await;
        });
        Ok(Self { stop, server })
    }

    async fn stop(self) {
        self.stop.cancel();
        if let Err(e) = self.server.await {
            tracing::warn!("http server task failed: {e}");
        }
    }
}

/// The output producer. librdkafka's creation errors may quote property values: shown only with
/// secrets scrubbed.
fn create_producer(
    settings: &Settings,
    status: &Arc<Status>,
) -> anyhow::Result<Arc<OutputProducer>> {
    let producer = producer::create(&settings.kafka, status.clone()).map_err(|e| {
        anyhow::anyhow!(
            "cannot create the kafka producer: {}",
            settings.scrub(&e.to_string())
        )
    })?;
    Ok(Arc::new(producer))
}

/// Creates the consumer and runs the poll loop on its own thread (it blocks, and rebalances drain
/// on it, never on the reactor) until `shutdown`; the pipeline's error, if it broke.
async fn consume(
    settings: &Settings,
    pipeline: &Arc<Pipeline>,
    status: &Arc<Status>,
    metrics: &Metrics,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let ctx = ConsumerCtx::new(
        status.clone(),
        metrics.clone(),
        Arc::new(Rebalancer::new(pipeline.clone())),
        settings.kafka.input_topic.clone(),
    )
    .lag_from_stored(settings.kafka.delivery == Delivery::ExactlyOnce);
    let consumer = consumer::create(&settings.kafka, ctx).map_err(|e| {
        anyhow::anyhow!(
            "cannot create the kafka consumer: {}",
            settings.scrub(&e.to_string())
        )
    })?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let thread_pipeline = pipeline.clone();
    let topic = settings.kafka.input_topic.clone();
    let stop = shutdown.clone();
    std::thread::Builder::new()
        .name("consumer".into())
        .spawn(move || {
            let _ = tx.send(worker::consume(thread_pipeline, consumer, &topic, stop));
        })
        .context("cannot start the consumer thread")?;
    match rx.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(anyhow::Error::new(e).context("consumer failed")),
        Err(_) => Err(anyhow::anyhow!("consumer thread panicked")),
    }
}

/// Flushes what the producer still holds (briefly: what is left is redone after a restart).
async fn flush(producer: Arc<OutputProducer>) {
    let flushed = tokio::task::spawn_blocking(move || {
        use rdkafka::producer::Producer;
        producer.flush(Duration::from_millis(500))
    })
    .await;
    if !matches!(flushed, Ok(Ok(()))) {
        tracing::warn!(
            "producer queue not empty at exit; those records will be redone after restart"
        );
    }
}

/// Creates the output and DLQ topics, retrying while the broker is unreachable.
async fn ensure_topics(settings: &Settings, status: &Status, shutdown: &CancellationToken) {
    let route = settings.language.route_topic.trim();
    let extra: Vec<&str> = match settings.language.routes() && !route.is_empty() {
        true => vec![route],
        false => Vec::new(),
    };
    loop {
        status.touch();
        let attempt = tokio::select! {
            _ = shutdown.cancelled() => return,
            r = admin::ensure_topics(&settings.kafka, &extra) => r,
        };
        match attempt {
            Ok(()) => return,
            Err(e) => tracing::warn!(
                "cannot create topics, retrying in {}s: {}",
                ADMIN_RETRY.as_secs(),
                settings.scrub(&e.to_string())
            ),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(ADMIN_RETRY) => {}
        }
    }
}

/// Registers the transactional producer with the broker (retrying while it is unreachable) and
/// opens the first transaction.
async fn init_transactions(
    producer: &Arc<producer::OutputProducer>,
    status: &Status,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    use rdkafka::error::KafkaError;
    use rdkafka::producer::Producer;
    loop {
        status.touch();
        let p = producer.clone();
        let attempt =
            tokio::task::spawn_blocking(move || p.init_transactions(Duration::from_secs(5)))
                .await?;
        match attempt {
            Ok(()) => break,
            Err(KafkaError::Transaction(e)) if e.is_fatal() => {
                return Err(anyhow::anyhow!("cannot initialise transactions: {e}"))
            }
            Err(e) => tracing::warn!(
                "cannot initialise transactions, retrying in {}s: {e}",
                ADMIN_RETRY.as_secs()
            ),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return Ok(()),
            _ = tokio::time::sleep(ADMIN_RETRY) => {}
        }
    }
    producer
        .begin_transaction()
        .context("cannot begin a transaction")?;
    tracing::info!("exactly-once delivery: transactions initialised");
    Ok(())
}
