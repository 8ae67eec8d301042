//! The CRF's training objective: negative log-likelihood of the gold label sequences plus an L2
//! penalty, and its gradient, by forward-backward over each sentence. The L1 part is OWL-QN's
//! (`lbfgs.rs`).

use super::sequences::Seq;
use crate::enrich::ner::labels::NUM_LABELS;

const L: usize = NUM_LABELS;

/// Features: for each attribute, the labels it was seen with (CSR layout).
pub(super) struct FeatSpace {
    pub(super) start: Vec<u32>,
    pub(super) label: Vec<u8>,
}

impl FeatSpace {
    pub(super) fn build(seqs: &[&Seq], n_attrs: usize) -> Self {
        let mut seen = vec![0u32; n_attrs];
        for s in seqs {
            for t in 0..s.labels.len() {
                let y = s.labels[t];
                for &a in &s.attrs[s.offs[t] as usize..s.offs[t + 1] as usize] {
                    seen[a as usize] |= 1 << y;
                }
            }
        }
        let mut start = Vec::with_capacity(n_attrs + 1);
        let mut label = Vec::new();
        start.push(0);
        for m in seen {
            for y in 0..L as u8 {
                if m & (1 << y) != 0 {
                    label.push(y);
                }
            }
            start.push(label.len() as u32);
        }
        Self { start, label }
    }

    pub(super) fn n(&self) -> usize {
        self.label.len()
    }
}

/// Negative log-likelihood + c2*|w|^2 and its gradient.
pub(super) fn objective(w: &[f64], g: &mut [f64], seqs: &[&Seq], fs: &FeatSpace, c2: f64) -> f64 {
    g.iter_mut().for_each(|v| *v = 0.0);
    let tb = fs.n();
    let mut et = [0f64; L * L];
    for i in 0..L * L {
        et[i] = w[tb + i].exp();
    }
    let mut loss = 0.0;
    let mut edge = vec![0f64; L * L];
    let mut lat = Lattice::default();
    for s in seqs {
        let n = s.labels.len();
        if n == 0 {
            continue;
        }
        lat.reset(n);
        lat.state_scores(w, fs, s);
        let gold = gold_score(&lat.state, w, tb, s);
        let shift = lat.exp_states(n);
        lat.forward(&et, n);
        lat.backward(&et, n);
        let log_z = shift - lat.scale.iter().map(|v| v.ln()).sum::<f64>();
        let sw = s.weight;
        loss += sw * (log_z - gold);
        lat.add_gradient(s, fs, &et, g, &mut edge);
    }
    g[tb..].copy_from_slice(&edge);
    for (gi, wi) in g.iter_mut().zip(w) {
        *gi += 2.0 * c2 * wi;
        loss += c2 * wi * wi;
    }
    loss
}

/// The attribute ids of token `t` of a sequence.
fn attrs_of(s: &Seq, t: usize) -> &[u32] {
    &s.attrs[s.offs[t] as usize..s.offs[t + 1] as usize]
}

/// The score of the gold label path: its state scores and its transitions (`tb`: where the
/// transition weights start in `w`).
fn gold_score(state: &[f64], w: &[f64], tb: usize, s: &Seq) -> f64 {
    let mut gold = 0.0;
    for t in 0..s.labels.len() {
        gold += state[t * L + s.labels[t] as usize];
        if t > 0 {
            gold += w[tb + s.labels[t - 1] as usize * L + s.labels[t] as usize];
        }
    }
    gold
}

/// One sentence's forward-backward tables, token-major (`[t * L + label]`); the buffers are
/// reused from sentence to sentence.
#[derive(Default)]
struct Lattice {
    /// Score of each label at each token (sum of its attributes' weights).
    state: Vec<f64>,
    /// `exp(state - max of the token's row)`.
    es: Vec<f64>,
    /// Scaled forward probabilities.
    alpha: Vec<f64>,
    /// Scaled backward probabilities.
    beta: Vec<f64>,
    /// Per-token scaling factors of the forward pass.
    scale: Vec<f64>,
}

impl Lattice {
    /// Zeroed tables for a sentence of `n` tokens.
    fn reset(&mut self, n: usize) {
        for buf in [
            &mut self.state,
            &mut self.es,
            &mut self.alpha,
            &mut self.beta,
        ] {
            buf.clear();
            buf.resize(n * L, 0.0);
        }
        self.scale.clear();
        self.scale.resize(n, 0.0);
    }

    /// Adds each token's attribute weights into its label scores.
    fn state_scores(&mut self, w: &[f64], fs: &FeatSpace, s: &Seq) {
        for t in 0..s.labels.len() {
            let row = &mut self.state[t * L..(t + 1) * L];
            for &a in attrs_of(s, t) {
                let (fa, fb) = (
                    fs.start[a as usize] as usize,
                    fs.start[a as usize + 1] as usize,
                );
                for (&wf, &l) in w[fa..fb].iter().zip(&fs.label[fa..fb]) {
                    row[l as usize] += wf;
                }
            }
        }
    }

    /// Exponentiates the state scores shifted by each token's maximum; returns the sum of the
    /// shifts (added back to log Z).
    fn exp_states(&mut self, n: usize) -> f64 {
        let (state, es) = (&self.state, &mut self.es);
        let mut shift = 0.0;
        for t in 0..n {
            let row = &state[t * L..(t + 1) * L];
            let m = row.iter().copied().fold(f64::MIN, f64::max);
            shift += m;
            for y in 0..L {
                es[t * L + y] = (row[y] - m).exp();
            }
        }
        shift
    }

