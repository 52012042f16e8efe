//! Themes: texts as TF-IDF vectors of their stems, brought into a latent semantic space
//! ([`crate::lsa`]) and grouped there by spherical k-means (cosine similarity). The number
//! of themes, unless staff set it, is the one whose grouping is the most coherent by
//! the silhouette of a sample. Seeds are fixed: the same texts give the same themes.

use crate::duplicates::mix;

/// A text as (term, weight) pairs, terms ascending, of unit length.
pub type Vector = Vec<(u32, f32)>;

/// The most themes looked for when staff do not set the number.
pub const MAX_AUTO_THEMES: usize = 10;
/// Texts the number of themes and the first centroids are found on; the rest are
/// then placed by the centroids (what keeps 100 000 texts fast).
const TRAINING_SAMPLE: usize = 6_000;
/// Texts the silhouette is measured on.
const SILHOUETTE_SAMPLE: usize = 1_200;
const RESTARTS: u64 = 4;
const REFERENCES: u64 = 4;
/// Directions of the latent semantic space kept for `k` themes.
fn rank_for(k: usize) -> usize {
    (2 * k).max(4)
}
const ITERATIONS: usize = 40;

/// TF-IDF vectors (sublinear term frequency, smoothed inverse document frequency),
/// keeping only terms found in at least `min_df` texts; `dims` is the number of terms.
pub fn vectors(docs: &[Vec<u32>], dims: usize, min_df: u32) -> Vec<Vector> {
    let mut df = vec![0u32; dims];
    for d in docs {
        let mut seen: Vec<u32> = d.clone();
        seen.sort_unstable();
        seen.dedup();
        for t in seen {
            df[t as usize] += 1;
        }
    }
    let n = docs.len() as f32;
    let idf: Vec<f32> = df
        .iter()
        .map(|&f| ((1.0 + n) / (1.0 + f as f32)).ln() + 1.0)
        .collect();
    docs.iter()
        .map(|d| {
            let mut terms: Vec<u32> = d
                .iter()
                .copied()
                .filter(|t| df[*t as usize] >= min_df)
                .collect();
            terms.sort_unstable();
            let mut v: Vector = Vec::new();
            for t in terms {
                match v.last_mut() {
                    Some((last, c)) if *last == t => *c += 1.0,
                    _ => v.push((t, 1.0)),
                }
            }
            for (t, w) in v.iter_mut() {
                *w = (1.0 + w.ln()) * idf[*t as usize];
            }
            let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
            if norm > 0.0 {
                v.iter_mut().for_each(|(_, w)| *w /= norm);
            }
            v
        })
        .collect()
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(1);
        mix(self.0)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A text's coordinates; an empty slice or all zeros for a text with no term.
type Point<'a> = &'a [f32];

fn usable(p: Point) -> bool {
    p.iter().any(|x| *x != 0.0)
}

/// The nearest centroid of a point and its cosine, or None for a text with no term.
fn nearest(p: Point, centroids: &[Vec<f32>]) -> Option<(usize, f32)> {
    if !usable(p) || centroids.is_empty() {
        return None;
    }
    let mut best = (0, f32::MIN);
    for (k, c) in centroids.iter().enumerate() {
        let s = dot(p, c);
        if s > best.1 {
            best = (k, s);
        }
    }
    Some(best)
}

/// Each centroid the normalised sum of its points; a centroid left with no point
/// keeps its place.
fn recompute(ps: &[Point], assign: &[Option<usize>], centroids: &mut [Vec<f32>]) {
    let dims = centroids[0].len();
    let mut sums = vec![vec![0f32; dims]; centroids.len()];
    for (p, a) in ps.iter().zip(assign) {
        if let Some(k) = a {
            sums[*k].iter_mut().zip(p.iter()).for_each(|(s, x)| *s += x);
        }
    }
    for (k, sum) in sums.into_iter().enumerate() {
        let norm = sum.iter().map(|w| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            centroids[k] = sum.into_iter().map(|w| w / norm).collect();
        }
    }
}

/// Lloyd's iterations from the given centroids; returns the assignment and the total
/// cosine of the points to their centroids.
fn lloyd(ps: &[Point], centroids: &mut [Vec<f32>], iterations: usize) -> (Vec<Option<usize>>, f64) {
    let mut assign: Vec<Option<usize>> = vec![None; ps.len()];
    let mut total = 0.0;
    for round in 0..iterations {
        total = 0.0;
        let mut changed = false;
        for (i, p) in ps.iter().enumerate() {
            let a = nearest(p, centroids).map(|(k, s)| {
                total += s as f64;
                k
            });
            if a != assign[i] {
                assign[i] = a;
                changed = true;
            }
        }
        if !changed || round + 1 == iterations {
            break;
        }
        recompute(ps, &assign, centroids);
    }
    (assign, total)
}

/// k-means++ seeding on cosine distance, then Lloyd; the best of a few fixed seeds.
fn kmeans(ps: &[Point], k: usize) -> Vec<Vec<f32>> {
    kmeans_seeded(ps, k, 0)
}

fn kmeans_seeded(ps: &[Point], k: usize, first_seed: u64) -> Vec<Vec<f32>> {
    let usable: Vec<usize> = (0..ps.len()).filter(|&i| usable(ps[i])).collect();
    if usable.is_empty() {
        return Vec::new();
    }
    let k = k.min(usable.len());
    let mut best: Option<(f64, Vec<Vec<f32>>)> = None;
    for seed in first_seed..first_seed + RESTARTS {
        let mut rng = Rng(seed.wrapping_mul(0x1000_0001) + k as u64);
        let mut centroids: Vec<Vec<f32>> = Vec::with_capacity(k);
        let first = usable[(rng.next() % usable.len() as u64) as usize];
        centroids.push(ps[first].to_vec());
        let mut far: Vec<f64> = usable
            .iter()
            .map(|&i| (1.0 - dot(ps[i], &centroids[0]) as f64).max(0.0))
            .collect();
        while centroids.len() < k {
            let total: f64 = far.iter().map(|d| d * d).sum();
            let pick = if total <= 0.0 {
                (rng.next() % usable.len() as u64) as usize
            } else {
                let mut target = rng.unit() * total;
                let mut chosen = usable.len() - 1;
                for (j, d) in far.iter().enumerate() {
                    target -= d * d;
                    if target <= 0.0 {
                        chosen = j;
                        break;
                    }
                }
                chosen
            };
            let c = ps[usable[pick]].to_vec();
            for (j, &i) in usable.iter().enumerate() {
                let d = (1.0 - dot(ps[i], &c) as f64).max(0.0);
                if d < far[j] {
                    far[j] = d;
                }
            }
            centroids.push(c);
        }
        let (_, score) = lloyd(ps, &mut centroids, ITERATIONS);
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, centroids));
        }
    }
    best.map(|(_, c)| c).unwrap_or_default()
}

