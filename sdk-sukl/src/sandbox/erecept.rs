//! The sandbox's eRecept: CUER Lékař and CUER Lékárník for the life of a prescription — a
//! prescriber writes it, a pharmacist finds it, reserves it (state `PRIPRAVOVANY`), dispenses it
//! (in full or in part) or cancels a dispensing, and the prescriber reads it back dispensed; or
//! the prescriber cancels it before it is reserved (`ZrusitPredpis`, state `UZAVRENY`), and the
//! pharmacist learns when and why (`NacistInformaceOZrusenemPredpisu`; `…Vydeji` for a
//! cancelled dispensing).
//!
//! What it checks, as SÚKL does (../shared/facts/sukl.md §3 and the public clients):
//!
//! * mutual TLS with a certificate of the sandbox CA (the server refuses others);
//! * HTTP Basic with a sandbox user ([`SANDBOX_LEKAR`], [`SANDBOX_LEKARNIK`], password
//!   [`SANDBOX_HESLO`]): HTTP 401 otherwise;
//! * the request against the schema (the generated types read it strictly);
//! * the signature of the requests whose element ends with `ds:Signature`: an enveloped
//!   signature over the request element as a document, by a certificate of the sandbox CA,
//!   verified on the bytes as received — a tampered request is refused;
//! * the prescription's state for every change.
//!
//! **Error codes.** SÚKL's list of error codes is not public (the service hands it out with
//! `NacistCiselnikChyb`), so the sandbox's codes are its own, four characters like SÚKL's, and
//! its `NacistCiselnikChyb` answers with them ([`CHYBY`]). A client should branch on the codes
//! SÚKL's live list gives, not on these.
//!
//! Also AppPing, AppPingZEP (its signature verified) and NacistCiselnikChyb on every service.
//! Other operations are answered with the fault [`E_NEPODPOROVANO`].

use std::collections::BTreeMap;
use std::sync::Mutex;

use sdk_runtime::sandbox::{SandboxRequest, SandboxResponse};
use sdk_runtime::soap::{
    Envelope, OperationSpec, SoapVersion, write_envelope, write_fault, write_fault_detail,
};

use crate::erecept::chyba::CHYBA;
use sdk_runtime::values::DateTime;
use sdk_runtime::wssec::{Document, Verifier};
use sdk_runtime::xml::{DecodeError, DecodeErrorKind, ReadContext, XmlRead, XmlText, XmlWrite};

use crate::generated::cuer_lekar::operation as lekar;
use crate::generated::cuer_lekarnik::operation as lekarnik;
use crate::generated::erecept::types as t;

/// The sandbox's prescriber (a SÚKL user identifier, as SÚKL issues them).
pub const SANDBOX_LEKAR: &str = "6a4f2e10-7c1d-4e8b-9a21-3f5c7d9e0b11";
/// The sandbox's pharmacist.
pub const SANDBOX_LEKARNIK: &str = "0d9b8c7a-6e5f-4a3b-8c2d-1e0f9a8b7c66";
/// The password of both sandbox users.
pub const SANDBOX_HESLO: &str = "sandbox-heslo";
/// The software identification the sandbox's clients send (`SW_Klienta`).
pub const SANDBOX_SW: &str = "B2BSDKSANDBX";

/// A signature that does not verify (tampered request, unknown certificate, none).
pub const E_PODPIS: &str = "E001";
/// No such document (prescription or dispensing).
pub const E_NENALEZENO: &str = "E002";
/// The document's state does not allow the operation.
pub const E_STAV: &str = "E003";
/// The request breaks the schema or a rule of the interface.
pub const E_ZPRAVA: &str = "E004";
/// The operation is not served by the sandbox.
pub const E_NEPODPOROVANO: &str = "E005";
/// `Pristupujici` is not the user who signed in.
pub const E_PRISTUP: &str = "E006";

/// The sandbox's error codes: code, group, description, recommendation.
pub const CHYBY: [(&str, &str, &str, &str); 6] = [
    (
        E_PODPIS,
        "Podpis",
        "Elektronický podpis zprávy je neplatný nebo chybí.",
        "Podepište zprávu osobním certifikátem uživatele.",
    ),
    (
        E_NENALEZENO,
        "Doklad",
        "Doklad nebyl nalezen.",
        "Zkontrolujte identifikátor dokladu.",
    ),
    (
        E_STAV,
        "Stav",
        "Stav dokladu neumožňuje požadovanou operaci.",
        "Načtěte doklad a zkontrolujte jeho stav.",
    ),
    (
        E_ZPRAVA,
        "Zprava",
        "Zpráva neodpovídá rozhraní.",
        "Zkontrolujte zprávu podle schématu.",
    ),
    (
        E_NEPODPOROVANO,
        "Sandbox",
        "Operaci sandbox nepodporuje.",
        "Použijte testovací prostředí SÚKL.",
    ),
    (
        E_PRISTUP,
        "Pristup",
        "Přistupující neodpovídá přihlášenému uživateli.",
        "Uveďte v Pristupujici přihlášeného uživatele.",
    ),
];

