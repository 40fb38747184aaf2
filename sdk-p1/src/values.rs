//! Hand-written value types the generated code uses for XSD built-ins (see `[types]` in
//! `wsdl/p1/codegen.toml`) and for identifiers with rules beyond the schema, all checked before
//! anything is sent.

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use sdk_runtime::redact::masked;
use sdk_runtime::wssec::keys::SigningIdentity;
use sdk_runtime::wssec::sign::{DocumentSignatureProfile, SignError, sign_enveloped_document_with};
use sdk_runtime::wssec::verify::{VerifiedDocument, Verifier, VerifyError};
use sdk_runtime::xml::{
    Base64Text, Validate, ValidationError, Validator, ValueError, ViolationKind, XmlText,
};
use time::Month;

#[cfg(feature = "erecepta")]
use crate::erecepta::types::{
    IdentyfikatorPracownikaMedycznegoOIDMT, IdentyfikatorUslugobiorcyOIDMT,
};

/// OID root of PESEL numbers (the `root` of a patient identifier holding a PESEL;
/// `wspolne.xsd`, ../shared/facts/p1.md §3.2).
pub const OID_PESEL: &str = "2.16.840.1.113883.3.4424.1.1.616";

/// OID root of NPWZ numbers (Numer Prawa Wykonywania Zawodu, the professional licence number) used
/// for medical professionals, e.g. as the user of the call context. Seen in a working public
/// client (../shared/facts/p1.md §3.2, source S3), not in the published schemas.
pub const OID_NPWZ: &str = "2.16.840.1.113883.3.4424.1.6.2";

/// The content of an `xs:base64Binary` element: a document (HL7 CDA prescription, dispensing or
/// cancellation, usually XAdES-signed). Written base64-encoded; read by checking the base64.
///
/// A document read from the wire keeps its base64 text and is decoded when its bytes are first
/// asked for ([`as_bytes`](Self::as_bytes)); one built from bytes keeps them and is encoded when
/// written, except a signed one ([`podpisz`](Self::podpisz)), which is encoded once when signed:
/// a prescription read from one answer and passed on, or signed and then sent (and sent again),
/// is copied into the message, not encoded again.
///
/// The documents hold the patient's name, PESEL, address and health data: `Debug` shows only
/// their length.
#[derive(Clone, Default)]
pub struct TrescDokumentu {
    /// The bytes, when known (built from them, or decoded on first use).
    bytes: OnceLock<Vec<u8>>,
    /// The base64 text, when known (read, or encoded when signed).
    text: Option<Base64Text>,
}

impl PartialEq for TrescDokumentu {
    /// The same document: the same bytes.
    fn eq(&self, other: &Self) -> bool {
        match (&self.text, &other.text) {
            (Some(a), Some(b)) if a == b => true,
            _ => self.as_bytes() == other.as_bytes(),
        }
    }
}

impl Eq for TrescDokumentu {}

