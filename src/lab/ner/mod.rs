//! Training and scoring of the NER tagger: CoNLL reading, the CRF trainer and its optimiser, and
//! the span scorer.

pub mod conll;
mod lbfgs;
pub(crate) mod train;
