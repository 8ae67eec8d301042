//! Offline commands: `enrich` over files, `eval` on CoNLL data, `train` of the shipped models.
//! Each sub-command parses its own arguments so `main.rs` stays a thin dispatcher.

pub mod conll04_ner;
pub mod detok;
pub mod enrich_cmd;
pub mod eval;
pub mod eval_conll;
pub mod eval_conll04;
pub mod train;
pub mod train_ner;
pub mod train_relations;
