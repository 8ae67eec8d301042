//! The operations kit in deploy/ must only query what the worker exports: an alert on a misspelt metric
//! or label never fires, and a dashboard panel on one stays empty, both silently. These tests read the
//! alert rules and the Grafana dashboard and check every `newsenrich_*` name and every label they use
//! against the real metric definitions (`newsenrich::service::metrics`). A black-box test elsewhere checks that a
//! running worker exports every name in `ALL_NAMES`; together they tie the kit to the live /metrics.
//! No broker is needed. YAML is read with a small line scanner (the files' layout is ours), so no YAML
//! crate is added; scripts/check-deploy parses the same files fully with PyYAML.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use newsenrich::service::metrics::{Metrics, ALL_NAMES};
use prometheus::core::Collector;

/// Labels every scraped series may carry: added by Prometheus (job, instance) or the Prometheus
/// Operator (namespace, pod, service, endpoint, container).
const TARGET_LABELS: [&str; 7] = [
    "job",
    "instance",
    "namespace",
    "pod",
    "service",
    "endpoint",
    "container",
];

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("cannot read {}: {e}", full.display()))
}

/// What the worker exports: metric name -> label names, and which names are histograms.
struct Exported {
    labels: BTreeMap<String, BTreeSet<String>>,
    histograms: BTreeSet<String>,
}

fn exported() -> Exported {
    let m = Metrics::new().unwrap_or_else(|e| panic!("metrics do not register: {e}"));
    let collectors: Vec<&dyn Collector> = vec![
        &m.records_consumed,
        &m.records_produced,
        &m.records_dlq,
        &m.inflight,
        &m.consumer_lag,
        &m.rebalances,
        &m.offset_commits,
        &m.entities_extracted,
        &m.relations_extracted,
        &m.build_info,
        &m.articles_by_language,
        &m.language_outcomes,
    ];
    // Typed as Histogram, so a metric that stops being one fails to compile here.
    let histograms: [&prometheus::Histogram; 2] = [&m.enrich_duration, &m.end_to_end_latency];
    let mut labels = BTreeMap::new();
    let mut hist_names = BTreeSet::new();
    for c in collectors {
        for d in c.desc() {
            labels.insert(
                d.fq_name.clone(),
                d.variable_labels.iter().cloned().collect(),
            );
        }
    }
    // Histograms with labels.
    let histogram_vecs: [&prometheus::HistogramVec; 1] = [&m.stage_seconds];
    let histograms = histograms
        .iter()
        .flat_map(|h| h.desc())
        .chain(histogram_vecs.iter().flat_map(|h| h.desc()));
    for d in histograms {
        labels.insert(
            d.fq_name.clone(),
            d.variable_labels.iter().cloned().collect(),
        );
        hist_names.insert(d.fq_name.clone());
    }
    let described: BTreeSet<&str> = labels.keys().map(String::as_str).collect();
    let all: BTreeSet<&str> = ALL_NAMES.into_iter().collect();
    assert_eq!(described, all, "the metric handles and ALL_NAMES disagree");
    Exported {
        labels,
        histograms: hist_names,
    }
}

