//! The run-time linear-chain CRF: sparse (attribute, label) weights, label transitions, Viterbi.
//!
//! File format (little-endian): magic `NECRF002`, u32 feature flags, 17x17 f32 transitions,
//! u32 attribute count, then per attribute (sorted by hash): u64 hash, u8 n, n x (u8 label, f32 weight).

use super::labels::{allowed, allowed_end, allowed_start, NUM_LABELS};
use rustc_hash::FxHashMap;

const MAGIC: &[u8; 8] = b"NECRF002";
const L: usize = NUM_LABELS;
const NEG: f32 = -1.0e30;

/// Feature groups a model was trained with (the extractor must produce the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Flags {
    pub doc: bool,
    pub gaz: bool,
    pub prev: bool,
    pub lex: bool,
}

impl Flags {
    fn to_u32(self) -> u32 {
        self.doc as u32 | (self.gaz as u32) << 1 | (self.prev as u32) << 2 | (self.lex as u32) << 3
    }
    fn from_u32(v: u32) -> Self {
        Self {
            doc: v & 1 != 0,
            gaz: v & 2 != 0,
            prev: v & 4 != 0,
            lex: v & 8 != 0,
        }
    }
}

pub(crate) struct Crf {
    pub flags: Flags,
    /// Attribute hash -> (first entry, entry count).
    index: FxHashMap<u64, (u32, u8)>,
    labels: Vec<u8>,
    weights: Vec<f32>,
    /// `trans[a * L + b]`: score of label b after label a.
    trans: Vec<f32>,
    /// `trans_in[b * L + a]`: the same, transposed for Viterbi, NEG where BIOES forbids a -> b.
    trans_in: Vec<f32>,
    /// `exp(trans)`, 0 where forbidden (forward-backward).
    trans_exp: Vec<f32>,
}

/// Derived transition tables.
fn derive(trans: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let mut tin = vec![NEG; L * L];
    let mut tex = vec![0f32; L * L];
    for a in 0..L {
        for b in 0..L {
            if allowed(a as u8, b as u8) {
                tin[b * L + a] = trans[a * L + b];
                tex[a * L + b] = trans[a * L + b].exp();
            }
        }
    }
    (tin, tex)
}

impl Crf {
    /// Builds a model from per-attribute sparse rows (as training produces them).
    pub(crate) fn from_rows(
        flags: Flags,
        rows: Vec<(u64, Vec<(u8, f32)>)>,
        trans: Vec<f32>,
    ) -> Self {
        let mut index = FxHashMap::default();
        let mut labels = Vec::new();
        let mut weights = Vec::new();
        let mut rows = rows;
        rows.sort_by_key(|r| r.0);
        for (h, entries) in rows {
            if entries.is_empty() {
                continue;
            }
            index.insert(h, (labels.len() as u32, entries.len() as u8));
            for (l, w) in entries {
                labels.push(l);
                weights.push(w);
            }
        }
        Self::assemble(flags, index, labels, weights, trans)
    }

    /// Stores the learned parts and derives the transition tables from `trans`.
    fn assemble(
        flags: Flags,
        index: FxHashMap<u64, (u32, u8)>,
        labels: Vec<u8>,
        weights: Vec<f32>,
        trans: Vec<f32>,
    ) -> Self {
        let (trans_in, trans_exp) = derive(&trans);
        Self {
            flags,
            index,
            labels,
            weights,
            trans,
            trans_in,
            trans_exp,
        }
    }

