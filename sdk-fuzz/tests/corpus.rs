//! The kept corpora replayed on stable: every seed and every corpus entry of every target
//! (`fuzz/corpus/<target>/`) and every crash found (`fuzz/regressions/<target>/`) goes through
//! the target's function, which must return. The named seeds (the samples each crate's decoder
//! read when they were made) must still be read, so a seed that stops reaching the decoder's
//! success path is noticed here, not by a fuzzer that quietly covers less.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use sdk_fuzz::{Outcome, TARGETS};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// A seed written by `fuzz-seeds` that its crate read when it was made: a sample answer
/// (`<module>-<operation>-<k>`), a signed envelope or document; any named seed of the file,
/// AS2 and Chongqing targets (a published sample, a file written by the crate's own writer or
/// builder, a sandbox's answer) but a refusal, whose kept-corpus entries are named by content
/// hash.
fn must_read(target: &str, name: &str) -> bool {
    match target {
        "wssec_verify" => name.starts_with("signed-") || name.starts_with("enveloped-"),
        t if t.starts_with("answers_") || t == "xml_records" => name
            .rsplit_once('-')
            .is_some_and(|(_, k)| k.parse::<u32>().is_ok()),
        "xml_document" | "soap_envelope" | "c14n" | "tabular_dlp" | "cer_csv" | "vzp_files"
        | "as2_mime" => !name.chars().all(|c| c.is_ascii_hexdigit()),
        // The sandbox's refusals are kept as `…-refused`.
        "chongqing" => !name.chars().all(|c| c.is_ascii_hexdigit()) && !name.ends_with("-refused"),
        _ => false,
    }
}

#[test]
fn every_kept_input_of_every_target_returns_and_seeds_are_still_read() {
    let mut failures = Vec::new();
    let mut replayed = 0;
    for t in TARGETS {
        let seeds = files(&fuzz_dir().join("corpus").join(t.name));
        assert!(
            !seeds.is_empty(),
            "{}: no corpus in fuzz/corpus/{0}",
            t.name
        );
        let regressions = files(&fuzz_dir().join("regressions").join(t.name));
        let mut read = 0;
        for path in seeds.iter().chain(&regressions) {
            let data = std::fs::read(path).unwrap();
            let outcome = (t.run)(&data);
            replayed += 1;
            let name = path.file_name().unwrap().to_string_lossy();
            if outcome == Outcome::Read {
                read += 1;
            } else if seeds.contains(path) && must_read(t.name, &name) {
                failures.push(format!("{}: seed {name} is no longer read", t.name));
            }
        }
        assert!(read > 0, "{}: no input of the corpus is read", t.name);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{replayed} inputs replayed over {} targets", TARGETS.len());
}

/// Every target has its cargo-fuzz binary, and every binary is a target.
#[test]
fn every_target_has_its_cargo_fuzz_binary() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    let bins: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .filter(|n| *n != "sdk-fuzz-targets")
        .collect();
    let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
    assert_eq!(
        bins, names,
        "fuzz/Cargo.toml [[bin]] entries against sdk_fuzz::TARGETS"
    );
    for n in names {
        let source = std::fs::read_to_string(fuzz_dir().join(format!("fuzz_targets/{n}.rs")))
            .unwrap_or_else(|e| panic!("fuzz_targets/{n}.rs: {e}"));
        assert!(
            source.contains(&format!("sdk_fuzz::target(\"{n}\")")),
            "{n}.rs calls its own target"
        );
    }
}

/// The decoders reject what is not theirs: a control that the replay can fail.
#[test]
fn the_targets_refuse_garbage() {
    for t in TARGETS {
        assert_eq!((t.run)(b"\x00\x01<not xml"), Outcome::Refused, "{}", t.name);
    }
}
