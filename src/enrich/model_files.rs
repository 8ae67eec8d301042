//! Where the core reads its models from: a directory (the repository's `models/`), or files an
//! embedder hands in as bytes (fetched from its own store, or compiled in with `include_bytes!`).
//! Either way a file is named by its path under the models directory, `/`-separated:
//! `ner/pass1.crf`, `gazetteer/countries.tsv`, `relations/classifier.txt`.

use super::ModelError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The model files the core loads from, a directory or bytes in memory.
#[derive(Debug, Clone)]
pub struct ModelFiles {
    source: Source,
}

#[derive(Debug, Clone)]
enum Source {
    Dir(PathBuf),
    /// Files by full name, and the folder (`ner/`, or empty for the top) this view reads from.
    Memory {
        files: Arc<BTreeMap<String, Vec<u8>>>,
        prefix: String,
    },
}

impl ModelFiles {
    /// The files under `dir` (a checkout's `models/`).
    pub fn dir(dir: impl Into<PathBuf>) -> Self {
        Self {
            source: Source::Dir(dir.into()),
        }
    }

    /// Files handed in as (name under the models directory, contents) pairs.
    pub fn from_bytes<N: Into<String>, B: Into<Vec<u8>>>(
        files: impl IntoIterator<Item = (N, B)>,
    ) -> Self {
        let files = files
            .into_iter()
            .map(|(name, bytes)| (name.into(), bytes.into()))
            .collect();
        Self {
            source: Source::Memory {
                files: Arc::new(files),
                prefix: String::new(),
            },
        }
    }

    /// The files of one folder (`ner`, `gazetteer`, `relations`), named from inside it.
    pub(crate) fn folder(&self, name: &str) -> Self {
        let source = match &self.source {
            Source::Dir(dir) => Source::Dir(dir.join(name)),
            Source::Memory { files, prefix } => Source::Memory {
                files: Arc::clone(files),
                prefix: format!("{prefix}{name}/"),
            },
        };
        Self { source }
    }

    /// How a file is named in errors: its path for a directory, `<memory>/name` otherwise.
    pub(crate) fn display(&self, name: &str) -> PathBuf {
        match &self.source {
            Source::Dir(dir) => dir.join(name),
            Source::Memory { prefix, .. } => Path::new("<memory>").join(format!("{prefix}{name}")),
        }
    }

    pub(crate) fn exists(&self, name: &str) -> bool {
        match &self.source {
            Source::Dir(dir) => dir.join(name).exists(),
            Source::Memory { files, prefix } => files.contains_key(&format!("{prefix}{name}")),
        }
    }

    /// The bytes of `name`; a missing or unreadable file is a [`ModelError`] naming it.
    pub(crate) fn read(&self, name: &str) -> Result<Vec<u8>, ModelError> {
        match &self.source {
            Source::Dir(dir) => {
                let path = dir.join(name);
                std::fs::read(&path).map_err(|e| ModelError::new(&path, e))
            }
            Source::Memory { files, prefix } => files
                .get(&format!("{prefix}{name}"))
                .cloned()
                .ok_or_else(|| {
                    ModelError::new(self.display(name), "not among the files handed in")
                }),
        }
    }

    /// [`ModelFiles::read`] as UTF-8 text.
    pub(crate) fn read_text(&self, name: &str) -> Result<String, ModelError> {
        String::from_utf8(self.read(name)?).map_err(|e| ModelError::new(self.display(name), e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_name_files_from_inside_them_in_memory_and_on_disk() {
        let mem = ModelFiles::from_bytes([("ner/a.txt", "A"), ("b.txt", "B")]);
        let ner = mem.folder("ner");
        assert_eq!(ner.read_text("a.txt").unwrap(), "A");
        assert!(ner.exists("a.txt") && !ner.exists("b.txt"));
        let err = ner.read("b.txt").unwrap_err().to_string();
        assert!(err.contains("<memory>/ner/b.txt"), "{err}");
        let disk = ModelFiles::dir("/no/such/models").folder("ner");
        let err = disk.read_text("pass1.crf").unwrap_err().to_string();
        assert!(err.contains("/no/such/models/ner/pass1.crf"), "{err}");
    }

    #[test]
    fn text_that_is_not_utf8_is_an_error_naming_the_file() {
        let mem = ModelFiles::from_bytes([("x.tsv", vec![0xff, 0xfe])]);
        let err = mem.read_text("x.tsv").unwrap_err().to_string();
        assert!(err.contains("x.tsv"), "{err}");
    }
}
