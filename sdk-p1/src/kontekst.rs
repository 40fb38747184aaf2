//! The call context (`kontekstWywolania`): the SOAP header every e-Recepta request carries, naming
//! the entity, the user, the place of work and the user's business role.
//!
//! On the wire (namespace [`KONTEKST_NS`]) it is a list of attributes, each an
//! `urn:csioz:p1:erecepta:kontekst:…` name and its values; each identifier is two attributes, the
//! OID root and the OID extension:
//!
//! ```xml
//! <k:kontekstWywolania xmlns:k="http://csioz.gov.pl/p1/kontekst/mt/v20170510">
//!   <k:atrybut nazwa="urn:csioz:p1:erecepta:kontekst:idPodmiotuOidRoot"><k:wartosc>2.16.840.1.113883.3.4424.2.3.1</k:wartosc></k:atrybut>
//!   <k:atrybut nazwa="urn:csioz:p1:erecepta:kontekst:idPodmiotuOidExt"><k:wartosc>000000123456</k:wartosc></k:atrybut>
//!   …
//! </k:kontekstWywolania>
//! ```
//!
//! The published schema (`kontekst.xsd`, v20170510) makes every attribute optional and does not
//! say which ones each operation needs; that is in CeZ's integration documentation, which is not
//! public. Working clients send all four identifiers of a professional's call, and only the
//! entity with the role `SYSTEM_ZEWNETRZNY_PODMIOTU_LECZNICZEGO` for system calls of newer
//! services (../shared/facts/p1.md §3.2). [`KontekstWywolaniaBuilder::build`] therefore requires
//! only that each identifier has both halves and that no value is empty.
//!
//! The XSD documents the context as a WS-Security custom token: the request signer signs it with
//! the body, referencing it by `wsu:Id` ([`KontekstWywolaniaBuilder::wsu_id`]).

use std::fmt;

use sdk_runtime::xml::ElementName;

#[cfg(feature = "erecepta")]
mod wywolanie;
#[cfg(feature = "erecepta")]
pub use wywolanie::{KontekstWywolania, KontekstWywolaniaBuilder};

/// Namespace of the e-Recepta call context (v20170510); the one P1's signing profile names
/// ([`sdk_runtime::wssec::ns::P1_KONTEKST_NS`]).
pub const KONTEKST_NS: &str = sdk_runtime::wssec::ns::P1_KONTEKST_NS;

/// The header element `kontekstWywolania`.
pub const KONTEKST_WYWOLANIA: ElementName =
    ElementName::new(KONTEKST_NS, sdk_runtime::wssec::ns::P1_KONTEKST_LOCAL);

/// The attribute names of the e-Recepta call context: the enumeration `NazwaAtrybutuKontekstuMT`
/// of the published `kontekst.xsd` (v20170510), in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NazwaAtrybutuKontekstu {
    /// The entity (podmiot): OID root.
    IdPodmiotuOidRoot,
    /// The entity (podmiot): OID extension.
    IdPodmiotuOidExt,
    /// The user, i.e. the medical professional: OID root.
    IdUzytkownikaOidRoot,
    /// The user: OID extension.
    IdUzytkownikaOidExt,
    /// The place of work: OID root.
    IdMiejscaPracyOidRoot,
    /// The place of work: OID extension.
    IdMiejscaPracyOidExt,
    /// The user's business role ([`RolaBiznesowa`]).
    RolaBiznesowa,
}

impl NazwaAtrybutuKontekstu {
    /// Every name, in the order of the published enumeration.
    pub const ALL: [Self; 7] = [
        Self::IdPodmiotuOidRoot,
        Self::IdPodmiotuOidExt,
        Self::IdUzytkownikaOidRoot,
        Self::IdUzytkownikaOidExt,
        Self::IdMiejscaPracyOidRoot,
        Self::IdMiejscaPracyOidExt,
        Self::RolaBiznesowa,
    ];

