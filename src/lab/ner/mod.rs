//! Training and scoring of the NER tagger: CoNLL reading, the CRF trainer and its optimiser, and
//! the span scorer.

pub mod conll;
mod lbfgs;
mod objective;
mod sequences;
pub(crate) mod train;
