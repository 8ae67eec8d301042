//! OWL-QN (L-BFGS with an L1 term; Andrew & Gao 2007) with a backtracking line search.
//! Plain L-BFGS when `c1 == 0`. Single-threaded and deterministic.

/// `f(x, grad) -> value` of the smooth part (loss + L2); the L1 term is added here.
pub(crate) struct Options {
    pub c1: f64,
    pub memory: usize,
    pub max_iter: usize,
    /// Stop when the objective improved by less than this fraction over `period` iterations.
    pub delta: f64,
    pub period: usize,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn l1(x: &[f64]) -> f64 {
    x.iter().map(|v| v.abs()).sum()
}

/// Pseudo-gradient of f + c1*|x|.
fn pseudo_grad(x: &[f64], g: &[f64], c1: f64, out: &mut [f64]) {
    for i in 0..x.len() {
        out[i] = if c1 == 0.0 {
            g[i]
        } else if x[i] > 0.0 {
            g[i] + c1
        } else if x[i] < 0.0 {
            g[i] - c1
        } else if g[i] + c1 < 0.0 {
            g[i] + c1
        } else if g[i] - c1 > 0.0 {
            g[i] - c1
        } else {
            0.0
        };
    }
}

/// Minimises; `progress(iter, value, x)` is called after each iteration.
pub(crate) fn minimise(
    x: &mut [f64],
    opts: &Options,
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
    mut progress: impl FnMut(usize, f64, &[f64]),
) {
    let n = x.len();
    let c1 = opts.c1;
    let mut g = vec![0.0; n];
    let mut fx = f(x, &mut g) + c1 * l1(x);
    let mut pg = vec![0.0; n];
    let mut d = vec![0.0; n];
    let mut xn = vec![0.0; n];
    let mut gn = vec![0.0; n];
    let mut s_hist: Vec<Vec<f64>> = Vec::new();
    let mut y_hist: Vec<Vec<f64>> = Vec::new();
    let mut rho: Vec<f64> = Vec::new();
    let mut alpha = vec![0.0; opts.memory];
    let mut history: Vec<f64> = vec![fx];
    for iter in 1..=opts.max_iter {
        pseudo_grad(x, &g, c1, &mut pg);
        // Two-loop recursion on the pseudo-gradient.
        for i in 0..n {
            d[i] = -pg[i];
        }
        let k = s_hist.len();
        for j in (0..k).rev() {
            alpha[j] = rho[j] * dot(&s_hist[j], &d);
            for i in 0..n {
                d[i] -= alpha[j] * y_hist[j][i];
            }
        }
        if k > 0 {
            let gamma = dot(&s_hist[k - 1], &y_hist[k - 1]) / dot(&y_hist[k - 1], &y_hist[k - 1]);
            for v in d.iter_mut() {
                *v *= gamma;
            }
        }
        for j in 0..k {
            let b = rho[j] * dot(&y_hist[j], &d);
            for i in 0..n {
                d[i] += s_hist[j][i] * (alpha[j] - b);
            }
        }
        // Keep the direction in the orthant the pseudo-gradient points to.
        if c1 > 0.0 {
            for i in 0..n {
                if d[i] * pg[i] >= 0.0 {
                    d[i] = 0.0;
                }
            }
        }
        let mut step = if k == 0 {
            1.0 / dot(&pg, &pg).sqrt().max(1e-12)
        } else {
            1.0
        };
        let mut accepted = false;
        let mut fnew = fx;
        for _ in 0..30 {
            for i in 0..n {
                let mut v = x[i] + step * d[i];
                if c1 > 0.0 {
                    let orthant = if x[i] != 0.0 {
                        x[i].signum()
                    } else {
                        -pg[i].signum()
                    };
                    if v * orthant <= 0.0 {
                        v = 0.0;
                    }
                }
                xn[i] = v;
            }
            fnew = f(&xn, &mut gn) + c1 * l1(&xn);
            let mut dec = 0.0;
            for i in 0..n {
                dec += pg[i] * (xn[i] - x[i]);
            }
            if fnew <= fx + 1e-4 * dec {
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            break;
        }
        let mut s = vec![0.0; n];
        let mut y = vec![0.0; n];
        for i in 0..n {
            s[i] = xn[i] - x[i];
            y[i] = gn[i] - g[i];
        }
        let sy = dot(&s, &y);
        x.copy_from_slice(&xn);
        g.copy_from_slice(&gn);
        fx = fnew;
        if sy > 1e-12 {
            if s_hist.len() == opts.memory {
                s_hist.remove(0);
                y_hist.remove(0);
                rho.remove(0);
            }
            s_hist.push(s);
            y_hist.push(y);
            rho.push(1.0 / sy);
        }
        progress(iter, fx, x);
        history.push(fx);
        if history.len() > opts.period {
            let old = history[history.len() - 1 - opts.period];
            if (old - fx) / fx.abs().max(1e-12) < opts.delta {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_a_quadratic_and_l1_zeroes_small_coordinates() {
        // f = (x0-3)^2 + (x1+1)^2 + 0.1*(x2-0.01)^2
        let f = |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * (x[0] - 3.0);
            g[1] = 2.0 * (x[1] + 1.0);
            g[2] = 0.2 * (x[2] - 0.01);
            (x[0] - 3.0).powi(2) + (x[1] + 1.0).powi(2) + 0.1 * (x[2] - 0.01).powi(2)
        };
        let mut x = vec![0.0; 3];
        let o = Options {
            c1: 0.0,
            memory: 5,
            max_iter: 100,
            delta: 1e-12,
            period: 5,
        };
        minimise(&mut x, &o, f, |_, _, _| {});
        assert!((x[0] - 3.0).abs() < 1e-4 && (x[1] + 1.0).abs() < 1e-4);
        let mut x = vec![0.0; 3];
        let o = Options { c1: 0.1, ..o };
        minimise(&mut x, &o, f, |_, _, _| {});
        assert!((x[0] - 2.95).abs() < 1e-3, "{x:?}");
        assert_eq!(x[2], 0.0);
    }
}
