//! The lab beside the product: training of the shipped models, evaluation on CoNLL-2003, CoNLL04
//! and the annotated news sets, and the benchmarks' own conventions. It uses the core
//! ([`crate::enrich`]); neither the core nor the service uses it.

pub mod conll04;
pub mod conll04_conventions;
pub mod conll04_ner;
pub mod detok;
pub mod eval;
pub mod eval_conll;
pub mod eval_conll04;
pub mod eval_news;
pub mod ner;
pub mod relations_train;
pub mod score;
pub mod train;
pub mod train_ner;
pub mod train_relations;
