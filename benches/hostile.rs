//! Time of the whole enrich core (`Enricher::analyze_within`) on one thread for each hostile
//! shape of `newsenrich::enrich::hostile` (CSV rows and minified JSON without spaces, runs of
//! percentages, ordinals, names, clitics, one endless sentence, odd characters), at 500,000
//! bytes each. Target: every shape well under one second in a release build, with no limit
//! (`Budget::unlimited()`, so the time shows the algorithm, not the budget) and with the default
//! budget (what the service runs; its degradations are printed).
//!
//! `cargo bench --bench hostile [-- --size BYTES --shape NAME]`. Needs only `models/`.

use newsenrich::enrich::hostile::SHAPES;
use newsenrich::enrich::{Budget, Enricher};
use std::path::Path;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo test --all-targets` also runs bench targets, without `--bench`: skip the speed run.
    if !args.iter().any(|a| a == "--bench") {
        eprintln!("hostile: run with `cargo bench --bench hostile`; skipped");
        return;
    }
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let size: usize = opt("--size")
        .and_then(|v| v.parse().ok())
        .unwrap_or(500_000);
    let only = opt("--shape");
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let enricher = match Enricher::load(&models) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("hostile: {e}");
            std::process::exit(2);
        }
    };
    println!(
        "{:<26} {:>9} {:>9} {:>12} {:>12}  degraded (default budget)",
        "shape", "bytes", "chars", "unlimited", "default"
    );
    let mut worst: Option<(&str, Duration)> = None;
    for shape in SHAPES {
        if only.as_deref().is_some_and(|o| o != shape.name) {
            continue;
        }
        let text = (shape.make)(size);
        let t = Instant::now();
        let full = enricher.analyze_within(&text, &Budget::unlimited());
        let unlimited = t.elapsed();
        let t = Instant::now();
        let bounded = enricher.analyze_within(&text, &Budget::default());
        let default = t.elapsed();
        let degraded: Vec<&str> = bounded.degraded.iter().map(|d| d.as_str()).collect();
        println!(
            "{:<26} {:>9} {:>9} {:>10.1}ms {:>10.1}ms  {} entities, {} relations {:?}",
            shape.name,
            text.len(),
            text.chars().count(),
            unlimited.as_secs_f64() * 1e3,
            default.as_secs_f64() * 1e3,
            full.entities.len(),
            full.relations.len(),
            degraded
        );
        if worst.is_none_or(|(_, w)| unlimited > w) {
            worst = Some((shape.name, unlimited));
        }
    }
    if let Some((name, t)) = worst {
        println!(
            "worst case (no limits): {name} {:.1}ms for {size} bytes",
            t.as_secs_f64() * 1e3
        );
    }
}
