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

use sdk_runtime::xml::{
    ElementName, Validate, ValidationError, Validator, ViolationKind, XmlWrite, XmlWriter,
};

use crate::erecepta::types::{AtrybutMT, KontekstMT, WartoscAtrybutuMT};

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

/// A checked call context, ready to be sent as the `kontekstWywolania` header. Built with
/// [`KontekstWywolania::builder`]; one per user and place of work, reusable for any number of
/// calls.
///
/// ```
/// use sdk_p1::{KontekstWywolania, Oid, RolaBiznesowa, OID_NPWZ};
///
/// let kontekst = KontekstWywolania::builder()
///     .id_podmiotu(Oid::new("2.16.840.1.113883.3.4424.2.3.1", "000000123456"))
///     .id_uzytkownika(Oid::new(OID_NPWZ, "1234567"))
///     .id_miejsca_pracy(Oid::new("2.16.840.1.113883.3.4424.2.3.3", "01"))
///     .rola_biznesowa(RolaBiznesowa::LekarzLekDentystaFelczer)
///     .build()?;
/// assert_eq!(kontekst.header().atrybut.len(), 7);
/// # Ok::<(), sdk_runtime::xml::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct KontekstWywolania(KontekstMT);

impl KontekstWywolania {
    /// A builder.
    pub fn builder() -> KontekstWywolaniaBuilder {
        KontekstWywolaniaBuilder::default()
    }

    /// A context from the generated type as is (e.g. read from a message, or with attributes of
    /// another dialect); it is validated against the schema when sent.
    pub fn from_header(header: KontekstMT) -> Self {
        Self(header)
    }

    /// The header as sent.
    pub fn header(&self) -> &KontekstMT {
        &self.0
    }

    /// The values of one attribute.
    pub fn values(&self, nazwa: NazwaAtrybutuKontekstu) -> Vec<&str> {
        self.0
            .atrybut
            .iter()
            .filter(|a| a.nazwa.as_deref() == Some(nazwa.uri()))
            .flat_map(|a| a.wartosc.iter().map(|w| w.get().as_str()))
            .collect()
    }
}

impl XmlWrite for KontekstWywolania {
    fn write_xml(&self, w: &mut XmlWriter) {
        self.0.write_xml(w);
    }
}

impl Validate for KontekstWywolania {
    fn validate(&self, v: &mut Validator) {
        v.field("kontekstWywolania", |v| self.0.validate(v));
    }
}

/// Builds a [`KontekstWywolania`].
#[derive(Debug, Clone, Default)]
pub struct KontekstWywolaniaBuilder {
    podmiot: Option<Oid>,
    uzytkownik: Option<Oid>,
    miejsce_pracy: Option<Oid>,
    rola: Option<RolaBiznesowa>,
    wsu_id: Option<String>,
}

impl KontekstWywolaniaBuilder {
    /// The entity (podmiot) calling: `idPodmiotuOidRoot` / `idPodmiotuOidExt`.
    pub fn id_podmiotu(mut self, id: Oid) -> Self {
        self.podmiot = Some(id);
        self
    }

    /// The user, i.e. the medical professional: `idUzytkownikaOidRoot` / `idUzytkownikaOidExt`
    /// (e.g. root [`OID_NPWZ`](crate::OID_NPWZ) and the licence number).
    pub fn id_uzytkownika(mut self, id: Oid) -> Self {
        self.uzytkownik = Some(id);
        self
    }

    /// The place of work: `idMiejscaPracyOidRoot` / `idMiejscaPracyOidExt`.
    pub fn id_miejsca_pracy(mut self, id: Oid) -> Self {
        self.miejsce_pracy = Some(id);
        self
    }

    /// The user's business role: `rolaBiznesowa`.
    pub fn rola_biznesowa(mut self, rola: RolaBiznesowa) -> Self {
        self.rola = Some(rola);
        self
    }

    /// `wsu:Id` of the header, for a WS-Security signature that references it (`#id`). Must be
    /// an XML name (`xs:ID`) unique in the envelope.
    pub fn wsu_id(mut self, id: impl Into<String>) -> Self {
        self.wsu_id = Some(id.into());
        self
    }

