//! Offline commands: `enrich` over files, `eval` on CoNLL data, `train` of the shipped models.
