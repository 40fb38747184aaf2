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

/// Times `f`: calls per batch chosen so a batch takes about `batch`, then `runs` batches.
pub fn time(runs: usize, batch: Duration, mut f: impl FnMut()) -> Timing {
    // Warm-up, and a first estimate of one call.
    let started = Instant::now();
    let mut warm = 0usize;
    while warm < 3 || started.elapsed() < batch / 4 {
        f();
        warm += 1;
    }
    let one = started.elapsed().as_secs_f64() / warm as f64;
    let iterations = ((batch.as_secs_f64() / one.max(1e-9)) as usize).clamp(1, 1_000_000);
    let mut runs_us: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iterations {
                f();
            }
            t.elapsed().as_secs_f64() * 1e6 / iterations as f64
        })
        .collect();
    let mut sorted = runs_us.clone();
    sorted.sort_by(f64::total_cmp);
    let median_us = sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN);
    runs_us.shrink_to_fit();
    Timing {
        median_us,
        runs_us,
        iterations,
    }
}
