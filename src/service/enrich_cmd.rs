//! `newsenrich enrich [FILE…]`: articles from files or stdin to v1 JSON lines on stdout, no Kafka.
//!
//! An input whose first non-whitespace byte is `{` is JSON lines (one article per line); any other
//! input is one raw-text article. Decoding follows the worker's rules (`article::decode`). A bad line
//! is reported on stderr with its line number and the rest still go out; the exit status says
//! whether anything failed.

use crate::enrich::Enricher;
use crate::service::article::ErrorClass;
use crate::service::config::Settings;
use crate::service::process::enrich_record;
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
        let enriched = enrich_record(
            &self.enricher,
            &self.settings.limits,
            &self.model,
            Some(bytes),
            None,
            None,
        );
        let doc = match enriched {
            Ok(e) => e.doc,
            Err(e) => {
                self.fail(name, line, e.class, &e.message);
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
        let settings = Settings::default();
        let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
        let enricher = Enricher::load(&models).unwrap();
        let mut run = Run {
            settings: &settings,
            model: enricher.model_name(),
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
}
