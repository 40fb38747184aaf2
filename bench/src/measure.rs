//! Timing: medians of batches, after a warm-up. These machines are noisy; a median of several
//! batches, each long enough to swamp the clock, is what is reported.

use std::time::{Duration, Instant};

/// A measurement: the median time per call and every batch's.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Timing {
    /// Median of the batches, µs per call.
    pub median_us: f64,
    /// Each batch, µs per call.
    pub runs_us: Vec<f64>,
    /// Calls per batch.
    pub iterations: usize,
}

/// The median of `values` (NaN when empty).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Times several functions in interleaved rounds: each round runs one batch of each, in an
/// order that rotates from round to round, so that a slow spell of a noisy machine falls on
/// all of them alike. Compare them with [`ratio`], round by round.
pub fn interleaved(runs: usize, batch: Duration, fs: &mut [&mut dyn FnMut()]) -> Vec<Timing> {
    let mut iterations = Vec::with_capacity(fs.len());
    for f in fs.iter_mut() {
        let started = Instant::now();
        let mut warm = 0usize;
        while warm < 3 || started.elapsed() < batch / 4 {
            f();
            warm += 1;
        }
        let one = started.elapsed().as_secs_f64() / warm as f64;
        iterations.push(((batch.as_secs_f64() / one.max(1e-9)) as usize).clamp(1, 1_000_000));
    }
    let mut runs_us = vec![Vec::with_capacity(runs); fs.len()];
    for round in 0..runs {
        for k in 0..fs.len() {
            let i = (round + k) % fs.len();
            let (Some(f), Some(&n), Some(out)) =
                (fs.get_mut(i), iterations.get(i), runs_us.get_mut(i))
            else {
                continue;
            };
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            out.push(t.elapsed().as_secs_f64() * 1e6 / n as f64);
        }
    }
    runs_us
        .into_iter()
        .zip(iterations)
        .map(|(runs_us, iterations)| Timing {
            median_us: median(runs_us.clone()),
            runs_us,
            iterations,
        })
        .collect()
}

/// `base`'s time over `ours`, as the median of the rounds' ratios (both from one
/// [`interleaved`] run): 1.00 = as fast as the base.
pub fn ratio(base: &Timing, ours: &Timing) -> f64 {
    median(
        base.runs_us
            .iter()
            .zip(&ours.runs_us)
            .map(|(b, o)| b / o)
            .collect(),
    )
}
