//! Per-partition offset tracking for at-least-once delivery.
//!
//! Records finish out of order (parallel enrichment, broker acks in any order), but the committed
//! offset of a partition means "everything before this is done". So only the contiguous prefix of
//! finished offsets may be stored: a record that is still running (or failing and being retried)
//! holds the partition's commit point back, and a crash never skips it.

use std::collections::BTreeMap;

/// The in-flight offsets of one partition, in input order.
#[derive(Debug, Default)]
pub(crate) struct PartitionOffsets {
    /// Offset -> finished? Kept in order; the first entry is the oldest unstored record. Offsets need
    /// not be consecutive (compaction, transaction markers), which is why they are tracked
    /// explicitly instead of assuming `offset + 1`.
    pending: BTreeMap<i64, bool>,
}

impl PartitionOffsets {
    /// Registers a record taken into the pipeline.
    pub(crate) fn begin(&mut self, offset: i64) {
        self.pending.insert(offset, false);
    }

    /// Marks `offset` finished. Returns the offset to store (the next one to read, i.e. last finished
    /// of the contiguous prefix + 1) when the prefix advanced, `None` when an older record still runs.
    pub(crate) fn finish(&mut self, offset: i64) -> Option<i64> {
        match self.pending.get_mut(&offset) {
            Some(done) => *done = true,
            None => return None, // unknown: a completion from before a revocation
        }
        let mut next = None;
        while let Some(entry) = self.pending.first_entry() {
            if !*entry.get() {
                break;
            }
            next = Some(*entry.key() + 1);
            entry.remove();
        }
        next
    }

    /// Records taken in but not yet stored (running, or finished behind a running one).
    pub(crate) fn len(&self) -> usize {
        self.pending.len()
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Records taken in and not finished yet.
    #[cfg(test)]
    pub(crate) fn unfinished(&self) -> usize {
        self.pending.values().filter(|done| !**done).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Offsets begun, then completions in order with the expected store after each.
    type Case = (&'static [i64], &'static [(i64, Option<i64>)]);

    #[test]
    fn stores_only_the_contiguous_prefix() {
        let cases: &[Case] = &[
            (&[0, 1, 2], &[(0, Some(1)), (1, Some(2)), (2, Some(3))]),
            (&[0, 1, 2], &[(2, None), (1, None), (0, Some(3))]),
            (
                &[5, 6, 7, 8],
                &[(6, None), (5, Some(7)), (8, None), (7, Some(9))],
            ),
            // gaps in the offsets (compacted topic): the prefix follows what was begun
            (&[10, 13, 20], &[(13, None), (10, Some(14)), (20, Some(21))]),
            // an unknown completion (stale, after revocation) changes nothing
            (&[0, 1], &[(7, None), (1, None), (0, Some(2))]),
            // a completion reported twice does not move the prefix twice
            (&[0, 1], &[(0, Some(1)), (0, None), (1, Some(2))]),
        ];
        for (begun, steps) in cases {
            let mut t = PartitionOffsets::default();
            for &o in *begun {
                t.begin(o);
            }
            for &(done, want) in *steps {
                assert_eq!(t.finish(done), want, "begun {begun:?}, finishing {done}");
            }
            assert!(t.is_empty(), "begun {begun:?}");
        }
    }

    #[test]
    fn a_stuck_record_holds_back_and_counts_as_in_flight() {
        let mut t = PartitionOffsets::default();
        for o in 0..5 {
            t.begin(o);
        }
        for o in 1..5 {
            assert_eq!(t.finish(o), None);
        }
        assert_eq!(t.len(), 5);
        assert_eq!(t.unfinished(), 1);
        assert_eq!(t.finish(0), Some(5));
        assert_eq!(t.len(), 0);
    }
}
