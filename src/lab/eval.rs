//! `newsenrich eval <conll|conll04|news> …`

use anyhow::bail;

/// `args` are the words after `eval`.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    match args.first().map(String::as_str) {
        Some("conll") => super::eval_conll::run(args),
        Some("conll04") => super::eval_conll04::run(args),
        Some("news") => super::eval_news::run(args),
        Some(other) => bail!("unknown eval task {other:?}: expected `conll`, `conll04` or `news`"),
        None => bail!("usage: newsenrich eval <conll|conll04|news> FILE [options]"),
    }
}