impl TrescDokumentu {
    /// A document from its bytes (e.g. the signed CDA XML).
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            bytes: OnceLock::from(bytes.into()),
            text: None,
        }
    }

    /// A document from its bytes, with its base64 text made now (it is about to be sent).
    fn encoded(bytes: Vec<u8>) -> Self {
        Self {
            text: Some(Base64Text::encode(&bytes)),
            bytes: OnceLock::from(bytes),
        }
    }

    /// Signs a clinical document (an HL7 CDA prescription, `cda_xml`) as P1 wants it in
    /// `tresc`: a **XAdES-BES enveloped** signature made with the **professional's**
    /// certificate (../shared/facts/p1.md §2, "Document signature"; `zapisPakietuRecept` takes
    /// "electronically signed prescriptions in HL7 CDA", §5.2).
    ///
    /// The signature is appended as the last child of `ClinicalDocument` (where the Polish CDA
    /// extension `extPL:ClinicalDocument` allows one `ds:Signature`), signs the whole document
    /// (`Reference URI=""`, enveloped-signature and exclusive C14N transforms, SHA-256), the
    /// key's algorithm (RSA-SHA256 or ECDSA-SHA256), the certificate in `ds:KeyInfo`, and
    /// signed `xades:SignedProperties` with the signing time and the signing certificate chain
    /// (XAdES v1.3.2, the structure of the published sample `recepta.xml`):
    /// [`sign_enveloped_document_with`] with [`DocumentSignatureProfile::xades_bes`]. The
    /// result's bytes are the signed document; they are base64-encoded on the wire.
    ///
    /// **Which certificate.** `identity` is the prescriber's document-signing certificate — a
    /// *third* certificate, neither the entity's TLS one (`…-tls.p12`, the transport's) nor its
    /// WS-Security one (`…-wss.p12`, the request signer's): the document is signed by the
    /// physician or nurse who issues the prescription, the SOAP message by the entity's system.
    /// The published sample `recepta.xml` is signed by a certificate issued by
    /// `CN=CC P1 SubCA Podpis` (P1's integration environment), not by the WSS CA. Which other
    /// kinds of certificates P1 accepts for documents is not known from public sources.
    ///
    /// Fails when `cda_xml` is not well-formed XML (or has a DTD), is already signed
    /// ([`SignError::AlreadySigned`]), or the key cannot sign.
    ///
    /// ```no_run
    /// use sdk_p1::TrescDokumentu;
    /// use sdk_p1::wssec::SigningIdentity;
    ///
    /// # fn demo(cda: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
    /// // The prescriber's certificate, not the entity's …-wss.p12.
    /// let lekarz = SigningIdentity::from_pkcs12_file("lekarz.p12", &std::env::var("P12_PASSWORD")?)?;
    /// let tresc = TrescDokumentu::podpisz(&lekarz, cda)?;
    /// let recepta = sdk_p1::erecepta::types::ReceptaMT::new(1, tresc);
    /// # let _ = recepta; Ok(()) }
    /// ```
    pub fn podpisz(identity: &SigningIdentity, cda_xml: &[u8]) -> Result<Self, SignError> {
        sign_enveloped_document_with(identity, cda_xml, &DocumentSignatureProfile::xades_bes())
            .map(Self::encoded)
    }

    /// Verifies the document's enveloped signature with `verifier` (the document as it is,
    /// e.g. as read back from P1). For P1's prescriptions, use a verifier that requires
    /// XAdES-BES: [`p1_document_verifier`](crate::wssec::p1_document_verifier).
    pub fn sprawdz_podpis(&self, verifier: &Verifier) -> Result<VerifiedDocument, VerifyError> {
        verifier.verify_enveloped_document(self.as_bytes())
    }

    /// Checks base64 text (whitespace allowed, as in `xs:base64Binary`) and keeps it; its bytes
    /// are decoded when first asked for.
    pub fn from_base64(text: &str) -> Result<Self, ValueError> {
        Base64Text::parse(text).map(|text| Self {
            bytes: OnceLock::new(),
            text: Some(text),
        })
    }

    /// The bytes (decoded on first use when the document was read).
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get_or_init(|| {
            self.text
                .as_ref()
                .map(Base64Text::decode)
                .unwrap_or_default()
        })
    }

    /// The bytes, consuming `self`.
    pub fn into_bytes(self) -> Vec<u8> {
        let text = self.text;
        self.bytes
            .into_inner()
            .unwrap_or_else(|| text.as_ref().map(Base64Text::decode).unwrap_or_default())
    }

    /// The base64 form written on the wire.
    pub fn to_base64(&self) -> String {
        match &self.text {
            Some(t) => t.as_str().to_owned(),
            None => sdk_runtime::xml::base64_to_text(self.as_bytes()),
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        match (self.bytes.get(), &self.text) {
            (Some(b), _) => b.len(),
            (None, Some(t)) => t.decoded_len(),
            (None, None) => 0,
        }
    }

    /// `true` for an empty document.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for TrescDokumentu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrescDokumentu(<redacted>, {} bytes)", self.len())
    }
}

