//! Latent semantic analysis: each text's TF-IDF vector projected on the few directions
//! along which the texts' vocabulary varies most (a truncated SVD), so that texts
//! saying the same with different words («cuota», «crédito», «tasa») come close.
//! The SVD is the randomized one (Halko, Martinsson and Tropp, 2011) with a fixed
//! random matrix: the same texts give the same directions.

use nalgebra::DMatrix;

use crate::duplicates::mix;
use crate::themes::Vector;

const OVERSAMPLING: usize = 10;
const POWER_ITERATIONS: usize = 3;

/// The `rank` directions (rows, each over the `dims` terms) that best span `rows`.
pub fn basis(rows: &[&Vector], dims: usize, rank: usize) -> DMatrix<f32> {
    let l = (rank + OVERSAMPLING).min(rows.len()).min(dims).max(1);
    // Ω: dims × l, entries ±1 from a fixed sequence.
    let omega = DMatrix::<f32>::from_fn(dims, l, |t, j| {
        if mix((t * l + j) as u64 + 0x5eed) & 1 == 0 {
            1.0
        } else {
            -1.0
        }
    });
    let times = |m: &DMatrix<f32>| {
        // S · M, S sparse (rows × dims), M dense (dims × l).
        let mut out = DMatrix::<f32>::zeros(rows.len(), m.ncols());
        for (i, v) in rows.iter().enumerate() {
            for (t, w) in v.iter() {
                for j in 0..m.ncols() {
                    out[(i, j)] += w * m[(*t as usize, j)];
                }
            }
        }
        out
    };
    let times_t = |m: &DMatrix<f32>| {
        // Sᵀ · M, M dense (rows × l).
        let mut out = DMatrix::<f32>::zeros(dims, m.ncols());
        for (i, v) in rows.iter().enumerate() {
            for (t, w) in v.iter() {
                for j in 0..m.ncols() {
                    out[(*t as usize, j)] += w * m[(i, j)];
                }
            }
        }
        out
    };
    let mut q = times(&omega).qr().q();
    for _ in 0..POWER_ITERATIONS {
        let z = times_t(&q).qr().q();
        q = times(&z).qr().q();
    }
    // B = Qᵀ S, l × dims; its right singular vectors are S's.
    let b = times_t(&q).transpose();
    let svd = b.svd(false, true);
    let v_t = svd.v_t.expect("asked for V");
    let mut order: Vec<usize> = (0..svd.singular_values.len()).collect();
    order.sort_by(|a, b| {
        svd.singular_values[*b]
            .total_cmp(&svd.singular_values[*a])
            .then(a.cmp(b))
    });
    let r = rank.min(order.len());
    DMatrix::<f32>::from_fn(r, dims, |i, t| v_t[(order[i], t)])
}

/// A text's coordinates on the directions, strongest first (all zero for a text with
/// no term).
pub fn project(v: &Vector, basis: &DMatrix<f32>) -> Vec<f32> {
    let mut out = vec![0f32; basis.nrows()];
    for (t, w) in v.iter() {
        for (j, o) in out.iter_mut().enumerate() {
            *o += w * basis[(j, *t as usize)];
        }
    }
    out
}

/// The first `rank` coordinates, scaled to unit length.
pub fn truncated(coordinates: &[f32], rank: usize) -> Vec<f32> {
    let mut out = coordinates[..rank.min(coordinates.len())].to_vec();
    let norm = out.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        out.iter_mut().for_each(|x| *x /= norm);
    }
    out
}
