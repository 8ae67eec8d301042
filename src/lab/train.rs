//! `newsenrich train <ner|relations> …`

use anyhow::bail;

/// `args` are the words after `train`.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    match args.first().map(String::as_str) {
        Some("ner") => super::train_ner::run(args),
        Some("relations") => super::train_relations::run(args),
        Some(other) => bail!("unknown training task {other:?}: expected `ner` or `relations`"),
        None => bail!("usage: newsenrich train <ner|relations> [options]"),
    }
}