impl XmlText for TrescDokumentu {
    fn to_xml_text(&self) -> Cow<'_, str> {
        match &self.text {
            Some(t) => Cow::Borrowed(t.as_str()),
            None => Cow::Owned(self.to_base64()),
        }
    }

    fn write_xml_text(&self, w: &mut sdk_runtime::xml::XmlWriter) {
        match &self.text {
            Some(t) => w.base64_text(t),
            None => w.base64(self.as_bytes()),
        }
    }

    fn from_xml_text(text: &str) -> Result<Self, ValueError> {
        Self::from_base64(text)
    }
}

impl Validate for TrescDokumentu {
    /// Any bytes are a valid `xs:base64Binary` value.
    fn validate(&self, _v: &mut Validator) {}
}

#[cfg(feature = "serde")]
impl serde::Serialize for TrescDokumentu {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_base64())
    }
}

/// P1's `xs:dateTime` (`2026-05-10T12:30:00+02:00`; the time zone is optional, P1 applies
/// Polish time without one): the runtime's checked value, kept as written and compared as
/// instants.
pub type DataCzas = sdk_runtime::DateTime;

/// PESEL: the Polish personal identification number, 11 digits with a check digit and the date
/// of birth encoded in the first six (the month carries the century: +80 for the 1800s, +0 for
/// the 1900s, +20, +40, +60 for the 2000s, 2100s, 2200s).
///
/// Personal data: `Debug` and `Display` show only the last four digits.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Pesel(String);

impl Pesel {
    /// Parses and checks a PESEL.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let value = Self(text.trim().to_owned());
        value.validated()?;
        Ok(value)
    }

    /// A valid PESEL for a date of birth (years 1800–2299) and a serial number (0–9999; its
    /// last digit is even for women): test data and sandboxes, never a real person's number.
    /// `None` outside those ranges.
    pub fn fikcyjny(urodzony: time::Date, seria: u16) -> Option<Self> {
        let year = urodzony.year();
        let offset = match year {
            1800..=1899 => 80,
            1900..=1999 => 0,
            2000..=2099 => 20,
            2100..=2199 => 40,
            2200..=2299 => 60,
            _ => return None,
        };
        if seria > 9999 {
            return None;
        }
        let digits = format!(
            "{:02}{:02}{:02}{seria:04}",
            year % 100,
            u8::from(urodzony.month()) + offset,
            urodzony.day()
        );
        let sum: u32 = digits
            .bytes()
            .zip([1, 3, 7, 9, 1, 3, 7, 9, 1, 3])
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        Some(Self(format!("{digits}{}", (10 - sum % 10) % 10)))
    }

    /// The digits. Personal data: do not log.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with all but the last four digits masked (`*******5678`).
    pub fn masked(&self) -> String {
        masked(&self.0, 4)
    }

    /// The patient identifier for P1 messages: root [`OID_PESEL`], extension the PESEL.
    #[cfg(feature = "erecepta")]
    pub fn identyfikator_uslugobiorcy(&self) -> IdentyfikatorUslugobiorcyOIDMT {
        IdentyfikatorUslugobiorcyOIDMT::new(self.0.clone(), OID_PESEL.to_owned())
    }

    fn check(&self, v: &mut Validator) {
        let s = &self.0;
        if s.len() != 11 || !s.bytes().all(|b| b.is_ascii_digit()) {
            v.violation(ViolationKind::Format, "a PESEL has exactly 11 digits");
            return;
        }
        let d: Vec<u32> = s.bytes().map(|b| u32::from(b - b'0')).collect();
        let weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
        let sum: u32 = d.iter().zip(weights).map(|(x, w)| x * w).sum();
        let check = (10 - sum % 10) % 10;
        if d.get(10) != Some(&check) {
            v.violation(
                ViolationKind::CheckDigit,
                "the PESEL check digit does not match; check the digits",
            );
            return;
        }
        let two = |i: usize| d.get(i).zip(d.get(i + 1)).map_or(0, |(a, b)| a * 10 + b);
        let (yy, mm, dd) = (two(0), two(2), two(4));
        let (century, month) = match mm {
            81..=92 => (1800, mm - 80),
            1..=12 => (1900, mm),
            21..=32 => (2000, mm - 20),
            41..=52 => (2100, mm - 40),
            61..=72 => (2200, mm - 60),
            _ => (0, 0),
        };
        let valid_date = u8::try_from(month)
            .ok()
            .and_then(|m| Month::try_from(m).ok())
            .zip(u8::try_from(dd).ok())
            .and_then(|(m, day)| {
                let year = i32::try_from(century + yy).ok()?;
                time::Date::from_calendar_date(year, m, day).ok()
            })
            .is_some();
        if !valid_date {
            v.violation(
                ViolationKind::Format,
                "the first six digits of a PESEL must encode a date of birth",
            );
        }
    }
}