/// A prescription by the sandbox's prescriber for demos and tests: written on `dnes`, valid for
/// 14 days, one product (kód SÚKL 0034567, as in the sandbox's code lists) twice, state
/// `PREDEPSANY`. Invented data.
pub fn priklad_predpisu(
    dnes: time::Date,
) -> Result<t::ZalozeniPredpisuErpDokladDotazType, DecodeError> {
    let until = dnes.saturating_add(time::Duration::days(14));
    from_xml(&format!(
        r#"<Doklad xmlns="{ERP}"><DatumVystaveni>{dnes}</DatumVystaveni><PlatnostDo>{until}</PlatnostDo><Pacient><Totoznost><Jmeno><Prijmeni>Nováková</Prijmeni><Jmena>Jana</Jmena></Jmeno><DatumNarozeni>1980-05-17</DatumNarozeni></Totoznost><CP>8055171234</CP></Pacient><Predepisujici><Lekar>{SANDBOX_LEKAR}</Lekar><ICP>12345678</ICP><PZS>12345678901</PZS><Telefon>+420 222 333 444</Telefon></Predepisujici><PLP><Mnozstvi>2</Mnozstvi><Navod>1-0-1 po jídle</Navod><Uhrada>ZAKLADNI</Uhrada><ID_LP_Zdroj>34567</ID_LP_Zdroj></PLP><Stav>PREDEPSANY</Stav></Doklad>"#
    ))
}

/// The sandbox pharmacist's full dispensing of [`priklad_predpisu`] (the prescription
/// `id_predpisu`) on `dnes`: batch `LOT2026A`, the price, state `PLNE_VYDANY`. Invented data.
pub fn priklad_vydeje(
    dnes: time::Date,
    id_predpisu: &str,
) -> Result<t::ZalozeniVydejeErpDokladDotazType, DecodeError> {
    let id = sdk_runtime::xml::escape_attr(id_predpisu);
    from_xml(&format!(
        r#"<Doklad xmlns="{ERP}"><DatumVydeje>{dnes}</DatumVydeje><Vydavajici><Lekarnik>{SANDBOX_LEKARNIK}</Lekarnik><Telefon>+420 555 666 777</Telefon><PZS>10987654321</PZS></Vydavajici><VLP><Mnozstvi>2</Mnozstvi><Navod>1-0-1 po jídle</Navod><Cena><CenaPuvodce>84.50</CenaPuvodce><CenaCelkem>129.00</CenaCelkem></Cena><Sarze>LOT2026A</Sarze><EAN>8594001234567</EAN><ID_LP_Zdroj>34567</ID_LP_Zdroj></VLP><ID_Dokladu_ERP>{id}</ID_Dokladu_ERP><Stav_ERP>PLNE_VYDANY</Stav_ERP></Doklad>"#
    ))
}

const ERP: &str = crate::erecept::ERP_NS;

fn from_xml<T: XmlRead>(xml: &str) -> Result<T, DecodeError> {
    let mut cx = ReadContext::new();
    let doc = sdk_runtime::xml::Document::parse_str(xml)
        .map_err(|e| cx.error(DecodeErrorKind::Malformed, e.to_string()))?;
    cx.complex_value(doc.root())
}

/// A prescription held by the sandbox.
#[derive(Debug, Clone)]
struct Predpis {
    doklad: t::ZalozeniPredpisuErpDokladDotazType,
    stav: t::StavElektronickehoReceptu,
    zalozeni: DateTime,
    zmena: DateTime,
    /// Its dispensings, by identifier, in order.
    vydeje: Vec<String>,
    /// When and why the prescriber cancelled it (`ZrusitPredpis`).
    zruseni: Option<t::ZruseniType>,
}

/// A dispensing held by the sandbox.
#[derive(Debug, Clone)]
struct Vydej {
    predpis: String,
    doklad: t::ZalozeniVydejeErpDokladDotazType,
    zalozeni: DateTime,
    zmena: DateTime,
    zruseni: Option<t::ZruseniType>,
    /// The prescription's state before this dispensing (restored when it is cancelled).
    stav_pred: t::StavElektronickehoReceptu,
}

#[derive(Debug, Default)]
struct Store {
    predpisy: BTreeMap<String, Predpis>,
    vydeje: BTreeMap<String, Vydej>,
    next: u64,
}

/// What the eRecept part of the sandbox holds.
pub(super) struct ErpState {
    store: Mutex<Store>,
    verifier: Verifier,
}

impl ErpState {
    pub(super) fn new(verifier: Verifier) -> Self {
        Self {
            store: Mutex::new(Store::default()),
            verifier,
        }
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The state of the prescription `id`, as the sandbox holds it.
    pub(super) fn stav_predpisu(&self, id: &str) -> Option<t::StavElektronickehoReceptu> {
        self.store().predpisy.get(id).map(|p| p.stav.clone())
    }

    /// How many prescriptions and dispensings the sandbox holds.
    pub(super) fn counts(&self) -> (usize, usize) {
        let s = self.store();
        (s.predpisy.len(), s.vydeje.len())
    }
}

/// `true` for the paths the eRecept services are at.
pub(super) fn is_erecept_path(path: &str) -> bool {
    matches!(
        path,
        "/cuer/Lekar" | "/cuer/Lekarnik" | "/rlpo/Lekar" | "/rlpo/Lekarnik"
    )
}

/// A refusal: the fault to answer with.
struct Odmitnuti {
    kod: &'static str,
    detail: String,
}

impl Odmitnuti {
    fn new(kod: &'static str, detail: impl Into<String>) -> Self {
        Self {
            kod,
            detail: detail.into(),
        }
    }

