//! The sandbox's HTTP side: a request checked in P1's order (path and SOAPAction, WS-Security,
//! the call context, the request element read strictly), handed to the operation, answered
//! with the output or with CeR's `bledyOperacji` fault.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use sdk_runtime::sandbox::{Handler, SandboxRequest, SandboxResponse};
use sdk_runtime::soap::{Envelope, OperationSpec, SOAP11_NS, SoapVersion, write_fault_detail};
use sdk_runtime::wssec::verify::{VerifyCheck, VerifyError};
use sdk_runtime::xml::{ElementName, ReadContext, Validate, XmlRead, XmlWrite, XmlWriter};

use crate::BLEDY_OPERACJI_CER;
use crate::cer::operation as op;
use crate::cer::types::{BledyOperacji, KontekstMT};
use crate::cer::{CER_PATH, KONTEKST_CER, OPERATIONS};
use crate::wyjatki::types::{BladMT, KodBleduMajorMT, KodBleduMinorMT};

use super::Stan;
use super::dane::{Dane, Kontekst};
use super::powiadomienia;

/// The newer P1 prefix of `kodBleduMajor`.
const MAJOR: &str = "urn:csioz:p1:kodBleduMajor:";
/// The newer P1 prefix of `kodBleduMinor`.
const MINOR: &str = "urn:csioz:p1:kodBleduMinor:";
/// The prefix of the `v20180509` context's attribute names.
const KONTEKST: &str = "urn:csioz:p1:kontekst:";
/// The attribute names the sandbox knows (without [`KONTEKST`]).
const ATRYBUTY: &[&str] = &[
    "idPodmiotuOidRoot",
    "idPodmiotuOidExt",
    "idMiejscaPracyOidRoot",
    "idMiejscaPracyOidExt",
    "idUzytkownikaOidRoot",
    "idUzytkownikaOidExt",
    "rolaBiznesowa",
];

/// The operations after which the waiting room is served (they change state).
const ZMIENIAJACE: &[&str] = &[
    "utworzHarmonogram",
    "zmienHarmonogram",
    "aktywujMus",
    "zapiszNaWizyte",
    "zmienWizyte",
    "odwolajWizyte",
    "zapiszRealizacjeWizyty",
    "zapiszDoPoczekalni",
    "usunZPoczekalni",
    "zasilenieInicjalne",
];

/// The sandbox's request handler.
pub(super) struct Obsluga {
    pub(super) stan: Arc<Stan>,
}

impl Handler for Obsluga {
    fn handle(
        &self,
        request: SandboxRequest,
    ) -> Pin<Box<dyn Future<Output = SandboxResponse> + Send + '_>> {
        Box::pin(async move {
            self.stan.zapytania.fetch_add(1, Ordering::SeqCst);
            let odpowiedz = odpowiedz(&self.stan, &request);
            // Notifications the call caused are delivered before it is answered.
            powiadomienia::wyslij_oczekujace(&self.stan).await;
            odpowiedz
        })
    }
}

/// Why a request is refused: the content of the `bledyOperacji` fault.
#[derive(Debug)]
pub(super) struct Odmowa {
    /// After [`MAJOR`].
    major: &'static str,
    /// After [`MINOR`].
    minor: Option<&'static str>,
    opis: String,
}

impl Odmowa {
    fn new(major: &'static str, minor: Option<&'static str>, opis: impl Into<String>) -> Self {
        Self {
            major,
            minor,
            opis: opis.into(),
        }
    }

    /// `niepoprawnyKomunikat`.
    pub(super) fn komunikat(opis: impl Into<String>) -> Self {
        Self::new("niepoprawnyKomunikat", None, opis)
    }

    /// `niepoprawnyKomunikat` / `bladKontekstu`.
    fn kontekst(opis: impl Into<String>) -> Self {
        Self::new("niepoprawnyKomunikat", Some("bladKontekstu"), opis)
    }

    /// `bladAutoryzacji` / `brakUprawnienPodmiotu`.
    pub(super) fn autoryzacja(opis: impl Into<String>) -> Self {
        Self::new("bladAutoryzacji", Some("brakUprawnienPodmiotu"), opis)
    }

    /// `bladWewnetrzny`.
    pub(super) fn wewnetrzny(opis: impl Into<String>) -> Self {
        Self::new("bladWewnetrzny", None, opis)
    }

    pub(super) fn opis(&self) -> &str {
        &self.opis
    }

