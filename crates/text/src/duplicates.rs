//! Near-duplicate texts: the same message pasted by many hands, with a name changed
//! or a word added. Each text becomes the set of its three-word runs (folded words, so
//! case, accents and punctuation do not matter); MinHash signatures, compared band by
//! band, propose pairs, and a pair is kept only when the sets truly overlap enough.

use std::collections::HashMap;

/// Texts with fewer words than this are not compared: «Ninguna» written by a
/// hundred people is not a campaign.
pub const MIN_WORDS: usize = 6;
/// The share of three-word runs two texts must have in common (Jaccard index).
pub const MIN_SIMILARITY: f64 = 0.4;

const BANDS: usize = 20;
const ROWS: usize = 3;
const HASHES: usize = BANDS * ROWS;

/// A 64-bit mix (SplitMix64's finaliser): spreads any input over all bits.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn word_hash(word: &str) -> u64 {
    // FNV-1a, then mixed: stable across runs and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in word.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

/// The sorted, distinct hashes of a text's three-word runs, or None when it is too short.
pub fn shingles(words: &[&str]) -> Option<Vec<u64>> {
    if words.len() < MIN_WORDS {
        return None;
    }
    let hashes: Vec<u64> = words.iter().map(|w| word_hash(w)).collect();
    let mut out: Vec<u64> = hashes
        .windows(3)
        .map(|w| mix(w[0] ^ mix(w[1] ^ mix(w[2]))))
        .collect();
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// The Jaccard index of two sorted sets.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let all = a.len() + b.len() - both;
    if all == 0 {
        0.0
    } else {
        both as f64 / all as f64
    }
}

fn signature(set: &[u64], seeds: &[(u64, u64)]) -> [u64; HASHES] {
    let mut sig = [u64::MAX; HASHES];
    for &s in set {
        for (slot, (a, b)) in sig.iter_mut().zip(seeds) {
            let h = a.wrapping_mul(s).wrapping_add(*b);
            if h < *slot {
                *slot = h;
            }
        }
    }
    sig
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, x: usize) -> usize {
        let mut r = x;
        while self.0[r] != r {
            r = self.0[r];
        }
        let mut x = x;
        while self.0[x] != r {
            let next = self.0[x];
            self.0[x] = r;
            x = next;
        }
        r
    }
    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            // The smaller index leads: groups do not depend on the order of unions.
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            self.0[hi] = lo;
        }
    }
}

/// Groups of near-duplicate texts (two or more members each, indices ascending, groups
/// ordered by their first member). `sets[i]` is text i's shingles, if it has enough words.
pub fn groups(sets: &[Option<Vec<u64>>]) -> Vec<Vec<usize>> {
    let seeds: Vec<(u64, u64)> = (0..HASHES as u64)
        .map(|i| (mix(2 * i + 1) | 1, mix(2 * i + 2)))
        .collect();
    let signatures: Vec<Option<[u64; HASHES]>> = sets
        .iter()
        .map(|s| s.as_ref().map(|s| signature(s, &seeds)))
        .collect();
    let mut uf = UnionFind((0..sets.len()).collect());
    let mut buckets: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut tried: std::collections::HashSet<(usize, usize)> = std::collections::HashSet::new();
    for band in 0..BANDS {
        buckets.clear();
        for (i, sig) in signatures.iter().enumerate() {
            if let Some(sig) = sig {
                let rows = &sig[band * ROWS..(band + 1) * ROWS];
                let key = rows.iter().fold(band as u64, |h, r| mix(h ^ r));
                buckets.entry(key).or_default().push(i);
            }
        }
        for members in buckets.values().filter(|m| m.len() > 1) {
            // Each member is checked against the bucket's first and its neighbour, not
            // against every other: a campaign of ten thousand copies stays linear.
            for w in 1..members.len() {
                for other in [members[0], members[w - 1]] {
                    let (a, b) = (other.min(members[w]), other.max(members[w]));
                    if a == b || uf.find(a) == uf.find(b) || !tried.insert((a, b)) {
                        continue;
                    }
                    let (sa, sb) = (sets[a].as_ref().unwrap(), sets[b].as_ref().unwrap());
                    if jaccard(sa, sb) >= MIN_SIMILARITY {
                        uf.union(a, b);
                    }
                }
            }
        }
    }
    let mut by_root: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, set) in sets.iter().enumerate() {
        if set.is_some() {
            let r = uf.find(i);
            by_root.entry(r).or_default().push(i);
        }
    }
    let mut out: Vec<Vec<usize>> = by_root.into_values().filter(|g| g.len() > 1).collect();
    out.sort_by_key(|g| g[0]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{fold, words};

    fn set(text: &str) -> Option<Vec<u64>> {
        let f = fold(text);
        shingles(&words(&f).collect::<Vec<_>>())
    }

    #[test]
    fn copies_with_small_edits_group_and_different_texts_do_not() {
        let texts = [
            "Exigimos que Caja Honor reduzca la tasa de interés del crédito hipotecario para los suboficiales. Atentamente, sargento Pérez",
            "exigimos que caja honor reduzca la tasa de interes del credito hipotecario para los suboficiales!! Atentamente, cabo Gómez",
            "Quiero saber cuándo entregan el apartamento del proyecto en Cali, ya van seis meses de retraso",
            "Exigimos que Caja Honor reduzca la tasa de interés del crédito hipotecario para todos los suboficiales.",
            "Corto",
        ];
        let sets: Vec<_> = texts.iter().map(|t| set(t)).collect();
        assert!(sets[4].is_none());
        assert_eq!(groups(&sets), vec![vec![0, 1, 3]]);
    }

    #[test]
    fn jaccard_of_sorted_sets() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[], &[]), 0.0);
    }
}