    /// The SOAP fault with `erp:Chyba` (HTTP 500), as the WSDL declares it.
    fn response(&self) -> SandboxResponse {
        let (kod, skupina, popis, doporuceni) = CHYBY
            .iter()
            .find(|c| c.0 == self.kod)
            .copied()
            .unwrap_or(CHYBY[3]);
        let popis = format!("{popis} {}", self.detail);
        let popis: String = popis.chars().take(200).collect();
        let body = match chyba_type(kod, skupina, &popis, doporuceni) {
            Some(c) => write_fault_detail(SoapVersion::V11, true, &popis, CHYBA, &c),
            None => write_fault(SoapVersion::V11, true, &popis, None),
        };
        SandboxResponse::new(500, "text/xml; charset=utf-8", body)
    }
}

/// A `Chyba` of the sandbox's list, `None` if a text breaks its rule (the sandbox's own texts
/// do not).
fn chyba_type(kod: &str, skupina: &str, popis: &str, doporuceni: &str) -> Option<t::ChybaType> {
    let mut c = t::ChybaType::new(
        t::ChybaTypeKod::new(kod).ok()?,
        t::ChybaTypeSkupina::new(skupina).ok()?,
        t::ChybaTypePopis::new(popis).ok()?,
    );
    c.doporuceni = t::ChybaTypeDoporuceni::new(doporuceni).ok();
    Some(c)
}

/// A value of one simple type as another of the same text (the read and write types of the
/// interface restrict the same values differently named).
fn retype<A: XmlText, B: XmlText>(a: &A, what: &str) -> Result<B, Odmitnuti> {
    B::from_xml_text(&a.to_xml_text()).map_err(|e| Odmitnuti::new(E_ZPRAVA, format!("{what}: {e}")))
}

fn now() -> DateTime {
    let now = time::OffsetDateTime::now_utc();
    DateTime::from_offset(now.replace_nanosecond(0).unwrap_or(now))
}

fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The answer's header: a new message and submission identifier, the request's version.
fn zprava_odpoved(verze: &t::ZpravaTypeVerze) -> Result<t::ZpravaOdpovedType, Odmitnuti> {
    let zprava = |e| Odmitnuti::new(E_ZPRAVA, format!("answer header: {e}"));
    Ok(t::ZpravaOdpovedType::new(
        t::ZpravaTypeIdZpravy::new(new_uuid()).map_err(zprava)?,
        verze.clone(),
        now(),
        t::ZpravaOdpovedTypeIdPodani::new(new_uuid()).map_err(zprava)?,
        now(),
    ))
}

/// The answer to a stored document: its identifier (`UlozeniDokladuOdpoved`).
fn ulozeno(
    op: &OperationSpec,
    id: String,
    verze: &t::ZpravaTypeVerze,
) -> Result<SandboxResponse, Odmitnuti> {
    let doklad = t::UlozeniDokladuDokladOdpovedType::new(
        t::UlozeniDokladuDokladOdpovedTypeIdDokladu::new(id)
            .map_err(|e| Odmitnuti::new(E_ZPRAVA, e.to_string()))?,
    );
    Ok(answer(
        op,
        &t::UlozeniDokladuOdpovedType::new(doklad, zprava_odpoved(verze)?),
    ))
}

fn answer<T: XmlWrite>(op: &OperationSpec, value: &T) -> SandboxResponse {
    SandboxResponse::new(
        200,
        "text/xml; charset=utf-8",
        write_envelope(SoapVersion::V11, &[], op.output, value),
    )
}

fn read<T: XmlRead>(envelope: &Envelope, op: &OperationSpec) -> Result<T, Odmitnuti> {
    let mut cx = ReadContext::new();
    let value: T = envelope
        .read_body(op.input, &mut cx)
        .map_err(|e| Odmitnuti::new(E_ZPRAVA, e.to_string()))?;
    if let Some(d) = cx.diagnostics().first() {
        return Err(Odmitnuti::new(E_ZPRAVA, d.to_string()));
    }
    Ok(value)
}

/// The HTTP Basic user, if the credentials are a sandbox user's.
fn basic_user(request: &SandboxRequest) -> Option<&'static str> {
    let value = request.header("authorization")?;
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = sdk_runtime::xml::Base64Text::parse(token.trim())
        .ok()?
        .decode();
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    if password != SANDBOX_HESLO {
        return None;
    }
    [SANDBOX_LEKAR, SANDBOX_LEKARNIK]
        .into_iter()
        .find(|u| *u == user)
}

