//! `newsenrich enrich [FILE…]`: articles from files or stdin to v1 JSON lines on stdout, no Kafka.
//!
//! An input whose first non-whitespace byte is `{` is JSON lines (one article per line); any other
//! input is one raw-text article. Decoding follows the worker's rules (`article::decode`). A bad line
//! is reported on stderr with its line number and the rest still go out; the exit status says
//! whether anything failed.

use crate::enrich::language::LanguageDetector;
use crate::enrich::Enricher;
use crate::service::article::ErrorClass;
use crate::service::config::Settings;
use crate::service::process::{enrich_record, Handled, RecordSettings};
use anyhow::Context;
use std::io::{Read, Write};
use std::path::PathBuf;

/// Returns `Ok(true)` when every article was enriched, `Ok(false)` when some failed.
pub fn run(settings: &Settings, files: &[PathBuf]) -> anyhow::Result<bool> {
    let dir = &settings.enrich.models_dir;
    let enricher = Enricher::load(dir).with_context(|| {
        format!(
            "cannot load models from {} (enrich.models_dir)",
            dir.display()
        )
    })?;
    let mut run = Run {
        settings,
        model: enricher.model_name(),
        detector: crate::service::language::detector_for(&settings.language),
        enricher,
        out: std::io::BufWriter::new(std::io::stdout().lock()),
        failed: 0,
    };
    if files.is_empty() {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read stdin")?;
        run.input("<stdin>", &bytes)?;
    }
    for path in files {
        let name = path.display().to_string();
        match std::fs::read(path) {
            Ok(bytes) => run.input(&name, &bytes)?,
            Err(e) => {
                eprintln!("{name}: cannot read: {e}");
                run.failed += 1;
            }
        }
    }
    run.out.flush().context("cannot write to stdout")?;
    if run.failed > 0 {
        eprintln!("{} article(s) failed", run.failed);
    }
    Ok(run.failed == 0)
}

struct Run<'a, W: Write> {
    settings: &'a Settings,
    enricher: Enricher,
    model: String,
    /// The language detector for `settings.language.candidates`, built once.
    detector: LanguageDetector,
    out: W,
    failed: usize,
}