/// One PromQL expression reduced to what it references.
#[derive(Default, Debug)]
struct Refs {
    /// Metric names as written (with any _bucket/_sum/_count suffix).
    metrics: Vec<String>,
    /// (metric as written, label) for every matcher inside `metric{...}`.
    matchers: Vec<(String, String)>,
    /// Labels in by/without/on/ignoring/group_left/group_right clauses and label_values(…, label).
    grouped: Vec<String>,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':'
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// A small PromQL scanner: enough to find metric names, matcher labels and grouping labels. String
/// literals and `$variables` are skipped so label values and Grafana variables are not mistaken for names.
fn scan(expr: &str) -> Refs {
    let chars: Vec<char> = expr.chars().collect();
    let mut refs = Refs::default();
    let mut i = 0;
    let skip_ws = |mut i: usize| {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        i
    };
    let ident_at = |mut i: usize| {
        let start = i;
        while i < chars.len() && is_ident(chars[i]) {
            i += 1;
        }
        (chars[start..i].iter().collect::<String>(), i)
    };
    let mut in_label_values = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' || c == '\'' || c == '`' {
            i += 1;
            while i < chars.len() && chars[i] != c {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if c == '$' {
            let (_, end) = ident_at(i + 1);
            i = end.max(i + 1);
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
        } else if is_ident_start(c) {
            let (word, end) = ident_at(i);
            i = end;
            let after = skip_ws(i);
            match word.as_str() {
                "by" | "without" | "on" | "ignoring" | "group_left" | "group_right"
                    if chars.get(after) == Some(&'(') =>
                {
                    let mut j = after + 1;
                    while j < chars.len() && chars[j] != ')' {
                        if is_ident_start(chars[j]) {
                            let (label, e) = ident_at(j);
                            refs.grouped.push(label);
                            j = e;
                        } else {
                            j += 1;
                        }
                    }
                    i = j;
                }
                "label_values" => in_label_values = true,
                w if w.starts_with("newsenrich_") => {
                    refs.metrics.push(word.clone());
                    let mut j = after;
                    if chars.get(j) == Some(&'{') {
                        j += 1;
                        // Matchers: label op "value" [, ...] }
                        while j < chars.len() && chars[j] != '}' {
                            j = skip_ws(j);
                            if j < chars.len() && is_ident_start(chars[j]) {
                                let (label, e) = ident_at(j);
                                refs.matchers.push((word.clone(), label));
                                j = e;
                            }
                            while j < chars.len() && chars[j] != '"' && chars[j] != '}' {
                                j += 1;
                            }
                            if chars.get(j) == Some(&'"') {
                                j += 1;
                                while j < chars.len() && chars[j] != '"' {
                                    j += if chars[j] == '\\' { 2 } else { 1 };
                                }
                                j += 1;
                            }
                            j = skip_ws(j);
                            if chars.get(j) == Some(&',') {
                                j += 1;
                            }
                        }
                        j += 1;
                    }
                    i = j;
                    // label_values(metric{...}, label): the second argument is a label.
                    let k = skip_ws(i);
                    if in_label_values && chars.get(k) == Some(&',') {
                        let (label, e) = ident_at(skip_ws(k + 1));
                        if !label.is_empty() {
                            refs.grouped.push(label);
                        }
                        i = e;
                        in_label_values = false;
                    }
                }
                _ => {}
            }
        } else {
            i += 1;
        }
    }
    refs
}

/// Checks one expression; `templated` are labels its legend or annotations print. Returns problems.
fn check(exp: &Exported, expr: &str, templated: &[String], place: &str) -> Vec<String> {
    let refs = scan(expr);
    let mut problems = Vec::new();
    let base = |name: &str| -> Option<String> {
        if exp.labels.contains_key(name) {
            return Some(name.to_string());
        }
        ["_bucket", "_sum", "_count"].iter().find_map(|s| {
            name.strip_suffix(s)
                .filter(|stem| exp.histograms.contains(*stem))
                .map(str::to_string)
        })
    };
    let mut allowed: BTreeSet<String> = TARGET_LABELS.iter().map(|s| s.to_string()).collect();
    for m in &refs.metrics {
        match base(m) {
            Some(b) => allowed.extend(exp.labels[&b].iter().cloned()),
            None => problems.push(format!("{place}: {m} is not an exported metric")),
        }
        if m.ends_with("_bucket") {
            allowed.insert("le".into());
        }
    }
    for (m, label) in &refs.matchers {
        if let Some(b) = base(m) {
            let own = exp.labels[&b].contains(label)
                || TARGET_LABELS.contains(&label.as_str())
                || (m.ends_with("_bucket") && label == "le");
            if !own {
                problems.push(format!("{place}: {b} has no label {label:?}"));
            }
        }
    }
    if !refs.metrics.is_empty() {
        for label in refs.grouped.iter().chain(templated) {
            if !allowed.contains(label) {
                problems.push(format!(
                    "{place}: label {label:?} belongs to none of its metrics"
                ));
            }
        }
    }
    problems
}

/// A rule as the line scanner sees it: name, expression, labels its annotations print.
struct Rule {
    name: String,
    expr: String,
    templated: Vec<String>,
}

/// Reads the rules of a Prometheus rules file or PrometheusRule: `- alert:`/`- record:` starts a rule;
/// `expr:` is a one-line value or a `|`/`>` block of deeper-indented lines.
fn rules(text: &str) -> Vec<Rule> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<Rule> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(name) = trimmed
            .strip_prefix("- alert:")
            .or_else(|| trimmed.strip_prefix("- record:"))
        {
            out.push(Rule {
                name: name.trim().to_string(),
                expr: String::new(),
                templated: Vec::new(),
            });
        } else if let (Some(value), Some(rule)) = (trimmed.strip_prefix("expr:"), out.last_mut()) {
            let value = value.trim();
            if value.starts_with('|') || value.starts_with('>') {
                while i + 1 < lines.len() {
                    let next = lines[i + 1];
                    let next_indent = next.len() - next.trim_start().len();
                    if !next.trim().is_empty() && next_indent <= indent {
                        break;
                    }
                    rule.expr.push_str(next.trim());
                    rule.expr.push('\n');
                    i += 1;
                }
            } else {
                rule.expr = value.trim_matches(|c| c == '"' || c == '\'').to_string();
            }
        } else if let Some(rule) = out.last_mut() {
            for part in line.split("$labels.").skip(1) {
                let label: String = part.chars().take_while(|c| is_ident(*c)).collect();
                rule.templated.push(label);
            }
        }
        i += 1;
    }
    out
}