/// The request element's bytes as received (what its signature covers).
fn body_element(raw: &[u8]) -> Result<Vec<u8>, Odmitnuti> {
    let doc = Document::parse(raw).map_err(|e| Odmitnuti::new(E_ZPRAVA, e.to_string()))?;
    let body = doc
        .root()
        .children()
        .find(|c| c.local_name() == "Body")
        .ok_or_else(|| Odmitnuti::new(E_ZPRAVA, "no soap:Body"))?;
    let element = body
        .children()
        .next()
        .ok_or_else(|| Odmitnuti::new(E_ZPRAVA, "an empty soap:Body"))?;
    Ok(doc.text().as_bytes()[element.span()].to_vec())
}

impl ErpState {
    /// Answers an eRecept request (the path is one of [`is_erecept_path`]).
    pub(super) fn respond(&self, request: &SandboxRequest) -> SandboxResponse {
        let Some(user) = basic_user(request) else {
            return SandboxResponse::new(401, "text/plain; charset=utf-8", "401 Unauthorized")
                .with_header("WWW-Authenticate", "Basic realm=\"eRecept\"");
        };
        if request.method != "POST" {
            return SandboxResponse::new(405, "text/plain; charset=utf-8", "POST only");
        }
        match self.dispatch(request, user) {
            Ok(r) => r,
            Err(e) => e.response(),
        }
    }

    fn verify(&self, raw: &[u8]) -> Result<(), Odmitnuti> {
        let element = body_element(raw)?;
        self.verifier
            .verify_enveloped_document(&element)
            .map(|_| ())
            .map_err(|e| Odmitnuti::new(E_PODPIS, e.to_string()))
    }

    fn dispatch(&self, request: &SandboxRequest, user: &str) -> Result<SandboxResponse, Odmitnuti> {
        let envelope =
            Envelope::parse(&request.body).map_err(|e| Odmitnuti::new(E_ZPRAVA, e.to_string()))?;
        let name = body_element_name(&envelope)
            .ok_or_else(|| Odmitnuti::new(E_ZPRAVA, "no request element"))?;
        if name.0 != ERP {
            return Err(Odmitnuti::new(
                E_ZPRAVA,
                format!("element {{{}}}{}", name.0, name.1),
            ));
        }
        let lekar_path = request.path.ends_with("/Lekar");
        let local = name.1.as_str();
        match (request.path.as_str(), local) {
            (_, "AppPingDotaz") => {
                let op = &lekarnik::app_ping::SPEC;
                let d: t::ZpravaBezDotazType = read(&envelope, op)?;
                Ok(answer(
                    op,
                    &t::ZpravaBezOdpovedType::new(zprava_odpoved(&d.zprava.verze)?),
                ))
            }
            (_, "AppPingZEPDotaz") => {
                // The signature test: the request verified as the signed ones are.
                let op = &lekarnik::app_ping_zep::SPEC;
                let d: t::ZpravaZepDotazType = read(&envelope, op)?;
                self.verify(&request.body)?;
                Ok(answer(
                    op,
                    &t::ZpravaBezOdpovedType::new(zprava_odpoved(&d.zprava.verze)?),
                ))
            }
            (_, "CisChybDotaz") => {
                let op = &lekarnik::nacist_ciselnik_chyb::SPEC;
                let d: t::ZpravaBezDotazType = read(&envelope, op)?;
                let mut odpoved = t::CisChybVerzeOdpovedType::new(zprava_odpoved(&d.zprava.verze)?);
                odpoved.chyba = CHYBY
                    .iter()
                    .filter_map(|(kod, skupina, popis, doporuceni)| {
                        chyba_type(kod, skupina, popis, doporuceni)
                    })
                    .collect();
                Ok(answer(op, &odpoved))
            }
            ("/cuer/Lekar", "ZalozeniPredpisuDotaz") => {
                let op = &lekar::zalozit_predpis::SPEC;
                let d: t::ZalozeniPredpisuErpDotazType = read(&envelope, op)?;
                self.verify(&request.body)?;
                let t::ZalozeniPredpisuErpDokladDotazTypeOrDerived::ZalozeniPredpisuErpDokladDotazType(doklad) = d.doklad else {
                    return Err(Odmitnuti::new(E_ZPRAVA, "Doklad of a derived type"));
                };
                self.zalozit_predpis(op, *doklad, &d.zprava)
            }
            (_, "NacteniPredpisuDotaz") => {
                let op = if lekar_path {
                    &lekar::nacist_predpis::SPEC
                } else {
                    &lekarnik::nacist_predpis::SPEC
                };
                let d: t::NacteniDokladuDotazType = read(&envelope, op)?;
                check_pristupujici(&d.doklad.pristupujici, user)?;
                self.nacist_predpis(op, d)
            }
            ("/cuer/Lekar", "ZruseniPredpisuDotaz") => {
                let op = &lekar::zrusit_predpis::SPEC;
                let d: t::ZruseniDokladuDotazType = read(&envelope, op)?;
                let t::ZruseniDokladuDokladDotazTypeOrDerived::ZruseniDokladuDokladDotazType(
                    doklad,
                ) = d.doklad
                else {
                    return Err(Odmitnuti::new(E_ZPRAVA, "Doklad of a derived type"));
                };
                self.zrusit_predpis(op, *doklad, &d.zprava, user)
            }
            ("/cuer/Lekarnik", "NacteniInformaceOZrusenemPredpisuDotaz") => self
                .informace_o_zruseni(
                    &lekarnik::nacist_informace_o_zrusenem_predpisu::SPEC,
                    &envelope,
                    user,
                    |store, id| store.predpisy.get(id).map(|p| p.zruseni.clone()),
                ),
            ("/cuer/Lekarnik", "NacteniInformaceOZrusenemVydejiDotaz") => self.informace_o_zruseni(
                &lekarnik::nacist_informace_o_zrusenem_vydeji::SPEC,
                &envelope,
                user,
                |store, id| store.vydeje.get(id).map(|v| v.zruseni.clone()),
            ),
            ("/cuer/Lekarnik", "ZmenaStavuPredpisuDotaz") => {
                let op = &lekarnik::zmenit_stav_predpisu::SPEC;
                let d: t::ZmenaStavuPredpisuDotazType = read(&envelope, op)?;
                check_pristupujici(&d.doklad.pristupujici, user)?;
                self.zmenit_stav(op, d)
            }
            ("/cuer/Lekarnik", "ZalozeniVydejeDotaz") => {
                let op = &lekarnik::zalozit_vydej::SPEC;
                let d: t::ZalozeniVydejeErpDotazType = read(&envelope, op)?;
                self.verify(&request.body)?;
                let t::ZalozeniVydejeErpDokladDotazTypeOrDerived::ZalozeniVydejeErpDokladDotazType(
                    doklad,
                ) = d.doklad
                else {
                    return Err(Odmitnuti::new(E_ZPRAVA, "Doklad of a derived type"));
                };
                self.zalozit_vydej(op, *doklad, &d.zprava)
            }
            (_, "NacteniVydejeDotaz") => {
                let op = if lekar_path {
                    &lekar::nacist_vydej::SPEC
                } else {
                    &lekarnik::nacist_vydej::SPEC
                };
                let d: t::NacteniDokladuDotazType = read(&envelope, op)?;
                check_pristupujici(&d.doklad.pristupujici, user)?;
                self.nacist_vydej(op, d)
            }
            ("/cuer/Lekarnik", "ZruseniVydejeDotaz") => {
                let op = &lekarnik::zrusit_vydej::SPEC;
                let d: t::ZruseniVydejeErpDotazType = read(&envelope, op)?;
                self.verify(&request.body)?;
                self.zrusit_vydej(op, d, user)
            }
            (path, other) => Err(Odmitnuti::new(
                E_NEPODPOROVANO,
                format!("{other} at {path}"),
            )),
        }
    }