impl<W: Write> Run<'_, W> {
    fn input(&mut self, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first != Some(&b'{') {
            return self.article(name, None, bytes);
        }
        for (index, line) in bytes.split(|b| *b == b'\n').enumerate() {
            let trimmed = line.trim_ascii();
            if trimmed.is_empty() {
                continue;
            }
            if !matches!(trimmed.first(), Some(b'{') | Some(b'[')) {
                // In a JSON-lines input a stray line is broken JSON, not a plain-text article.
                self.fail(
                    name,
                    Some(index + 1),
                    ErrorClass::InvalidJson,
                    "line is not a JSON object",
                );
                continue;
            }
            self.article(name, Some(index + 1), trimmed)?;
        }
        Ok(())
    }

    fn article(&mut self, name: &str, line: Option<usize>, bytes: &[u8]) -> anyhow::Result<()> {
        let settings = RecordSettings {
            limits: &self.settings.limits,
            language: &self.settings.language,
            detector: &self.detector,
            model: &self.model,
        };
        let doc = match enrich_record(&self.enricher, &settings, Some(bytes), None, None) {
            Handled::Document(enriched, _) => enriched.doc,
            Handled::Route { decision, .. } => {
                // No Kafka here: say where the worker would send it, and write nothing.
                let at = line.map(|n| format!(":{n}")).unwrap_or_default();
                let topic = &self.settings.language.route_topic;
                eprintln!(
                    "{name}{at}: routed: language {} goes to {topic} (not enriched)",
                    decision.language
                );
                return Ok(());
            }
            Handled::Dead { error, .. } => {
                self.fail(name, line, error.class, &error.message);
                return Ok(());
            }
        };
        serde_json::to_writer(&mut self.out, &doc).context("cannot write to stdout")?;
        self.out
            .write_all(b"\n")
            .context("cannot write to stdout")?;
        Ok(())
    }

    fn fail(&mut self, name: &str, line: Option<usize>, class: ErrorClass, message: &str) {
        self.failed += 1;
        match line {
            Some(n) => eprintln!("{name}:{n}: {}: {message}", class.as_str()),
            None => eprintln!("{name}: {}: {message}", class.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::output::ArticleDoc;
    use std::path::Path;

    fn run_on(input: &[u8]) -> (Vec<ArticleDoc>, usize) {
        run_with(&Settings::default(), input)
    }

    fn run_with(settings: &Settings, input: &[u8]) -> (Vec<ArticleDoc>, usize) {
        let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
        let enricher = Enricher::load(&models).unwrap();
        let mut run = Run {
            settings,
            model: enricher.model_name(),
            detector: crate::service::language::detector_for(&settings.language),
            enricher,
            out: Vec::new(),
            failed: 0,
        };
        run.input("test", input).unwrap();
        let docs = String::from_utf8(run.out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (docs, run.failed)
    }

    #[test]
    fn json_lines_keep_going_past_bad_lines() {
        let input = b"{\"id\": \"a\", \"body\": \"First.\"}\n\nnot json\n{\"body\": 5}\n{\"id\": \"b\", \"text\": \"Second.\"}\n";
        let (docs, failed) = run_on(input);
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(failed, 2);
        assert!(docs.iter().all(|d| d.processing.source.is_none()));
    }

    #[test]
    fn other_input_is_one_raw_article() {
        let (docs, failed) =
            run_on(b"date 2025-06-18 Seoul, South Korea.\n{\"not\": \"json lines\"}\n");
        assert_eq!(failed, 0);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].published_at.as_deref(), Some("2025-06-18"));
        assert_eq!(docs[0].id.len(), 64, "sha-256 hex id");
    }

    const GERMAN_SUMMIT: &str = "Bundeskanzler Olaf Scholz hat am Dienstag in Paris den \
        französischen Präsidenten Emmanuel Macron getroffen. Die beiden Politiker sprachen über die \
        Zukunft der Europäischen Union und die Unterstützung für die Ukraine. Deutschland und \
        Frankreich wollen ihre Zusammenarbeit in der Verteidigung vertiefen.";
    const ENGLISH_SUMMIT: &str = "German Chancellor Olaf Scholz met French President Emmanuel \
        Macron in Paris on Tuesday. The two leaders discussed the future of the European Union and \
        support for Ukraine, and agreed to deepen defence cooperation between their countries.";

    fn two_languages() -> Vec<u8> {
        let mut input = String::new();
        for (id, body) in [("de", GERMAN_SUMMIT), ("en", ENGLISH_SUMMIT)] {
            input.push_str(&serde_json::json!({"id": id, "body": body}).to_string());
            input.push('\n');
        }
        input.into_bytes()
    }

    #[test]
    fn other_languages_pass_through_flagged_and_english_is_enriched() {
        let (docs, failed) = run_on(&two_languages());
        assert_eq!(failed, 0);
        let (de, en) = (&docs[0], &docs[1]);
        assert_eq!(de.language.as_deref(), Some("de"));
        assert!(de.entities.is_empty() && de.relations.is_empty(), "{de:?}");
        assert_eq!(
            de.processing.skipped.as_deref(),
            Some("unsupported_language")
        );
        assert_eq!(en.language.as_deref(), Some("en"));
        assert_eq!(en.processing.skipped, None);
        assert!(en.entities.iter().any(|e| e.name.contains("Macron")));
    }

    #[test]
    fn dlq_policy_fails_the_article_and_route_writes_nothing() {
        use crate::service::config::LanguagePolicy;
        let mut settings = Settings::default();
        settings
            .language
            .policies
            .insert("de".into(), LanguagePolicy::Dlq);
        let (docs, failed) = run_with(&settings, &two_languages());
        assert_eq!(failed, 1);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].id, "en");

        settings.language.default_policy = LanguagePolicy::Route;
        settings.language.route_topic = "articles.other".into();
        settings.language.policies.clear();
        let (docs, failed) = run_with(&settings, &two_languages());
        assert_eq!(failed, 0);
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["en"]);
    }
}
