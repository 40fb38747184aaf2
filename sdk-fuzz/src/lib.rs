//! The family's fuzz targets: every reader that takes bytes from outside (an answer, a file, a
//! signed message) as a function of `&[u8]` that must return, whatever the bytes, without a
//! panic, a hang or unbounded memory.
//!
//! The cargo-fuzz binaries in `fuzz/fuzz_targets/` call these functions under libFuzzer
//! (`cargo xtask fuzz --seconds N`); the corpora kept in `fuzz/corpus/<target>/` (seeded from the
//! sandboxes' real answers by `fuzz-seeds`, minimised) and every crash found
//! (`fuzz/regressions/<target>/`) are replayed through the same functions by this crate's tests
//! on stable, so a fixed crash stays fixed.
//!
//! Each target returns what the reader made of the input in a few words (`"ok"`, `"error"`),
//! which the replay test uses to check that seeds still reach the reader's success path.

pub mod answers;
pub mod as2;
pub mod chongqing;
pub mod files;
pub mod markup;

/// A fuzz target: a name (its folder under `fuzz/corpus/` and its binary in `fuzz/`) and the
/// function libFuzzer drives.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The target's name.
    pub name: &'static str,
    /// What it reads.
    pub what: &'static str,
    /// The function: must return for any input.
    pub run: fn(&[u8]) -> Outcome,
}

/// What a target's reader made of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The input was read (a document, an output, a verified signature).
    Read,
    /// The input was refused with a typed error.
    Refused,
}

impl Outcome {
    /// `Read` for `Ok`, `Refused` for `Err`.
    pub fn of<T, E>(r: &Result<T, E>) -> Self {
        if r.is_ok() { Self::Read } else { Self::Refused }
    }
}

/// Every fuzz target.
pub const TARGETS: &[Target] = &[
    Target {
        name: "xml_document",
        what: "the XML readers (arena document and tree) and everything read off the document",
        run: markup::xml_document,
    },
    Target {
        name: "xml_records",
        what: "the streaming record reader (CeR's visit list, a generated `*_records`)",
        run: markup::xml_records,
    },
    Target {
        name: "soap_envelope",
        what: "SOAP envelopes and faults (1.1 and 1.2)",
        run: markup::soap_envelope,
    },
    Target {
        name: "c14n",
        what: "the WS-Security document reader and exclusive and inclusive C14N",
        run: markup::c14n,
    },
    Target {
        name: "wssec_verify",
        what: "WS-Security verification of signed envelopes and enveloped-signature documents",
        run: markup::wssec_verify,
    },
    Target {
        name: "answers_vzp",
        what: "every generated answer decoder of sdk-vzp",
        run: answers::vzp,
    },
    Target {
        name: "answers_p1",
        what: "every generated answer decoder of sdk-p1 (e-Recepta, CeR)",
        run: answers::p1,
    },
    Target {
        name: "answers_sukl",
        what: "every generated answer decoder of sdk-sukl (eRecept SOAP, LEK-13 and code-list REST/JSON)",
        run: answers::sukl,
    },
    Target {
        name: "answers_vecozo",
        what: "every generated answer decoder of sdk-vecozo (COV SOAP, VSP-Koppeling REST/JSON)",
        run: answers::vecozo,
    },
    Target {
        name: "tabular_dlp",
        what: "SÚKL's DLP open-data CSV files, every layout through its typed reader",
        run: files::tabular_dlp,
    },
    Target {
        name: "cer_csv",
        what: "CeR's initial-load CSV through the streaming validator",
        run: files::cer_csv,
    },
    Target {
        name: "vzp_files",
        what: "the XML files VZP delivers (registered insured, insurance histories, employees), read streaming, and its VZPkontrol protocols",
        run: files::vzp_files,
    },
    Target {
        name: "as2_mime",
        what: "AS2 on receipt: the MIME of a request, a message opened and a receipt (MDN) read",
        run: as2::as2_mime,
    },
    Target {
        name: "chongqing",
        what: "Chongqing's 金保 answers (GBK, `|`-separated) into every transaction's response",
        run: chongqing::chongqing,
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}