/// Mean silhouette (cosine distance) of the sample's grouping; `sims` is the sample's
/// similarity matrix.
fn silhouette(sims: &[Vec<f32>], assign: &[Option<usize>], k: usize) -> f64 {
    let mut total = 0.0;
    let mut counted = 0usize;
    for i in 0..assign.len() {
        let Some(own) = assign[i] else { continue };
        let mut sum = vec![0f64; k];
        let mut n = vec![0usize; k];
        for j in 0..assign.len() {
            if let (true, Some(c)) = (i != j, assign[j]) {
                sum[c] += 1.0 - sims[i][j] as f64;
                n[c] += 1;
            }
        }
        counted += 1;
        if n[own] == 0 {
            continue; // a single member scores 0
        }
        let a = sum[own] / n[own] as f64;
        let b = (0..k)
            .filter(|&c| c != own && n[c] > 0)
            .map(|c| sum[c] / n[c] as f64)
            .fold(f64::MAX, f64::min);
        if b < f64::MAX {
            total += (b - a) / a.max(b).max(f64::EPSILON);
        }
    }
    if counted == 0 {
        0.0
    } else {
        total / counted as f64
    }
}

/// Evenly spread indices of at most `n` of `len` items.
fn spread(len: usize, n: usize) -> Vec<usize> {
    if len <= n {
        return (0..len).collect();
    }
    (0..n).map(|i| i * len / n).collect()
}