    /// The URI sent as the attribute's `nazwa`.
    pub const fn uri(self) -> &'static str {
        match self {
            Self::IdPodmiotuOidRoot => "urn:csioz:p1:erecepta:kontekst:idPodmiotuOidRoot",
            Self::IdPodmiotuOidExt => "urn:csioz:p1:erecepta:kontekst:idPodmiotuOidExt",
            Self::IdUzytkownikaOidRoot => "urn:csioz:p1:erecepta:kontekst:idUzytkownikaOidRoot",
            Self::IdUzytkownikaOidExt => "urn:csioz:p1:erecepta:kontekst:idUzytkownikaOidExt",
            Self::IdMiejscaPracyOidRoot => "urn:csioz:p1:erecepta:kontekst:idMiejscaPracyOidRoot",
            Self::IdMiejscaPracyOidExt => "urn:csioz:p1:erecepta:kontekst:idMiejscaPracyOidExt",
            Self::RolaBiznesowa => "urn:csioz:p1:erecepta:kontekst:rolaBiznesowa",
        }
    }

    /// The name with this URI.
    pub fn from_uri(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.uri() == uri)
    }
}

impl fmt::Display for NazwaAtrybutuKontekstu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.uri())
    }
}

/// Business role of the user: the enumeration `RolaBiznesowaMT` of the published `kontekst.xsd`
/// (v20170510), and any other role by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RolaBiznesowa {
    /// `LEKARZ_LEK_DENTYSTA_FELCZER`: physician, dentist or feldsher.
    LekarzLekDentystaFelczer,
    /// `PIELEGNIARKA_POLOZNA`: nurse or midwife.
    PielegniarkaPolozna,
    /// `FARMACEUTA`: pharmacist.
    Farmaceuta,
    /// `TECHNIK_FARMACEUTYCZNY`: pharmacy technician.
    TechnikFarmaceutyczny,
    /// A role outside the published v20170510 list, sent as given: newer P1 services know more
    /// (e.g. `DIAGNOSTA_LABORATORYJNY`, `SYSTEM_ZEWNETRZNY_PODMIOTU_LECZNICZEGO`; see
    /// ../shared/facts/p1.md §3.2); whether e-Recepta accepts them is not known.
    Inna(String),
}

impl RolaBiznesowa {
    /// The roles of the published enumeration, in its order.
    pub const PUBLISHED: [Self; 4] = [
        Self::LekarzLekDentystaFelczer,
        Self::PielegniarkaPolozna,
        Self::Farmaceuta,
        Self::TechnikFarmaceutyczny,
    ];

    /// The value sent.
    pub fn as_str(&self) -> &str {
        match self {
            Self::LekarzLekDentystaFelczer => "LEKARZ_LEK_DENTYSTA_FELCZER",
            Self::PielegniarkaPolozna => "PIELEGNIARKA_POLOZNA",
            Self::Farmaceuta => "FARMACEUTA",
            Self::TechnikFarmaceutyczny => "TECHNIK_FARMACEUTYCZNY",
            Self::Inna(s) => s,
        }
    }

    /// The role with this value (a published one, or [`Inna`](Self::Inna)).
    pub fn from_value(value: &str) -> Self {
        Self::PUBLISHED
            .into_iter()
            .find(|r| r.as_str() == value)
            .unwrap_or_else(|| Self::Inna(value.to_owned()))
    }
}

impl fmt::Display for RolaBiznesowa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An identifier in an OID node, as the context carries it: `root` (the kind of identifier) and
/// `extension` (the value).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Oid {
    /// The OID node, e.g. [`OID_NPWZ`](crate::OID_NPWZ).
    pub root: String,
    /// The value within the node.
    pub extension: String,
}

impl Oid {
    /// An identifier.
    pub fn new(root: impl Into<String>, extension: impl Into<String>) -> Self {
        Self {
            root: root.into(),
            extension: extension.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for r in RolaBiznesowa::PUBLISHED {
            assert_eq!(RolaBiznesowa::from_value(r.as_str()), r);
        }
        assert_eq!(
            RolaBiznesowa::from_value("SYSTEM_ZEWNETRZNY_PODMIOTU_LECZNICZEGO"),
            RolaBiznesowa::Inna("SYSTEM_ZEWNETRZNY_PODMIOTU_LECZNICZEGO".to_owned())
        );
        for n in NazwaAtrybutuKontekstu::ALL {
            assert_eq!(NazwaAtrybutuKontekstu::from_uri(n.uri()), Some(n));
        }
    }
}