    /// `NacistInformaceOZrusenemPredpisu` / `…Vydeji`: when and why the document `find` finds
    /// was cancelled; an unknown document is not found, one not cancelled a state error.
    fn informace_o_zruseni(
        &self,
        op: &OperationSpec,
        envelope: &Envelope,
        user: &str,
        find: impl FnOnce(&Store, &str) -> Option<Option<t::ZruseniType>>,
    ) -> Result<SandboxResponse, Odmitnuti> {
        let d: t::NacteniDokladuDotazType = read(envelope, op)?;
        check_pristupujici(&d.doklad.pristupujici, user)?;
        let id = id_of(&d.doklad.identifikator)?;
        let zruseni = find(&self.store(), &id)
            .ok_or_else(|| Odmitnuti::new(E_NENALEZENO, format!("document {id}")))?
            .ok_or_else(|| Odmitnuti::new(E_STAV, format!("{id} is not cancelled")))?;
        Ok(answer(
            op,
            &t::NacteniInformaceOZrusenemDokladuOdpovedType::new(
                t::NacteniInformaceOZrusenemDokladuDokladOdpovedType::new(zruseni),
                zprava_odpoved(&d.zprava.verze)?,
            ),
        ))
    }

    fn zalozit_predpis(
        &self,
        op: &OperationSpec,
        doklad: t::ZalozeniPredpisuErpDokladDotazType,
        zprava: &t::ZpravaDotazType,
    ) -> Result<SandboxResponse, Odmitnuti> {
        use t::StavElektronickehoReceptu as S;
        if !matches!(doklad.stav, S::Predepsany | S::KeSchvaleni) {
            return Err(Odmitnuti::new(
                E_STAV,
                "a new prescription is PREDEPSANY or KE_SCHVALENI",
            ));
        }
        let mut store = self.store();
        store.next += 1;
        // Identifiers of 12 characters, as SÚKL's are.
        let id = format!("SBX{:09}", store.next);
        let at = now();
        store.predpisy.insert(
            id.clone(),
            Predpis {
                stav: doklad.stav.clone(),
                doklad,
                zalozeni: at.clone(),
                zmena: at,
                vydeje: Vec::new(),
                zruseni: None,
            },
        );
        drop(store);
        ulozeno(op, id, &zprava.verze)
    }