/// For each number of themes from 2 to `max_k`: the silhouette of the grouping found
/// in the latent space, measured on a sample in the texts' TF-IDF space (the same
/// measure whatever the number), and the centroids.
fn scan(rows: &[&Vector], dims: usize, max_k: usize) -> Vec<(usize, f64, Vec<Vec<f32>>)> {
    let basis = crate::lsa::basis(rows, dims, rank_for(max_k));
    let coordinates: Vec<Vec<f32>> = rows
        .iter()
        .map(|v| crate::lsa::project(v, &basis))
        .collect();
    let sample: Vec<usize> = spread(rows.len(), SILHOUETTE_SAMPLE);
    let full: Vec<Vec<f32>> = sample
        .iter()
        .map(|&i| crate::lsa::truncated(&coordinates[i], rank_for(max_k)))
        .collect();
    let sims: Vec<Vec<f32>> = full
        .iter()
        .map(|a| full.iter().map(|b| dot(a, b)).collect())
        .collect();
    (2..=max_k)
        .map(|k| {
            let points: Vec<Vec<f32>> = coordinates
                .iter()
                .map(|c| crate::lsa::truncated(c, rank_for(k)))
                .collect();
            let refs: Vec<Point> = points.iter().map(Vec::as_slice).collect();
            let c = kmeans(&refs, k);
            let assign: Vec<Option<usize>> = sample
                .iter()
                .map(|&i| nearest(refs[i], &c).map(|(k, _)| k))
                .collect();
            (k, silhouette(&sims, &assign, k), c)
        })
        .collect()
}

/// The same texts with their words dealt out among them at random (fixed seed): each
/// keeps its length and each word its frequency, but no word keeps its company.
fn shuffle_words(rows: &[&Vector], seed: u64) -> Vec<Vector> {
    let mut terms: Vec<u32> = rows
        .iter()
        .flat_map(|v| v.iter().map(|(t, _)| *t))
        .collect();
    let mut rng = Rng(0xC0FFEE + seed * 0x9E37);
    for i in (1..terms.len()).rev() {
        let j = (rng.next() % (i as u64 + 1)) as usize;
        terms.swap(i, j);
    }
    let mut next = terms.into_iter();
    rows.iter()
        .map(|v| {
            let mut out: Vector = v
                .iter()
                .map(|(_, w)| (next.next().unwrap_or(0), *w))
                .collect();
            out.sort_by_key(|(t, _)| *t);
            out.dedup_by(|b, a| {
                if a.0 == b.0 {
                    a.1 += b.1;
                    true
                } else {
                    false
                }
            });
            let norm = out.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
            if norm > 0.0 {
                out.iter_mut().for_each(|(_, w)| *w /= norm);
            }
            out
        })
        .collect()
}

/// What [`cluster`] finds.
pub struct Clusters {
    /// Each text's theme (None for a text with no term left).
    pub assign: Vec<Option<usize>>,
    /// Each theme's centroid over the terms (for its keywords).
    pub terms: Vec<Vec<f32>>,
    /// Each text's cosine to its theme's centroid (0 without a theme).
    pub closeness: Vec<f32>,
}