impl fmt::Debug for Pesel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pesel({})", self.masked())
    }
}

impl fmt::Display for Pesel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// The identifier of a medical professional by NPWZ: root [`OID_NPWZ`], extension the number.
#[cfg(feature = "erecepta")]
pub fn pracownik_npwz(npwz: &str) -> IdentyfikatorPracownikaMedycznegoOIDMT {
    IdentyfikatorPracownikaMedycznegoOIDMT::new(npwz.trim().to_owned(), OID_NPWZ.to_owned())
}

sdk_runtime::checked_text_type!(Pesel, "PESEL");

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::datetime;

    /// A document read from base64 (wrapped or not) is the same document as one built from its
    /// bytes; it is written back as its canonical text, its length known without decoding.
    #[test]
    fn a_read_document_is_kept_as_text_and_equals_its_bytes() {
        let bytes = b"<ClinicalDocument>P\xc5\x82ock</ClinicalDocument>".to_vec();
        let flat = sdk_runtime::xml::base64_to_text(&bytes);
        let wrapped = format!("{}\r\n  {}", &flat[..20], &flat[20..]);
        let read = TrescDokumentu::from_base64(&wrapped).unwrap();
        assert_eq!(read.len(), bytes.len());
        assert_eq!(read.to_xml_text(), flat);
        assert_eq!(read, TrescDokumentu::new(bytes.clone()));
        assert_eq!(read.as_bytes(), bytes.as_slice());
        assert_eq!(read.clone().into_bytes(), bytes);
        let mut w = sdk_runtime::xml::XmlWriter::new();
        w.start("", "tresc");
        read.write_xml_text(&mut w);
        w.end();
        assert_eq!(w.finish(), format!("<tresc>{flat}</tresc>"));
        assert!(TrescDokumentu::from_base64("not base64!").is_err());
        assert_eq!(
            format!("{read:?}"),
            format!("TrescDokumentu(<redacted>, {} bytes)", bytes.len())
        );
    }

    #[test]
    fn date_times_are_checked() {
        for ok in [
            "2026-05-10T12:30:00",
            "2026-05-10T12:30:00Z",
            "2026-05-10T12:30:00.123+02:00",
            "2024-02-29T00:00:00-14:00",
            "2026-12-31T24:00:00",
        ] {
            DataCzas::parse(ok).unwrap();
        }
        for bad in [
            "2026-05-10",
            "2026-02-30T12:00:00",
            "2026-05-10T25:00:00",
            "2026-05-10T12:30",
            "2026-05-10T12:30:00+15:00",
            "2026-5-10T12:30:00",
            "2026-05-10T12:30:00.+01:00",
            "",
        ] {
            let e = DataCzas::parse(bad).unwrap_err();
            assert!(e.to_string().contains("xs:dateTime"), "{bad}: {e}");
        }
        assert_eq!(
            DataCzas::from_offset(datetime!(2026-05-10 12:30:05.5 +02:00)).as_str(),
            "2026-05-10T12:30:05.5+02:00"
        );
        assert_eq!(
            DataCzas::from_offset(datetime!(2026-05-10 12:30:05 UTC)).as_str(),
            "2026-05-10T12:30:05Z"
        );
        assert_eq!(
            DataCzas::from_offset(datetime!(2026-05-10 12:30:05 -03:30)).as_str(),
            "2026-05-10T12:30:05-03:30"
        );
        assert_eq!(
            DataCzas::parse("2026-05-10T12:30:05-03:30")
                .unwrap()
                .to_offset_date_time(),
            Some(datetime!(2026-05-10 12:30:05 -03:30))
        );
        assert_eq!(
            DataCzas::parse("2026-12-31T24:00:00Z")
                .unwrap()
                .to_offset_date_time(),
            Some(datetime!(2027-01-01 00:00:00 UTC))
        );
        assert_eq!(
            DataCzas::parse("2026-05-10T12:30:05")
                .unwrap()
                .to_offset_date_time(),
            None
        );
    }

    #[test]
    fn documents_are_base64_on_the_wire_and_redacted() {
        let doc = TrescDokumentu::new(b"<ClinicalDocument/>".to_vec());
        assert_eq!(doc.to_xml_text(), "PENsaW5pY2FsRG9jdW1lbnQvPg==");
        let back = TrescDokumentu::from_xml_text("PENsaW5pY2Fs\n RG9jdW1lbnQvPg==").unwrap();
        assert_eq!(back, doc);
        assert!(TrescDokumentu::from_xml_text("not base64!").is_err());
        assert_eq!(format!("{doc:?}"), "TrescDokumentu(<redacted>, 19 bytes)");
    }

    #[test]
    fn fictitious_pesels_are_valid_in_every_century() {
        for (y, m, d) in [
            (1850, 1, 31),
            (1985, 3, 15),
            (2004, 12, 1),
            (2150, 6, 30),
            (2299, 2, 28),
        ] {
            let date =
                time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap();
            for seria in [0, 1234, 9999] {
                let p = Pesel::fikcyjny(date, seria).unwrap();
                assert!(
                    Pesel::parse(p.as_str()).is_ok(),
                    "{y}-{m}-{d} {seria}: {}",
                    p.as_str()
                );
            }
        }
        let date = time::Date::from_calendar_date(1799, time::Month::May, 1).unwrap();
        assert!(Pesel::fikcyjny(date, 1).is_none());
        assert!(Pesel::fikcyjny(time::Date::MIN, 1).is_none());
        let ok = time::Date::from_calendar_date(1990, time::Month::May, 1).unwrap();
        assert!(Pesel::fikcyjny(ok, 10_000).is_none());
    }

    #[test]
    fn pesel_check_digit_and_date() {
        // Check digits computed by the weights 1-3-7-9.
        for ok in ["44051401359", "02070803628", "00271012342"] {
            Pesel::parse(ok).unwrap();
        }
        let e = Pesel::parse("44051401358").unwrap_err();
        assert_eq!(e.violations[0].kind, ViolationKind::CheckDigit);
        let e = Pesel::parse("4405140135").unwrap_err();
        assert_eq!(e.violations[0].kind, ViolationKind::Format);
        // Month 13 does not exist (check digit right, date wrong).
        let e = Pesel::parse("44131401350").unwrap_err();
        assert!(e.to_string().contains("date of birth"), "{e}");
        let p = Pesel::parse("44051401359").unwrap();
        assert_eq!(format!("{p:?}"), "Pesel(*******1359)");
        let id = p.identyfikator_uslugobiorcy();
        assert_eq!(id.root, OID_PESEL);
        assert_eq!(id.extension, "44051401359");
    }
}
