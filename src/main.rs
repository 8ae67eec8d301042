//! The `newsenrich` binary: parse the command line, load settings, start logging, run.

use anyhow::Context;
use clap::{Parser, Subcommand};
use newsenrich::service::config::Settings;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
#[command(
    name = "newsenrich",
    version,
    about = "Entities and relations from news articles, on Kafka"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the Kafka worker.
    Run {
        /// TOML settings file (NEWSENRICH__SECTION__KEY env vars override it).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Load and validate settings, print the effective ones (secrets redacted).
    CheckConfig {
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Enrich articles from files (or stdin) to v1 JSON lines on stdout, without Kafka.
    Enrich {
        #[arg(long)]
        config: Option<PathBuf>,
        /// JSON-lines files (first byte `{`) or raw-text articles; stdin when none.
        files: Vec<PathBuf>,
    },
    /// Put dead letters back on the input topic once their cause is fixed (see the README).
    ReplayDlq {
        #[arg(long)]
        config: Option<PathBuf>,
        /// Replay only this error class (`x-error-class`); repeat for several. Default: all.
        #[arg(long = "class")]
        classes: Vec<newsenrich::service::article::ErrorClass>,
        /// Stop after this many replayed records.
        #[arg(long)]
        limit: Option<u64>,
        /// Count what would be replayed, per class; produce and commit nothing.
        #[arg(long)]
        dry_run: bool,
        /// Read the dead-letter topic from its start, not from where the last replay stopped.
        #[arg(long)]
        from_beginning: bool,
    },
    /// Accuracy on CoNLL files.
    Eval {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Train the shipped models.
    Train {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// Exit code for bad configuration, distinct from runtime failures (1).
const EXIT_CONFIG: u8 = 2;

fn load(config: Option<&PathBuf>) -> Result<Settings, ExitCode> {
    // Then librdkafka itself checks every client's properties, so a misspelt or unsupported one is
    // a configuration error naming the key (never its value).
    Settings::load(config.map(PathBuf::as_path))
        .and_then(|s| newsenrich::service::kafka::client::check_properties(&s).map(|()| s))
        .map_err(|e| {
            eprintln!("newsenrich: {e}");
            ExitCode::from(EXIT_CONFIG)
        })
}

/// Settings and logging for the commands that do work; the exit code when either fails.
fn start(config: Option<&PathBuf>) -> Result<Settings, ExitCode> {
    let settings = load(config)?;
    if let Err(e) = newsenrich::service::telemetry::init(&settings.log) {
        eprintln!("newsenrich: {e:#}");
        return Err(ExitCode::from(EXIT_CONFIG));
    }
    Ok(settings)
}

fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("newsenrich: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run { config } => {
            let settings = match start(config.as_ref()) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => return report(Err(e.into())),
            };
            // Process-wide, so here and not in `run`: secrets scrubbed from panic messages, and the
            // signals that cancel the worker's shutdown token.
            newsenrich::service::secrets::install_panic_hook(settings.secret_values());
            let hard_cap =
                Duration::from_millis(settings.worker.drain_timeout_ms.saturating_mul(2));
            let shutdown = CancellationToken::new();
            let result = runtime.block_on(async {
                spawn_signal_handler(shutdown.clone(), hard_cap)?;
                newsenrich::service::app::run(settings, shutdown).await
            });
            // An enrichment still running on the blocking pool must not hold the exit.
            runtime.shutdown_timeout(std::time::Duration::from_millis(500));
            report(result)
        }
        Command::ReplayDlq {
            config,
            classes,
            limit,
            dry_run,
            from_beginning,
        } => {
            let settings = match start(config.as_ref()) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let options = newsenrich::service::kafka::replay::ReplayOptions {
                classes,
                limit,
                dry_run,
                from_beginning,
            };
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => return report(Err(e.into())),
            };
            let result = runtime.block_on(newsenrich::service::kafka::replay::replay(
                &settings.kafka,
                &options,
            ));
            report(result.map(|summary| {
                let verb = if dry_run { "would replay" } else { "replayed" };
                println!(
                    "{verb} {} dead letters from {} to {} {:?}; passed over {} {:?}",
                    summary.total_replayed(),
                    settings.kafka.dlq_topic(),
                    settings.kafka.input_topic,
                    summary.replayed,
                    summary.total_skipped(),
                    summary.skipped
                );
            }))
        }
        Command::CheckConfig { config } => match load(config.as_ref()) {
            Ok(settings) => {
                println!("{}", settings.redacted_json());
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        Command::Enrich { config, files } => {
            let settings = match start(config.as_ref()) {
                Ok(s) => s,
                Err(code) => return code,
            };
            match newsenrich::service::enrich_cmd::run(&settings, &files) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::FAILURE,
                Err(e) => report(Err(e)),
            }
        }
        Command::Eval { args } => report(newsenrich::lab::eval::run(&args)),
        Command::Train { args } => report(newsenrich::lab::train::run(&args)),
    }
}

/// First SIGTERM/SIGINT cancels `shutdown` (the graceful shutdown) and arms a hard deadline; a
/// second one, or the deadline, exits at once with a non-zero code so the process never hangs.
fn spawn_signal_handler(shutdown: CancellationToken, hard_cap: Duration) -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("cannot install the SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("cannot install the SIGINT handler")?;
    tokio::spawn(async move {
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        };
        tracing::info!(signal = name, "shutdown requested");
        shutdown.cancel();
        // A plain thread: it must fire even if the runtime itself is stuck.
        let _ = std::thread::Builder::new()
            .name("shutdown-deadline".into())
            .spawn(move || {
                std::thread::sleep(hard_cap);
                tracing::error!(
                    deadline_ms = hard_cap.as_millis() as u64,
                    "shutdown exceeded its hard deadline, exiting"
                );
                std::process::exit(1);
            });
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        tracing::error!("second signal, exiting now");
        std::process::exit(1);
    });
    Ok(())
}