/// The themes of the texts. `themes` is the number wanted, or None to choose it.
pub fn cluster(vs: &[Vector], dims: usize, themes: Option<usize>) -> Clusters {
    let none = Clusters {
        assign: vec![None; vs.len()],
        terms: Vec::new(),
        closeness: vec![0.0; vs.len()],
    };
    let count = vs.iter().filter(|v| !v.is_empty()).count();
    if count == 0 || dims == 0 {
        return none;
    }
    let training_idx: Vec<usize> = spread(vs.len(), TRAINING_SAMPLE)
        .into_iter()
        .filter(|&i| !vs[i].is_empty())
        .collect();
    let training_rows: Vec<&Vector> = training_idx.iter().map(|&i| &vs[i]).collect();
    let max_k = count.clamp(1, MAX_AUTO_THEMES);
    let top_k = themes.map_or(max_k, |k| k.clamp(1, count));
    let basis = crate::lsa::basis(&training_rows, dims, rank_for(top_k));
    let coordinates: Vec<Vec<f32>> = vs.iter().map(|v| crate::lsa::project(v, &basis)).collect();
    let points_for = |k: usize, idx: &mut dyn Iterator<Item = usize>| -> Vec<Vec<f32>> {
        idx.map(|i| crate::lsa::truncated(&coordinates[i], rank_for(k)))
            .collect()
    };
    let (k, mut centroids) = match themes {
        Some(_) => {
            let training = points_for(top_k, &mut training_idx.iter().copied());
            let refs: Vec<Point> = training.iter().map(Vec::as_slice).collect();
            (top_k, kmeans(&refs, top_k))
        }
        None if max_k < 2 => {
            let training = points_for(1, &mut training_idx.iter().copied());
            let refs: Vec<Point> = training.iter().map(Vec::as_slice).collect();
            (1, kmeans(&refs, 1))
        }
        None => {
            // The silhouette grows with the number of themes even in texts with no
            // themes at all; what counts is how far it stands above that. So each
            // number is scored by its silhouette minus the silhouette of the same texts
            // with their words shuffled among them (the gap statistic's reference).
            let real = scan(&training_rows, dims, max_k);
            let mut reference = vec![0f64; real.len()];
            for seed in 0..REFERENCES {
                let shuffled = shuffle_words(&training_rows, seed);
                let shuffled_refs: Vec<&Vector> = shuffled.iter().collect();
                for (r, (_, s, _)) in reference.iter_mut().zip(scan(&shuffled_refs, dims, max_k)) {
                    *r += s / REFERENCES as f64;
                }
            }
            let mut best: Option<(f64, usize, Vec<Vec<f32>>)> = None;
            for ((k, score, c), null) in real.into_iter().zip(reference) {
                let gap = score - null;
                if best.as_ref().is_none_or(|(s, _, _)| gap > *s + 1e-9) {
                    best = Some((gap, k, c));
                }
            }
            best.map(|(_, k, c)| (k, c)).unwrap_or_default()
        }
    };
    let points = points_for(k, &mut (0..vs.len()));
    let all: Vec<Point> = points.iter().map(Vec::as_slice).collect();
    let refine = if vs.len() > training_idx.len() { 3 } else { 1 };
    let (assign, _) = lloyd(&all, &mut centroids, refine);
    // Themes no text kept are dropped, the others renumbered in order.
    let mut used = vec![false; centroids.len()];
    assign.iter().flatten().for_each(|k| used[*k] = true);
    let mut renumber = vec![usize::MAX; centroids.len()];
    let mut kept = Vec::new();
    for (k, c) in centroids.into_iter().enumerate() {
        if used[k] {
            renumber[k] = kept.len();
            kept.push(c);
        }
    }
    let assign: Vec<Option<usize>> = assign.into_iter().map(|a| a.map(|k| renumber[k])).collect();
    let closeness = assign
        .iter()
        .zip(&points)
        .map(|(a, p)| a.map_or(0.0, |k| dot(p, &kept[k])))
        .collect();
    // Each theme over the terms: the normalised sum of its texts' TF-IDF vectors.
    let mut terms = vec![vec![0f32; dims]; kept.len()];
    for (v, a) in vs.iter().zip(&assign) {
        if let Some(k) = a {
            v.iter().for_each(|(t, w)| terms[*k][*t as usize] += w);
        }
    }
    for c in terms.iter_mut() {
        let norm = c.iter().map(|w| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            c.iter_mut().for_each(|w| *w /= norm);
        }
    }
    Clusters {
        assign,
        terms,
        closeness,
    }
}

/// The terms that set a theme apart: weight in its centroid minus the mean weight in
/// the others, best first, at most `n`, only those that score above zero.
pub fn keywords(centroids: &[Vec<f32>], theme: usize, n: usize) -> Vec<(u32, f32)> {
    let others = (centroids.len() - 1).max(1) as f32;
    let mut scored: Vec<(u32, f32)> = centroids[theme]
        .iter()
        .enumerate()
        .filter(|(_, w)| **w > 0.0)
        .map(|(t, w)| {
            let rest: f32 = centroids
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != theme)
                .map(|(_, c)| c[t])
                .sum();
            (t as u32, w - rest / others)
        })
        .filter(|(_, s)| *s > 0.0)
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.truncate(n);
    scored
}