    fn response(&self) -> SandboxResponse {
        let mut blad = BladMT::new(KodBleduMajorMT::from(
            format!("{MAJOR}{}", self.major).as_str(),
        ));
        blad.kod_bledu_minor = self
            .minor
            .map(|m| KodBleduMinorMT::from(format!("{MINOR}{m}").as_str()));
        blad.opis = Some(self.opis.clone());
        // The caller's fault (SOAP `Client`) unless the sandbox failed itself.
        let klienta = self.major != "bladWewnetrzny";
        let body = write_fault_detail(
            SoapVersion::V11,
            klienta,
            &self.opis,
            BLEDY_OPERACJI_CER,
            &BledyOperacji::new(blad),
        );
        SandboxResponse::new(500, "text/xml; charset=utf-8", body)
    }
}

fn odpowiedz(stan: &Stan, request: &SandboxRequest) -> SandboxResponse {
    if request.path != CER_PATH {
        return SandboxResponse::new(404, "text/plain; charset=utf-8", "not found");
    }
    if request.method != "POST" {
        return SandboxResponse::new(405, "text/plain; charset=utf-8", "method not allowed")
            .with_header("Allow", "POST");
    }
    match obsluz(stan, request) {
        Ok(body) => SandboxResponse::new(200, "text/xml; charset=utf-8", body),
        Err(odmowa) => odmowa.response(),
    }
}

/// Steps 2-6 of the module documentation.
fn obsluz(stan: &Stan, request: &SandboxRequest) -> Result<String, Odmowa> {
    let action = request
        .header("SOAPAction")
        .unwrap_or_default()
        .trim()
        .trim_matches('"');
    let Some(spec) = OPERATIONS.iter().find(|s| s.action == Some(action)) else {
        return Err(Odmowa::komunikat(format!(
            "SOAPAction `{action}` names no CeR operation (expected \"urn:<operation>\")"
        )));
    };
    let env = Envelope::parse(&request.body)
        .map_err(|e| Odmowa::komunikat(format!("not a SOAP envelope: {e}")))?;
    if env.version != SoapVersion::V11 {
        return Err(Odmowa::komunikat("CeR speaks SOAP 1.1"));
    }
    stan.weryfikator
        .verify_envelope(&request.body)
        .map_err(|e| odmowa_wss(&e))?;
    let kontekst = sprawdz_kontekst(&env)?;
    let mut dane = stan.dane();
    let dane: &mut Dane = &mut dane;
    macro_rules! dispatch {
        ($($op:ident => $f:ident,)*) => {
            $(
                if spec.name == op::$op::SPEC.name {
                    let input: op::$op::Input = decode(&env, &op::$op::SPEC)?;
                    let output = dane.$f(&kontekst, &input)?;
                    if ZMIENIAJACE.contains(&spec.name) {
                        obsluz_poczekalnie(dane)?;
                    }
                    return Ok(encode(&op::$op::SPEC, &output));
                }
            )*
        };
    }
    dispatch! {
        utworz_harmonogram => utworz_harmonogram,
        zmien_harmonogram => zmien_harmonogram,
        pobierz_liste_harmonogramow => pobierz_liste_harmonogramow,
        aktywuj_mus => aktywuj_mus,
        zapisz_na_wizyte => zapisz_na_wizyte,
        zmien_wizyte => zmien_wizyte,
        odwolaj_wizyte => odwolaj_wizyte,
        zapisz_realizacje_wizyty => zapisz_realizacje_wizyty,
        pobierz_liste_wizyt_sync => pobierz_liste_wizyt_sync,
        zapisz_do_poczekalni => zapisz_do_poczekalni,
        usun_z_poczekalni => usun_z_poczekalni,
        pobierz_status_skierowania => pobierz_status_skierowania,
        zasilenie_inicjalne => zasilenie_inicjalne,
        pobierz_wynik_zasilenia => pobierz_wynik_zasilenia,
    }
    Err(Odmowa::wewnetrzny(format!(
        "the sandbox does not offer {}",
        spec.name
    )))
}

fn obsluz_poczekalnie(dane: &mut Dane) -> Result<(), Odmowa> {
    match dane.obsluz_poczekalnie() {
        Ok(_) => Ok(()),
        Err(super::dane::Blad::Odmowa(o)) => Err(o),
        Err(super::dane::Blad::Odrzucenie(o)) => Err(Odmowa::wewnetrzny(o.to_string())),
    }
}

/// The fault for a signature the verifier refused, by the check that failed, an unsigned
/// message apart (the table in the module documentation).
fn odmowa_wss(e: &VerifyError) -> Odmowa {
    let (major, minor) = match (e, e.check()) {
        (
            VerifyError::NoSecurityHeader { .. }
            | VerifyError::NoSignature { .. }
            | VerifyError::KeyNotFound { .. },
            _,
        ) => ("bladUwierzytelnieniaWSS", Some("brakCertyfikatu")),
        (_, VerifyCheck::Certificate) => ("bladUwierzytelnieniaWSS", Some("certyfikatNiewazny")),
        (_, VerifyCheck::Timestamp) => ("bladUwierzytelnieniaWSS", None),
        _ => ("bladPodpisuKomunikatuWSS", None),
    };
    Odmowa::new(major, minor, format!("WS-Security: {e}"))
}