    /// The forward pass, each token's row scaled to sum to 1 (`et`: exponentiated transitions).
    fn forward(&mut self, et: &[f64; L * L], n: usize) {
        let (es, alpha, scale) = (&self.es, &mut self.alpha, &mut self.scale);
        for t in 0..n {
            let mut sum = 0.0;
            for y in 0..L {
                let v = if t == 0 {
                    es[y]
                } else {
                    let mut a = 0.0;
                    for p in 0..L {
                        a += alpha[(t - 1) * L + p] * et[p * L + y];
                    }
                    a * es[t * L + y]
                };
                alpha[t * L + y] = v;
                sum += v;
            }
            scale[t] = 1.0 / sum;
            for y in 0..L {
                alpha[t * L + y] *= scale[t];
            }
        }
    }

    /// The backward pass, with the forward pass's scaling.
    fn backward(&mut self, et: &[f64; L * L], n: usize) {
        let (es, beta, scale) = (&self.es, &mut self.beta, &self.scale);
        for y in 0..L {
            beta[(n - 1) * L + y] = scale[n - 1];
        }
        for t in (0..n - 1).rev() {
            for y in 0..L {
                let mut b = 0.0;
                for q in 0..L {
                    b += et[y * L + q] * es[(t + 1) * L + q] * beta[(t + 1) * L + q];
                }
                beta[t * L + y] = b * scale[t];
            }
        }
    }

    /// Adds the sequence's gradient (expected minus gold counts, times its weight) to the
    /// feature gradient `g` and the transition gradient `edge`.
    fn add_gradient(
        &self,
        s: &Seq,
        fs: &FeatSpace,
        et: &[f64; L * L],
        g: &mut [f64],
        edge: &mut [f64],
    ) {
        let (es, alpha, beta, scale) = (&self.es, &self.alpha, &self.beta, &self.scale);
        let n = s.labels.len();
        let sw = s.weight;
        let mut prob = [0f64; L];
        let mut eb = [0f64; L];
        for t in 0..n {
            let y = s.labels[t] as usize;
            for l in 0..L {
                prob[l] = alpha[t * L + l] * beta[t * L + l] / scale[t];
            }
            prob[y] -= 1.0;
            if sw != 1.0 {
                prob.iter_mut().for_each(|v| *v *= sw);
            }
            for &a in attrs_of(s, t) {
                let (fa, fb) = (
                    fs.start[a as usize] as usize,
                    fs.start[a as usize + 1] as usize,
                );
                for (gf, &l) in g[fa..fb].iter_mut().zip(&fs.label[fa..fb]) {
                    *gf += prob[l as usize];
                }
            }
            if t + 1 < n {
                for q in 0..L {
                    eb[q] = es[(t + 1) * L + q] * beta[(t + 1) * L + q];
                }
                for p in 0..L {
                    let ap = alpha[t * L + p];
                    let row = &mut edge[p * L..(p + 1) * L];
                    let etr = &et[p * L..(p + 1) * L];
                    for q in 0..L {
                        row[q] += sw * ap * etr[q] * eb[q];
                    }
                }
                edge[y * L + s.labels[t + 1] as usize] -= sw;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        let seqs = [
            Seq {
                attrs: vec![0, 1, 1, 2, 0],
                offs: vec![0, 2, 4, 5],
                labels: vec![4, 0, 1],
                doc: 0,
                weight: 1.0,
            },
            Seq {
                attrs: vec![2, 0, 1],
                offs: vec![0, 1, 3],
                labels: vec![9, 11],
                doc: 0,
                weight: 2.0,
            },
        ];
        let refs: Vec<&Seq> = seqs.iter().collect();
        let fs = FeatSpace::build(&refs, 3);
        let n = fs.n() + L * L;
        let w: Vec<f64> = (0..n)
            .map(|i| ((i * 37 % 11) as f64 - 5.0) * 0.07)
            .collect();
        let mut g = vec![0.0; n];
        objective(&w, &mut g, &refs, &fs, 0.01);
        let mut scratch = vec![0.0; n];
        for i in [0, 1, fs.n() - 1, fs.n() + 3 * L + 4, n - 1] {
            let mut wp = w.clone();
            wp[i] += 1e-5;
            let mut wm = w.clone();
            wm[i] -= 1e-5;
            let num = (objective(&wp, &mut scratch, &refs, &fs, 0.01)
                - objective(&wm, &mut scratch, &refs, &fs, 0.01))
                / 2e-5;
            assert!(
                (num - g[i]).abs() < 1e-4,
                "weight {i}: numeric {num} vs analytic {}",
                g[i]
            );
        }
    }

    /// A sequence of weight 2 counts as two copies of it: loss and gradient both.
    #[test]
    fn sequence_weight_counts_the_sequence_that_many_times() {
        let seq = |weight: f64| Seq {
            attrs: vec![2, 0, 1],
            offs: vec![0, 1, 3],
            labels: vec![9, 11],
            doc: 0,
            weight,
        };
        let (one, two) = (seq(1.0), seq(2.0));
        let fs = FeatSpace::build(&[&one], 3);
        let n = fs.n() + L * L;
        let w: Vec<f64> = (0..n).map(|i| ((i * 13 % 7) as f64 - 3.0) * 0.1).collect();
        let (mut g1, mut g2, mut gd) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let single = objective(&w, &mut g1, &[&one], &fs, 0.0);
        let weighted = objective(&w, &mut g2, &[&two], &fs, 0.0);
        let doubled = objective(&w, &mut gd, &[&one, &one], &fs, 0.0);
        assert!(single > 0.0);
        assert!(
            (weighted - 2.0 * single).abs() < 1e-9,
            "{weighted} vs {single}"
        );
        assert!((weighted - doubled).abs() < 1e-9);
        for (a, b) in g2.iter().zip(&gd) {
            assert!((a - b).abs() < 1e-9);
        }
    }
}