    fn nacist_predpis(
        &self,
        op: &OperationSpec,
        d: t::NacteniDokladuDotazType,
    ) -> Result<SandboxResponse, Odmitnuti> {
        let id = id_of(&d.doklad.identifikator)?;
        let store = self.store();
        let p = store
            .predpisy
            .get(&id)
            .ok_or_else(|| Odmitnuti::new(E_NENALEZENO, format!("prescription {id}")))?;
        let mut doklad = t::NacteniPredpisuDokladOdpovedType::new(
            retype(
                &t::UlozeniDokladuDokladOdpovedTypeIdDokladu::new(id.clone())
                    .map_err(|e| Odmitnuti::new(E_ZPRAVA, e.to_string()))?,
                "ID_Dokladu",
            )?,
            p.doklad.datum_vystaveni,
            p.doklad.platnost_do,
            pacient(&p.doklad.pacient)?,
            predepisujici(&p.doklad.predepisujici)?,
            p.stav.clone(),
            p.zmena.clone(),
            p.zalozeni.clone(),
        );
        doklad.akutni = p.doklad.akutni;
        doklad.rodina = p.doklad.rodina;
        doklad.preshranicni = p.doklad.preshranicni;
        doklad.opakovani = p.doklad.opakovani;
        doklad.upozornit_lekare = p.doklad.upozornit_lekare.clone();
        if let Some(pozn) = &p.doklad.pozn {
            doklad.pozn = Some(retype(pozn, "Pozn")?);
        }
        for lp in &p.doklad.plp {
            doklad.plp.push(predepsany_lp(lp)?);
        }
        for vid in &p.vydeje {
            if let Some(v) = store.vydeje.get(vid) {
                doklad.vydej.push(zkraceny_vydej(vid, v));
            }
        }
        drop(store);
        Ok(answer(
            op,
            &t::NacteniPredpisuErpOdpovedType::new(doklad, zprava_odpoved(&d.zprava.verze)?),
        ))
    }

    fn zrusit_predpis(
        &self,
        op: &OperationSpec,
        doklad: t::ZruseniDokladuDokladDotazType,
        zprava: &t::ZpravaDotazType,
        user: &str,
    ) -> Result<SandboxResponse, Odmitnuti> {
        use t::StavElektronickehoReceptu as S;
        if doklad.uzivatel.get() != user {
            return Err(Odmitnuti::new(E_PRISTUP, "Uzivatel"));
        }
        let id = doklad.id_dokladu.get().clone();
        let mut store = self.store();
        let p = store
            .predpisy
            .get_mut(&id)
            .ok_or_else(|| Odmitnuti::new(E_NENALEZENO, format!("prescription {id}")))?;
        if p.zruseni.is_some() || !matches!(p.stav, S::Predepsany | S::KeSchvaleni) {
            return Err(Odmitnuti::new(
                E_STAV,
                format!(
                    "only a prescription neither reserved, dispensed nor cancelled can be \
                     cancelled (it is {}{})",
                    p.stav.to_xml_text(),
                    if p.zruseni.is_some() {
                        ", cancelled"
                    } else {
                        ""
                    }
                ),
            ));
        }
        let duvod = retype(&doklad.duvod_zruseni, "DuvodZruseni")?;
        p.zruseni = Some(t::ZruseniType::new(now(), duvod));
        p.stav = S::Uzavreny;
        p.zmena = now();
        drop(store);
        ulozeno(op, id, &zprava.verze)
    }

    fn zmenit_stav(
        &self,
        op: &OperationSpec,
        d: t::ZmenaStavuPredpisuDotazType,
    ) -> Result<SandboxResponse, Odmitnuti> {
        use t::StavElektronickehoReceptu as S;
        let id = d.doklad.id_dokladu.clone();
        let mut store = self.store();
        let p = store
            .predpisy
            .get_mut(&id)
            .ok_or_else(|| Odmitnuti::new(E_NENALEZENO, format!("prescription {id}")))?;
        // Reserving (PREDEPSANY → PRIPRAVOVANY) and releasing the reservation.
        let allowed = p.zruseni.is_none()
            && matches!(
                (&p.stav, &d.doklad.stav),
                (S::Predepsany, S::Pripravovany) | (S::Pripravovany, S::Predepsany)
            );
        if !allowed {
            return Err(Odmitnuti::new(
                E_STAV,
                format!("{} → {}", p.stav.to_xml_text(), d.doklad.stav.to_xml_text()),
            ));
        }
        p.stav = d.doklad.stav.clone();
        p.zmena = now();
        drop(store);
        ulozeno(op, id, &d.zprava.verze)
    }

    fn zalozit_vydej(
        &self,
        op: &OperationSpec,
        doklad: t::ZalozeniVydejeErpDokladDotazType,
        zprava: &t::ZpravaDotazType,
    ) -> Result<SandboxResponse, Odmitnuti> {
        use t::StavElektronickehoReceptu as S;
        let predpis_id = doklad.id_dokladu_erp.get().clone();
        let mut store = self.store();
        store.next += 1;
        let vydej_id = format!("VYD{:09}", store.next);
        let p = store
            .predpisy
            .get_mut(&predpis_id)
            .ok_or_else(|| Odmitnuti::new(E_NENALEZENO, format!("prescription {predpis_id}")))?;
        let from_ok = p.zruseni.is_none()
            && matches!(p.stav, S::Predepsany | S::Pripravovany | S::CastecneVydany);
        let to_ok = matches!(doklad.stav_erp, S::CastecneVydany | S::PlneVydany);
        if !from_ok || !to_ok {
            return Err(Odmitnuti::new(
                E_STAV,
                format!(
                    "dispensing a prescription in state {} into {}",
                    p.stav.to_xml_text(),
                    doklad.stav_erp.to_xml_text()
                ),
            ));
        }
        let stav_pred = p.stav.clone();
        p.stav = doklad.stav_erp.clone();
        let at = now();
        p.zmena = at.clone();
        p.vydeje.push(vydej_id.clone());
        store.vydeje.insert(
            vydej_id.clone(),
            Vydej {
                predpis: predpis_id,
                doklad,
                zalozeni: at.clone(),
                zmena: at,
                zruseni: None,
                stav_pred,
            },
        );
        drop(store);
        ulozeno(op, vydej_id, &zprava.verze)
    }

