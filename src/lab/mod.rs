//! The lab beside the product: training of the shipped models, evaluation on CoNLL-2003, CoNLL04
//! and the annotated news sets, and the benchmarks' own conventions. It uses the core
//! ([`crate::enrich`]); neither the core nor the service uses it.

pub(crate) mod conll04;
pub(crate) mod conll04_conventions;
pub(crate) mod conll04_ner;
pub(crate) mod detok;
pub mod eval;
pub(crate) mod eval_conll;
pub(crate) mod eval_conll04;
pub(crate) mod eval_news;
pub mod ner;
pub(crate) mod relations_train;
pub(crate) mod score;
pub mod train;
pub(crate) mod train_ner;
pub(crate) mod train_relations;