    pub(crate) fn num_weights(&self) -> usize {
        self.weights.len()
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + self.trans.len() * 4 + self.index.len() * 16);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.flags.to_u32().to_le_bytes());
        for w in &self.trans {
            out.extend_from_slice(&w.to_le_bytes());
        }
        let mut keys: Vec<(u64, (u32, u8))> = self.index.iter().map(|(k, v)| (*k, *v)).collect();
        keys.sort_by_key(|k| k.0);
        out.extend_from_slice(&(keys.len() as u32).to_le_bytes());
        for (h, (start, n)) in keys {
            out.extend_from_slice(&h.to_le_bytes());
            out.push(n);
            for e in start as usize..start as usize + n as usize {
                out.push(self.labels[e]);
                out.extend_from_slice(&self.weights[e].to_le_bytes());
            }
        }
        out
    }

    pub(crate) fn from_bytes(b: &[u8]) -> Result<Self, String> {
        let mut r = Reader { b, pos: 0 };
        if r.take(8)? != MAGIC {
            return Err("not a NECRF002 model file".into());
        }
        let flags = Flags::from_u32(r.u32()?);
        let mut trans = Vec::with_capacity(L * L);
        for _ in 0..L * L {
            trans.push(r.f32()?);
        }
        let n = r.u32()? as usize;
        let mut index = FxHashMap::default();
        index.reserve(n);
        let mut labels = Vec::with_capacity(n * 2);
        let mut weights = Vec::with_capacity(n * 2);
        for _ in 0..n {
            let h = r.u64()?;
            let k = r.take(1)?[0];
            index.insert(h, (labels.len() as u32, k));
            for _ in 0..k {
                let l = r.take(1)?[0];
                if l as usize >= L {
                    return Err(format!("label id {l} out of range"));
                }
                labels.push(l);
                weights.push(r.f32()?);
            }
        }
        if trans.iter().any(|v| !v.is_finite()) || weights.iter().any(|v| !v.is_finite()) {
            return Err("non-finite weight in model file".into());
        }
        Ok(Self::assemble(flags, index, labels, weights, trans))
    }

    /// Resolves an attribute hash to its entry range (None when the model never saw it).
    #[inline]
    pub(crate) fn lookup(&self, h: u64) -> Option<(u32, u8)> {
        self.index.get(&h).copied()
    }

    /// Adds the weights of a resolved attribute to a row of label scores.
    #[inline]
    pub(crate) fn add_entry(&self, (start, n): (u32, u8), row: &mut [f32]) {
        let s = start as usize;
        let e = s + n as usize;
        for (l, w) in self.labels[s..e].iter().zip(&self.weights[s..e]) {
            row[*l as usize] += *w;
        }
    }

    /// Best well-formed label sequence for per-token scores `state` (n x L).
    pub(crate) fn viterbi(&self, state: &[f32], out: &mut Vec<u8>) {
        let n = state.len() / L;
        out.clear();
        if n == 0 {
            return;
        }
        let mut score = vec![NEG; n * L];
        let mut back = vec![0u8; n * L];
        for y in 0..L {
            if allowed_start(y as u8) {
                score[y] = state[y];
            }
        }
        for t in 1..n {
            let (before, now) = score.split_at_mut(t * L);
            let prev = &before[(t - 1) * L..];
            for y in 0..L {
                // Disallowed transitions carry NEG in the masked, transposed table.
                let col = &self.trans_in[y * L..(y + 1) * L];
                let mut best = NEG;
                let mut arg = 0u8;
                for p in 0..L {
                    let v = prev[p] + col[p];
                    if v > best {
                        best = v;
                        arg = p as u8;
                    }
                }
                now[y] = best + state[t * L + y];
                back[t * L + y] = arg;
            }
        }
        let mut best = NEG;
        let mut y = 0usize;
        for l in 0..L {
            let v = score[(n - 1) * L + l];
            if allowed_end(l as u8) && v > best {
                best = v;
                y = l;
            }
        }
        out.resize(n, 0);
        for t in (0..n).rev() {
            out[t] = y as u8;
            if t > 0 {
                y = back[t * L + y] as usize;
            }
        }
    }

    /// Posterior marginal of each chosen label (scaled forward-backward).
    pub(crate) fn confidence(&self, state: &[f32], path: &[u8], conf: &mut Vec<f32>) {
        conf.clear();
        let n = path.len();
        if n == 0 {
            return;
        }
        let et = &self.trans_exp;
        let mut es = vec![0f32; n * L];
        for t in 0..n {
            let row = &state[t * L..(t + 1) * L];
            let m = row.iter().copied().fold(NEG, f32::max);
            for y in 0..L {
                es[t * L + y] = (row[y] - m).exp();
            }
        }
        let mut alpha = vec![0f32; n * L];
        for y in 0..L {
            alpha[y] = if allowed_start(y as u8) { es[y] } else { 0.0 };
        }
        normalise(&mut alpha[..L]);
        for t in 1..n {
            for y in 0..L {
                let mut s = 0.0;
                for p in 0..L {
                    s += alpha[(t - 1) * L + p] * et[p * L + y];
                }
                alpha[t * L + y] = s * es[t * L + y];
            }
            normalise(&mut alpha[t * L..(t + 1) * L]);
        }
        let mut beta = vec![0f32; n * L];
        for y in 0..L {
            beta[(n - 1) * L + y] = if allowed_end(y as u8) { 1.0 } else { 0.0 };
        }
        for t in (0..n - 1).rev() {
            for y in 0..L {
                let mut s = 0.0;
                for q in 0..L {
                    s += et[y * L + q] * es[(t + 1) * L + q] * beta[(t + 1) * L + q];
                }
                beta[t * L + y] = s;
            }
            normalise(&mut beta[t * L..(t + 1) * L]);
        }
        for t in 0..n {
            let mut z = 0.0;
            for y in 0..L {
                z += alpha[t * L + y] * beta[t * L + y];
            }
            let y = path[t] as usize;
            conf.push(if z > 0.0 {
                alpha[t * L + y] * beta[t * L + y] / z
            } else {
                0.0
            });
        }
    }
}

fn normalise(v: &mut [f32]) {
    let s: f32 = v.iter().sum();
    if s > 0.0 {
        for x in v {
            *x /= s;
        }
    }
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.pos + n;
        if end > self.b.len() {
            return Err("model file truncated".into());
        }
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, String> {
        let mut a = [0u8; 4];
        a.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(a))
    }
    fn u64(&mut self) -> Result<u64, String> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }
    fn f32(&mut self) -> Result<f32, String> {
        let mut a = [0u8; 4];
        a.copy_from_slice(self.take(4)?);
        Ok(f32::from_le_bytes(a))
    }
}

#[cfg(test)]
mod tests {
    use super::super::labels::{label, Part, TagType};
    use super::*;

    #[test]
    fn viterbi_respects_bioes_constraints_and_round_trips_bytes() {
        // Token 0 prefers I-PER locally, which cannot start a sequence: B-PER must win instead.
        let trans = vec![0.0; L * L];
        let rows = vec![(
            7u64,
            vec![
                (label(TagType::Per, Part::B), 1.0),
                (label(TagType::Per, Part::I), 2.0),
            ],
        )];
        let crf = Crf::from_rows(Flags::default(), rows, trans);
        let crf = Crf::from_bytes(&crf.to_bytes()).unwrap();
        let mut state = vec![0f32; 2 * L];
        if let Some(e) = crf.lookup(7) {
            crf.add_entry(e, &mut state[..L]);
        }
        state[L + label(TagType::Per, Part::E) as usize] = 1.5;
        let (mut path, mut conf) = (Vec::new(), Vec::new());
        crf.viterbi(&state, &mut path);
        crf.confidence(&state, &path, &mut conf);
        assert_eq!(
            path,
            vec![label(TagType::Per, Part::B), label(TagType::Per, Part::E)]
        );
        assert!(conf.iter().all(|c| *c > 0.0 && *c <= 1.0));
        assert!(crf.lookup(8).is_none());
    }
}