    /// Checks the values and builds the context: identifiers with a non-empty root and
    /// extension, a non-empty role, a `wsu:Id` that is an XML name, at least one attribute.
    pub fn build(self) -> Result<KontekstWywolania, ValidationError> {
        use NazwaAtrybutuKontekstu as N;
        let mut v = Validator::new();
        let mut header = KontekstMT::new();
        let mut push = |v: &mut Validator, nazwa: N, value: &str| {
            let mut atrybut = AtrybutMT::new();
            atrybut.nazwa = Some(nazwa.uri().to_owned());
            match WartoscAtrybutuMT::new(value.to_owned()) {
                Ok(w) if !value.trim().is_empty() => atrybut.wartosc.push(w),
                _ => v.field(nazwa.uri(), |v| {
                    v.violation(ViolationKind::Required, "must not be empty");
                }),
            }
            header.atrybut.push(atrybut);
        };
        let ids = [
            (self.podmiot, N::IdPodmiotuOidRoot, N::IdPodmiotuOidExt),
            (
                self.uzytkownik,
                N::IdUzytkownikaOidRoot,
                N::IdUzytkownikaOidExt,
            ),
            (
                self.miejsce_pracy,
                N::IdMiejscaPracyOidRoot,
                N::IdMiejscaPracyOidExt,
            ),
        ];
        for (id, root, ext) in ids {
            if let Some(id) = id {
                push(&mut v, root, &id.root);
                push(&mut v, ext, &id.extension);
            }
        }
        if let Some(rola) = &self.rola {
            push(&mut v, N::RolaBiznesowa, rola.as_str());
        }
        if header.atrybut.is_empty() {
            v.violation(
                ViolationKind::Required,
                "the call context needs at least the entity (id_podmiotu)",
            );
        }
        if let Some(id) = &self.wsu_id {
            v.field("wsu:Id", |v| {
                if !is_ncname(id) {
                    v.violation(
                        ViolationKind::Format,
                        "must be an XML name (letters, digits, '.', '-', '_'; not starting with a digit)",
                    );
                }
            });
            header.id = Some(id.clone());
        }
        v.finish()?;
        Ok(KontekstWywolania(header))
    }
}

/// `xs:NCName` as far as ASCII goes, plus any non-ASCII letter.
fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_alphabetic() || first == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::OID_NPWZ;

    fn full() -> KontekstWywolaniaBuilder {
        KontekstWywolania::builder()
            .id_podmiotu(Oid::new("2.16.840.1.113883.3.4424.2.3.1", "000000123456"))
            .id_uzytkownika(Oid::new(OID_NPWZ, "1234567"))
            .id_miejsca_pracy(Oid::new("2.16.840.1.113883.3.4424.2.3.3", "01"))
            .rola_biznesowa(RolaBiznesowa::LekarzLekDentystaFelczer)
    }

    #[test]
    fn builds_the_attributes_in_the_published_order() {
        let k = full().wsu_id("kontekst-1").build().unwrap();
        let names: Vec<_> = k
            .header()
            .atrybut
            .iter()
            .map(|a| a.nazwa.clone().unwrap())
            .collect();
        let expected: Vec<_> = NazwaAtrybutuKontekstu::ALL
            .iter()
            .map(|n| n.uri().to_owned())
            .collect();
        assert_eq!(names, expected);
        assert_eq!(
            k.values(NazwaAtrybutuKontekstu::IdUzytkownikaOidExt),
            ["1234567"]
        );
        assert_eq!(
            k.values(NazwaAtrybutuKontekstu::RolaBiznesowa),
            ["LEKARZ_LEK_DENTYSTA_FELCZER"]
        );
        assert_eq!(k.header().id.as_deref(), Some("kontekst-1"));
    }

    #[test]
    fn empty_values_and_bad_ids_are_refused() {
        let e = full()
            .id_uzytkownika(Oid::new(OID_NPWZ, " "))
            .build()
            .unwrap_err();
        assert!(
            e.concerns("urn:csioz:p1:erecepta:kontekst:idUzytkownikaOidExt"),
            "{e}"
        );
        let e = full().wsu_id("1abc").build().unwrap_err();
        assert!(e.concerns("wsu:Id"), "{e}");
        let e = KontekstWywolania::builder().build().unwrap_err();
        assert_eq!(e.violations[0].kind, ViolationKind::Required);
    }

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
