//! VZP's asynchronous services over AS2 (feature `as2`): filings such as dávky (batches of
//! provided care, "Převzetí dávek zdravotní péče") sent signed and encrypted, acknowledged by a
//! receipt (MDN), and answered later by VZP opening a connection to the vendor's AS2 endpoint
//! with the protocol of its syntax check (VZPkontrol).
//!
//! **Provenance: reconstructed.** VZP's AS2 parameters (identifiers, algorithms, the receipt's
//! mode, the payload's packaging, how answers are correlated with filings) and the protocol's
//! format are not public (`../shared/facts/vzp.md` §3, §8). What is here follows RFC 4130 with the
//! usual choices, every one a setting of [`Partner`]; the protocol is
//! read from our reconstructed description `wsdl/vzp/soubory/VZPkontrolProtokol.xsd`, leniently.
//! Before the first filing, switch the account to AS2 with `NastaveniB2BUctu2`
//! ([`Client::nastaveni_komunikace`](crate::Client::nastaveni_komunikace)).

use sdk_runtime::as2::message::{self, Outgoing, Received};
use sdk_runtime::as2::{As2Error, LocalParty, Partner};
use sdk_runtime::xml::{Diagnostic, ElementName, ReadContext, XmlRead};

pub use crate::generated::soubor_vzpkontrol::types::{
    Chyba, Davka, Protokol, StavDavky, Zavaznost,
};

/// The media type of a filed batch file (its format is VZP's datové rozhraní, sent as is).
pub const DAVKA_CONTENT_TYPE: &str = "application/octet-stream";
/// The media type of a protocol.
pub const PROTOKOL_CONTENT_TYPE: &str = "application/xml";
/// The namespace of the (reconstructed) protocol.
pub const PROTOKOL_NS: &str = "urn:x-b2b-sdk:vzp:vzpkontrol-protokol";
/// The largest batch file filed (bytes): a larger one is refused before anything is built.
pub const MAX_DAVKA_BYTES: usize = 256 << 20;

/// Why a filing could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PodaniError {
    /// The file is empty, too large, or its name unusable.
    #[error("the batch file cannot be filed: {0}")]
    Soubor(String),
    /// AS2 could not pack it.
    #[error(transparent)]
    As2(#[from] As2Error),
}

/// The asynchronous service a filing is for (VZP's list, seed 000). How VZP tells them apart
/// on AS2 is not public: the SDK names the service in the message's `Subject` (reconstructed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Sluzba {
    /// Převzetí dávek zdravotní péče (batches of provided care).
    PrevzetiDavek,
    /// Faktura za dávky (an invoice for batches).
    FakturaZaDavky,
    /// Faktura za období (an invoice for a period).
    FakturaZaObdobi,
    /// Průběh pojištění podle čísel pojištěnců v souboru (a list of numbers asked about).
    PrubehPojisteniSoubor,
}

impl Sluzba {
    /// The service's name as the `Subject` carries it (ASCII: HTTP header values are).
    pub fn nazev(self) -> &'static str {
        match self {
            Self::PrevzetiDavek => "Prevzeti davek zdravotni pece",
            Self::FakturaZaDavky => "Faktura za davky",
            Self::FakturaZaObdobi => "Faktura za obdobi",
            Self::PrubehPojisteniSoubor => "Prubeh pojisteni podle cisel pojistencu v souboru",
        }
    }
}

/// Packs the batch file `davka` (named `file_name`, e.g. `KDAVKA.001`) for VZP: signed with
/// `local`'s key and encrypted for VZP's certificate as `vzp` says. Send it with
/// [`sdk_runtime::as2::store::send_kept`] (kept until VZP's receipt confirms it) or
/// [`sdk_runtime::as2::exchange::send`].
pub fn davka(
    davka: &[u8],
    file_name: &str,
    local: &LocalParty,
    vzp: &Partner,
) -> Result<Outgoing, PodaniError> {
    soubor(Sluzba::PrevzetiDavek, davka, file_name, local, vzp)
}

/// Packs a file for one of VZP's asynchronous services (an invoice, a list of numbers …), as
/// [`davka`] does a batch file.
pub fn soubor(
    sluzba: Sluzba,
    davka: &[u8],
    file_name: &str,
    local: &LocalParty,
    vzp: &Partner,
) -> Result<Outgoing, PodaniError> {
    if davka.is_empty() {
        return Err(PodaniError::Soubor("the file is empty".into()));
    }
    if davka.len() > MAX_DAVKA_BYTES {
        return Err(PodaniError::Soubor(format!(
            "{} bytes; at most {MAX_DAVKA_BYTES}",
            davka.len()
        )));
    }
    let name_ok = !file_name.is_empty()
        && file_name.len() <= 128
        && file_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !name_ok {
        return Err(PodaniError::Soubor(format!(
            "the file name `{file_name}` must be 1-128 letters, digits, '.', '_' or '-'"
        )));
    }
    let mut to = vzp.clone();
    to.subject = sluzba.nazev().to_owned();
    Ok(message::build(
        davka,
        DAVKA_CONTENT_TYPE,
        Some(file_name),
        local,
        &to,
    )?)
}

/// A protocol read: its typed content and the deviations from our description.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PrectenyProtokol {
    /// The protocol.
    pub protokol: Protokol,
    /// Where it differs from the reconstructed description (read anyway).
    pub diagnostics: Vec<Diagnostic>,
}

impl PrectenyProtokol {
    /// Every batch was accepted (with or without warnings).
    pub fn prijato(&self) -> bool {
        !self.protokol.davka.is_empty()
            && self.protokol.davka.iter().all(|d| {
                matches!(
                    d.stav,
                    Some(StavDavky::Prijata | StavDavky::PrijataSVarovanim)
                )
            })
    }
}

/// Reads a VZPkontrol protocol (the payload of VZP's answer to a filing).
pub fn protokol(bytes: &[u8]) -> Result<PrectenyProtokol, sdk_runtime::xml::DecodeError> {
    let mut cx = ReadContext::new();
    let doc = sdk_runtime::xml::Document::parse(bytes).map_err(|e| {
        cx.error(
            sdk_runtime::xml::DecodeErrorKind::Malformed,
            format!("the protocol is not XML: {e}"),
        )
    })?;
    let root = doc.root();
    let expected = ElementName::new(PROTOKOL_NS, "protokol");
    cx.enter(root);
    if root.local_name() != expected.local {
        return Err(cx.error(
            sdk_runtime::xml::DecodeErrorKind::Missing,
            format!(
                "the protocol's root is `{}`, not `protokol`",
                root.local_name()
            ),
        ));
    }
    let protokol = Protokol::read_xml(root, &mut cx)?;
    Ok(PrectenyProtokol {
        protokol,
        diagnostics: cx.into_diagnostics(),
    })
}

/// Whether a received AS2 message is a protocol (by its media type and root element).
pub fn je_protokol(received: &Received) -> bool {
    received.content_type.contains("xml")
        && sdk_runtime::xml::Document::parse(&received.payload)
            .is_ok_and(|d| d.root().local_name() == "protokol")
}