/// Step 4: the `v20180509` call context.
fn sprawdz_kontekst(env: &Envelope) -> Result<Kontekst, Odmowa> {
    let element = env
        .header()
        .and_then(|h| h.child(KONTEKST_CER.ns, KONTEKST_CER.local))
        .ok_or_else(|| Odmowa::kontekst("the kontekstWywolania header (v20180509) is missing"))?;
    let mut cx = ReadContext::new();
    let header: KontekstMT = cx
        .complex_value(element)
        .map_err(|e| Odmowa::kontekst(format!("kontekstWywolania: {e}")))?;
    if let Some(d) = cx.diagnostics().first() {
        return Err(Odmowa::kontekst(format!("kontekstWywolania: {d}")));
    }
    let mut wartosci: HashMap<&str, Vec<&str>> = HashMap::new();
    for a in &header.atrybut {
        let nazwa = a.nazwa.as_deref().unwrap_or_default();
        let Some(krotka) = nazwa
            .strip_prefix(KONTEKST)
            .filter(|n| ATRYBUTY.contains(n))
        else {
            let dialekt = if nazwa.starts_with("urn:csioz:p1:erecepta:kontekst:") {
                " (that is e-Recepta's older dialect; CeR takes urn:csioz:p1:kontekst:…)"
            } else {
                ""
            };
            return Err(Odmowa::kontekst(format!(
                "unknown context attribute `{nazwa}`{dialekt}"
            )));
        };
        wartosci
            .entry(krotka)
            .or_default()
            .extend(a.wartosc.iter().map(|w| w.get().as_str()));
    }
    let jedna = |nazwa: &str| -> Result<String, Odmowa> {
        match wartosci.get(nazwa).map(Vec::as_slice) {
            Some([v]) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
            None | Some([]) => Err(Odmowa::kontekst(format!("{KONTEKST}{nazwa} is missing"))),
            Some([_]) => Err(Odmowa::kontekst(format!("{KONTEKST}{nazwa} is empty"))),
            Some(_) => Err(Odmowa::kontekst(format!(
                "{KONTEKST}{nazwa} must have exactly one value"
            ))),
        }
    };
    let podmiot = (jedna("idPodmiotuOidRoot")?, jedna("idPodmiotuOidExt")?);
    for id in ["idMiejscaPracy", "idUzytkownika"] {
        let (root, ext) = (format!("{id}OidRoot"), format!("{id}OidExt"));
        match (
            wartosci.contains_key(root.as_str()),
            wartosci.contains_key(ext.as_str()),
        ) {
            (false, false) => {}
            (true, true) => {
                jedna(&root)?;
                jedna(&ext)?;
            }
            _ => {
                return Err(Odmowa::kontekst(format!(
                    "{id} needs both its OID root and extension"
                )));
            }
        }
    }
    if wartosci.contains_key("rolaBiznesowa") {
        jedna("rolaBiznesowa")?;
    }
    Ok(Kontekst { podmiot })
}

/// Step 5: the request element, read strictly.
fn decode<T: XmlRead + Validate>(env: &Envelope, spec: &OperationSpec) -> Result<T, Odmowa> {
    let expected: ElementName = spec.input;
    let mut body = env.body().child_elements();
    match (body.next(), body.next()) {
        (Some(e), None) if e.is(expected.ns, expected.local) => {}
        _ => {
            return Err(Odmowa::komunikat(format!(
                "the body must hold exactly `{}`",
                expected.local
            )));
        }
    }
    let mut cx = ReadContext::new();
    let input: T = env
        .read_body(expected, &mut cx)
        .map_err(|e| Odmowa::komunikat(format!("invalid request: {e}")))?;
    if let Some(d) = cx.diagnostics().first() {
        return Err(Odmowa::komunikat(format!("invalid request: {d}")));
    }
    input
        .validated()
        .map_err(|e| Odmowa::komunikat(format!("invalid request: {e}")))?;
    Ok(input)
}

/// Writes an answer as P1's service stack does: `soapenv:` envelope, `ns2:` payload.
fn encode<T: XmlWrite>(spec: &OperationSpec, body: &T) -> String {
    let name = spec.output;
    let mut w = XmlWriter::with_prefixes("ns", 2);
    w.declaration();
    w.start_prefixed("soapenv", SOAP11_NS, "Envelope");
    w.start_prefixed("soapenv", SOAP11_NS, "Body");
    w.start(name.ns, name.local);
    body.write_xml(&mut w);
    w.end();
    w.end();
    w.end();
    w.finish()
}