    fn nacist_vydej(
        &self,
        op: &OperationSpec,
        d: t::NacteniDokladuDotazType,
    ) -> Result<SandboxResponse, Odmitnuti> {
        let id = id_of(&d.doklad.identifikator)?;
        let store = self.store();
        let v = store
            .vydeje
            .get(&id)
            .ok_or_else(|| Odmitnuti::new(E_NENALEZENO, format!("dispensing {id}")))?;
        let mut doklad = t::NacteniVydejeDokladOdpovedType::new(
            id.clone(),
            v.predpis.clone(),
            v.doklad.datum_vydeje,
            vydavajici(&v.doklad.vydavajici)?,
            v.zmena.clone(),
            v.zalozeni.clone(),
        );
        for lp in &v.doklad.vlp {
            doklad.vlp.push(vydany_lp(lp)?);
        }
        if let Some(pozn) = &v.doklad.pozn {
            doklad.pozn = Some(retype(pozn, "Pozn")?);
        }
        doklad.upozornit_lekare = v.doklad.upozornit_lekare.clone();
        drop(store);
        Ok(answer(
            op,
            &t::NacteniVydejeErpOdpovedType::new(doklad, zprava_odpoved(&d.zprava.verze)?),
        ))
    }

    fn zrusit_vydej(
        &self,
        op: &OperationSpec,
        d: t::ZruseniVydejeErpDotazType,
        user: &str,
    ) -> Result<SandboxResponse, Odmitnuti> {
        if d.doklad.uzivatel.get() != user {
            return Err(Odmitnuti::new(E_PRISTUP, "Uzivatel"));
        }
        let id = d.doklad.id_dokladu.get().clone();
        let mut store = self.store();
        let v = store
            .vydeje
            .get_mut(&id)
            .ok_or_else(|| Odmitnuti::new(E_NENALEZENO, format!("dispensing {id}")))?;
        if v.zruseni.is_some() {
            return Err(Odmitnuti::new(
                E_STAV,
                "the dispensing is already cancelled",
            ));
        }
        let duvod = retype(&d.doklad.duvod_zruseni, "DuvodZruseni")?;
        v.zruseni = Some(t::ZruseniType::new(now(), duvod));
        v.zmena = now();
        let (predpis, stav_pred) = (v.predpis.clone(), v.stav_pred.clone());
        if let Some(p) = store.predpisy.get_mut(&predpis) {
            p.stav = stav_pred;
            p.zmena = now();
        }
        drop(store);
        ulozeno(op, id, &d.zprava.verze)
    }
}

fn check_pristupujici(p: &t::IdentifikacePristupujicihoType, user: &str) -> Result<(), Odmitnuti> {
    if p.uzivatel.get() == user {
        Ok(())
    } else {
        Err(Odmitnuti::new(E_PRISTUP, "Pristupujici/Uzivatel"))
    }
}

fn id_of(i: &t::IdentifikaceDokladuType) -> Result<String, Odmitnuti> {
    i.id_dokladu
        .as_ref()
        .map(|id| id.get().clone())
        .ok_or_else(|| Odmitnuti::new(E_ZPRAVA, "Identifikator without ID_Dokladu"))
}

fn pacient(p: &t::UlozeniPacientType) -> Result<t::NacteniPacientType, Odmitnuti> {
    let mut n = t::NacteniPacientType::new(p.totoznost.clone());
    n.cp = p.cp.as_ref().map(|v| retype(v, "CP")).transpose()?;
    n.telefon = p
        .telefon
        .as_ref()
        .map(|v| retype(v, "Telefon"))
        .transpose()?;
    n.email = p.email.as_ref().map(|v| retype(v, "Email")).transpose()?;
    n.notifikace = p.notifikace.clone();
    n.veznice = p
        .veznice
        .as_ref()
        .map(|v| retype(v, "Veznice"))
        .transpose()?;
    n.hmotnost = p
        .hmotnost
        .as_ref()
        .map(|v| retype(v, "Hmotnost"))
        .transpose()?;
    n.pohlavi = p.pohlavi.clone();
    Ok(n)
}