fn check_rules_file(path: &str) {
    let exp = exported();
    let text = read(path);
    let rules = rules(&text);
    let declared = text
        .lines()
        .filter(|l| l.trim_start().starts_with("- alert:"))
        .count();
    assert!(declared > 0, "{path}: no alerts");
    assert_eq!(rules.len(), declared, "{path}: scanner missed rules");
    let mut problems = Vec::new();
    let mut used = BTreeSet::new();
    for r in &rules {
        assert!(!r.expr.trim().is_empty(), "{path} {}: empty expr", r.name);
        problems.extend(check(
            &exp,
            &r.expr,
            &r.templated,
            &format!("{path} {}", r.name),
        ));
        used.extend(scan(&r.expr).metrics);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The alerts watch lag, progress, dead letters and commits at least.
    for name in [
        "newsenrich_consumer_lag",
        "newsenrich_records_consumed_total",
        "newsenrich_records_dlq_total",
        "newsenrich_offset_commits_total",
    ] {
        assert!(used.contains(name), "{path}: no alert uses {name}");
    }
}

#[test]
fn alert_rules_use_only_exported_metrics_and_labels() {
    check_rules_file("deploy/prometheus/rules.yaml");
}

#[test]
fn prometheus_operator_rules_use_only_exported_metrics_and_labels() {
    check_rules_file("deploy/k8s/prometheusrule.yaml");
}

#[test]
fn rule_unit_test_series_are_exported_metrics() {
    let exp = exported();
    let text = read("deploy/prometheus/rules.test.yaml");
    let mut problems = Vec::new();
    let mut n = 0;
    for line in text.lines() {
        if let Some(series) = line.trim_start().strip_prefix("- series:") {
            n += 1;
            let series = series.trim().trim_matches('\'');
            problems.extend(check(&exp, series, &[], "rules.test.yaml"));
        }
    }
    assert!(n > 0, "no input series found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every panel target, recursively through rows.
fn targets<'a>(panels: &'a [serde_json::Value], out: &mut Vec<(String, &'a serde_json::Value)>) {
    for p in panels {
        let title = p["title"].as_str().unwrap_or("?").to_string();
        for t in p["targets"].as_array().into_iter().flatten() {
            out.push((title.clone(), t));
        }
        if let Some(inner) = p["panels"].as_array() {
            targets(inner, out);
        }
    }
}

#[test]
fn dashboard_uses_only_exported_metrics_and_labels_and_shows_them_all() {
    let exp = exported();
    let dash: serde_json::Value =
        serde_json::from_str(&read("deploy/grafana/newsenrich.json")).unwrap();
    let mut all = Vec::new();
    targets(dash["panels"].as_array().unwrap(), &mut all);
    assert!(all.len() >= 10, "dashboard has only {} queries", all.len());
    let mut problems = Vec::new();
    let mut used = BTreeSet::new();
    for (title, t) in &all {
        let expr = t["expr"].as_str().unwrap_or_default();
        let legend: Vec<String> = t["legendFormat"]
            .as_str()
            .unwrap_or_default()
            .split("{{")
            .skip(1)
            .filter_map(|s| s.split("}}").next())
            .map(|s| s.trim().to_string())
            .collect();
        problems.extend(check(&exp, expr, &legend, &format!("panel {title:?}")));
        used.extend(scan(expr).metrics);
    }
    for v in dash["templating"]["list"].as_array().into_iter().flatten() {
        let query = v["query"]["query"]
            .as_str()
            .or_else(|| v["query"].as_str())
            .unwrap_or_default();
        problems.extend(check(&exp, query, &[], "dashboard variable"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // An operator sees every exported metric somewhere on the dashboard.
    let bases: BTreeSet<&str> = used
        .iter()
        .map(|m| {
            ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| m.strip_suffix(s).filter(|b| exp.histograms.contains(*b)))
                .unwrap_or(m)
        })
        .collect();
    let missing: Vec<&str> = ALL_NAMES
        .into_iter()
        .filter(|n| !bases.contains(n))
        .collect();
    assert!(missing.is_empty(), "dashboard never shows {missing:?}");
}

#[test]
fn scanner_catches_unknown_metrics_and_labels() {
    // Guards the guard: the checks above would pass vacuously if the scanner found nothing.
    let exp = exported();
    let bad = r#"sum by (reasons) (rate(newsenrich_records_dlq_total{reason="x", kind="y"}[5m]))
        + newsenrich_records_written_total + newsenrich_inflight_records_bucket"#;
    let problems = check(&exp, bad, &["topic".into()], "t");
    let text = problems.join("\n");
    for needle in [
        "label \"reasons\"",
        "no label \"kind\"",
        "newsenrich_records_written_total is not",
        "newsenrich_inflight_records_bucket is not",
        "label \"topic\"",
    ] {
        assert!(text.contains(needle), "missed {needle}: {text}");
    }
    let good = r#"histogram_quantile(0.9, sum by (le) (rate(newsenrich_enrich_duration_seconds_bucket{job=~"$job"}[$__rate_interval])))"#;
    assert_eq!(check(&exp, good, &[], "t"), Vec::<String>::new());
    let refs = scan(r#"label_values(newsenrich_consumer_lag{namespace=~"$namespace"}, topic)"#);
    assert_eq!(refs.grouped, vec!["topic".to_string()]);
}

/// `key: value` of the first line whose trimmed text starts with `key:`, after `from`.
fn yaml_value(lines: &[&str], from: usize, key: &str) -> Option<(usize, String)> {
    lines.iter().enumerate().skip(from).find_map(|(i, l)| {
        l.trim_start()
            .strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(':'))
            .map(|v| (i, v.trim().trim_matches('"').to_string()))
    })
}

#[test]
fn termination_grace_outlasts_the_drain_deadline() {
    let text = read("deploy/k8s/deployment.yaml");
    let lines: Vec<&str> = text.lines().collect();
    let (_, grace) = yaml_value(&lines, 0, "terminationGracePeriodSeconds")
        .expect("deployment.yaml sets terminationGracePeriodSeconds");
    let grace_ms: u64 = grace.parse::<u64>().unwrap() * 1000;
    let (at, _) = lines
        .iter()
        .enumerate()
        .find(|(_, l)| l.trim() == "- name: NEWSENRICH__WORKER__DRAIN_TIMEOUT_MS")
        .expect("deployment.yaml sets NEWSENRICH__WORKER__DRAIN_TIMEOUT_MS");
    let (_, drain) = yaml_value(&lines, at + 1, "value").unwrap();
    let drain_ms: u64 = drain.parse().unwrap();
    // The worker exits by itself at 2 x the drain deadline at worst; Kubernetes must not SIGKILL first.
    assert!(
        grace_ms > 2 * drain_ms,
        "grace {grace_ms} ms must exceed the worker's hard cap of 2 x {drain_ms} ms"
    );
    // The drain must also finish before the broker expels the member (session timeout).
    let settings = config::Config::builder()
        .add_source(config::File::from_str(
            &read("deploy/k8s/newsenrich.toml"),
            config::FileFormat::Toml,
        ))
        .build()
        .unwrap();
    let session_ms = settings
        .get_int("kafka.session_timeout_ms")
        .unwrap_or(45_000);
    assert!((drain_ms as i64) < session_ms);
}
