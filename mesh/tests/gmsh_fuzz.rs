//! The MSH reader must never panic: truncated, bit-flipped and random inputs return Ok or Err.

use galvana_mesh::gmsh::parse_msh;
use std::path::PathBuf;

fn example(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../input-decks/examples/meshes")
        .join(name);
    std::fs::read(p).unwrap()
}

/// xorshift64*: deterministic pseudo-random numbers without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Iteration counts scale with `GALVANA_FUZZ_SCALE` (default 1) for longer local runs.
fn scaled(n: usize) -> usize {
    let scale = std::env::var("GALVANA_FUZZ_SCALE")
        .ok()
        .and_then(|s| s.parse().ok());
    n * scale.unwrap_or(1)
}

fn must_not_panic(bytes: &[u8]) {
    let _ = parse_msh(bytes, "fuzz.msh");
}

#[test]
fn truncated_prefixes() {
    for name in ["plate_hole.msh", "heat_sink_binary.msh", "heat_sink.msh"] {
        let data = example(name);
        let step = (data.len() / 1500).max(1);
        for len in (0..data.len()).step_by(step).chain(0..600.min(data.len())) {
            let r = parse_msh(&data[..len], name);
            assert!(
                r.is_err() || len + 200 > data.len(),
                "{name}: prefix {len} parsed"
            );
        }
        assert!(parse_msh(&data, name).is_ok());
    }
}

#[test]
fn flipped_bytes() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ scaled(1) as u64);
    for name in ["plate_hole.msh", "heat_sink_binary.msh"] {
        let data = example(name);
        for _ in 0..scaled(600) {
            let mut d = data.clone();
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(d.len());
                d[i] ^= 1 << rng.below(8);
            }
            must_not_panic(&d);
            // Also overwrite a whole 8-byte window with random bytes (huge counts, NaNs).
            let i = rng.below(d.len() - 8);
            d[i..i + 8].copy_from_slice(&rng.next().to_le_bytes());
            must_not_panic(&d);
        }
    }
}

#[test]
fn random_bytes() {
    let mut rng = Rng(42 ^ scaled(1) as u64);
    let headers: [&[u8]; 4] = [
        b"",
        b"$MeshFormat\n4.1 0 8\n$EndMeshFormat\n$Nodes\n",
        b"$MeshFormat\n4.1 1 8\n\x01\0\0\0\n$EndMeshFormat\n$Nodes\n",
        b"$MeshFormat\n4.1 1 8\n\x01\0\0\0\n$EndMeshFormat\n$Entities\n",
    ];
    for _ in 0..scaled(3000) {
        let mut d = headers[rng.below(headers.len())].to_vec();
        let len = rng.below(300);
        let ascii = rng.below(2) == 0;
        for _ in 0..len {
            let b = if ascii {
                b"0123456789 \n-.e\"$"[rng.below(17)]
            } else {
                rng.next() as u8
            };
            d.push(b);
        }
        must_not_panic(&d);
    }
}

#[test]
fn token_mutations() {
    // Replace whole tokens of an ASCII file with plausible numbers so that mutations reach the
    // semantic checks (tags, counts, element types, dimensions) rather than failing to lex.
    let mut rng = Rng(7 ^ scaled(1) as u64);
    let text = String::from_utf8(example("plate_hole.msh")).unwrap();
    let tokens: Vec<&str> = text.split_ascii_whitespace().collect();
    let values = [
        "-1",
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "15",
        "11",
        "400",
        "18446744073709551615",
        "1e308",
    ];
    for _ in 0..scaled(1500) {
        let mut t = tokens.clone();
        for _ in 0..1 + rng.below(3) {
            let i = rng.below(t.len());
            t[i] = values[rng.below(values.len())];
        }
        must_not_panic(t.join("\n").as_bytes());
    }
}