fn predepisujici(
    p: &t::UlozeniPredepisujiciType,
) -> Result<t::NacteniPredepisujiciType, Odmitnuti> {
    let mut n = t::NacteniPredepisujiciType::new(retype(&p.icp, "ICP")?);
    n.lekar = Some(t::IdentifikovanaOsobaType::new(retype(&p.lekar, "Lekar")?));
    n.oddeleni = p
        .oddeleni
        .as_ref()
        .map(|v| retype(v, "Oddeleni"))
        .transpose()?;
    n.icz = p.icz.as_ref().map(|v| retype(v, "ICZ")).transpose()?;
    n.telefon = Some(retype(&p.telefon, "Telefon")?);
    n.email = p.email.as_ref().map(|v| retype(v, "Email")).transpose()?;
    Ok(n)
}

fn predepsany_lp(
    lp: &t::UlozeniPredepsanyLpErpType,
) -> Result<t::NacteniPredepsanyLpErpType, Odmitnuti> {
    let mut n = t::NacteniPredepsanyLpErpType::new(
        retype(&lp.mnozstvi, "Mnozstvi")?,
        retype(&lp.navod, "Navod")?,
        lp.uhrada.clone(),
        retype(&lp.id_lp_zdroj, "ID_LP_Zdroj")?,
        t::NacteniPredepsanyLpErpTypeIdLp::new(new_uuid())
            .map_err(|e| Odmitnuti::new(E_ZPRAVA, e.to_string()))?,
    );
    n.hvlp_reg = lp.hvlp_reg.clone();
    n.hvlp_nereg = lp.hvlp_nereg.clone();
    n.iplp = lp.iplp.clone();
    n.inn = lp.inn.clone();
    n.nezamenovat = lp.nezamenovat;
    n.prekroceni = lp.prekroceni;
    n.zadanka_zp = lp
        .zadanka_zp
        .as_ref()
        .map(|v| retype(v, "ZadankaZP"))
        .transpose()?;
    Ok(n)
}

fn zkraceny_vydej(id: &str, v: &Vydej) -> t::NacteniZkracenyVydejErpDokladOdpovedType {
    let mut n = t::NacteniZkracenyVydejErpDokladOdpovedType::new(
        id.to_owned(),
        v.predpis.clone(),
        v.doklad.datum_vydeje,
        v.doklad.vydavajici.pzs.to_xml_text().into_owned(),
        v.doklad.vydavajici.lekarnik.to_xml_text().into_owned(),
        v.zmena.clone(),
        v.zalozeni.clone(),
    );
    n.zruseni = v.zruseni.clone();
    n
}

/// The sandbox's pharmacy, for answers that name the dispensing provider.
fn vydavajici(v: &t::UlozeniVydavajiciType) -> Result<t::NacteniVydavajiciType, Odmitnuti> {
    let e = |e: sdk_runtime::xml::ValidationError| Odmitnuti::new(E_ZPRAVA, e.to_string());
    let adresa = t::AdresaType::new(
        t::AdresaTypeNazevObce::new("Praha").map_err(e)?,
        t::AdresaTypePsc::new("10000").map_err(e)?,
    );
    let pzs = t::IdentifikovanyPoskytovatelType::new(
        retype(&v.pzs, "PZS")?,
        t::IdentifikovanyPoskytovatelTypeNazev::new("Lékárna Sandbox").map_err(e)?,
        retype(&v.telefon, "Telefon")?,
        adresa,
    );
    let mut n = t::NacteniVydavajiciType::new(
        t::IdentifikovanaOsobaType::new(retype(&v.lekarnik, "Lekarnik")?),
        pzs,
    );
    n.icz = v.icz.as_ref().map(|x| retype(x, "ICZ")).transpose()?;
    n.telefon = Some(retype(&v.telefon, "Telefon")?);
    Ok(n)
}

fn vydany_lp(lp: &t::UlozeniVydanyLpErpType) -> Result<t::NacteniVydanyLpErpType, Odmitnuti> {
    let mut n = t::NacteniVydanyLpErpType::new(
        retype(&lp.mnozstvi, "Mnozstvi")?,
        retype(&lp.navod, "Navod")?,
        lp.cena.clone(),
        retype(&lp.sarze, "Sarze")?,
        retype(&lp.id_lp_zdroj, "ID_LP_Zdroj")?,
        t::NacteniVydanyLpErpTypeIdLp::new(new_uuid())
            .map_err(|e| Odmitnuti::new(E_ZPRAVA, e.to_string()))?,
    );
    n.exspirace = lp.exspirace;
    n.uhrada = lp.uhrada.clone();
    n.ean = lp.ean.as_ref().map(|v| retype(v, "EAN")).transpose()?;
    n.seriove_cislo = lp
        .seriove_cislo
        .as_ref()
        .map(|v| retype(v, "SerioveCislo"))
        .transpose()?;
    n.hvlp_nereg = lp.hvlp_nereg.clone();
    n.iplp = lp.iplp.clone();
    n.id_lp_erp = lp
        .id_lp_erp
        .as_ref()
        .map(|v| retype(v, "ID_LP_ERP"))
        .transpose()?;
    Ok(n)
}

/// The namespace and local name of the request element, for the dispatch.
fn body_element_name(envelope: &Envelope) -> Option<(String, String)> {
    let first = envelope.body().child_elements().next()?;
    Some((first.namespace().to_owned(), first.local_name().to_owned()))
}
