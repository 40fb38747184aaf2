//! The e-Recepta call context (`kontekstWywolania`, v20170510), checked and built.

use sdk_runtime::xml::{Validate, ValidationError, Validator, ViolationKind, XmlWrite, XmlWriter};

use super::{NazwaAtrybutuKontekstu, Oid, RolaBiznesowa};
use crate::erecepta::types::{AtrybutMT, KontekstMT, WartoscAtrybutuMT};

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

    fn namespaces(&self) -> Option<(&'static sdk_runtime::xml::NsTable, u64)> {
        self.0.namespaces()
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
}
