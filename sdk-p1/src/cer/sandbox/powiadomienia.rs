//! Notifications: made under the state's lock ([`Dane::powiadom`]), delivered after it is
//! released ([`wyslij_oczekujace`]), signed with the sandbox's own WSS certificate over Body
//! and Timestamp.

use sdk_runtime::soap::{Envelope, SoapVersion, write_envelope};
use sdk_runtime::xml::{ReadContext, XmlRead, XmlWrite, XmlWriter};

use crate::cer::notyfikacje::operation::przekaz_notyfikacje as op;
use crate::cer::notyfikacje::types as n;
use crate::cer::types::WizytaMT;

use super::dane::{Blad, Dane};
use super::obsluga::Odmowa;
use super::{NieudanaNotyfikacja, Stan};

/// Carries a value between the two generated copies of the same XSD type (`cer::types` and
/// `cer::notyfikacje::types`) through its XML.
fn przepisz<A: XmlWrite, B: XmlRead>(a: &A) -> Result<B, String> {
    let mut w = XmlWriter::new();
    w.start("", "wizyta");
    a.write_xml(&mut w);
    w.end();
    let doc = sdk_runtime::xml::Document::parse_str(&w.finish()).map_err(|e| e.to_string())?;
    ReadContext::new()
        .complex_value(doc.root())
        .map_err(|e| e.to_string())
}

impl Dane {
    /// Makes a notification of `rodzaj` about `wizyta` (a new `idNotyfikacji`) and queues it.
    pub(super) fn powiadom(
        &mut self,
        rodzaj: n::RodzajNotyfikacjiMT,
        wizyta: &WizytaMT,
    ) -> Result<(), Blad> {
        let tresc: n::WizytaMT = przepisz(wizyta)
            .map_err(|e| Odmowa::wewnetrzny(format!("the sandbox could not copy a visit: {e}")))?;
        let id = self.nowe_id("N");
        let notyfikacja = n::PrzekazNotyfikacjeRequest::new(
            n::IdentyfikatorMT::new(id.clone())?,
            rodzaj,
            self.teraz(),
            tresc,
        );
        self.notyfikacje.push(notyfikacja);
        self.do_wyslania.push(id);
        Ok(())
    }
}

/// Delivers every queued notification, in order; failures are recorded.
pub(super) async fn wyslij_oczekujace(stan: &Stan) {
    let kolejka: Vec<n::PrzekazNotyfikacjeRequest> = {
        let mut dane = stan.dane();
        let ids = std::mem::take(&mut dane.do_wyslania);
        ids.iter().filter_map(|id| dane.notyfikacja(id)).collect()
    };
    for notyfikacja in &kolejka {
        // Recorded inside; nothing else to do with a failure here.
        let _ = wyslij(stan, notyfikacja).await;
    }
}

/// Delivers one notification to the registered receiver; a failure is recorded and returned.
pub(super) async fn wyslij(
    stan: &Stan,
    notyfikacja: &n::PrzekazNotyfikacjeRequest,
) -> Result<(), String> {
    let wynik = dostarcz(stan, notyfikacja).await;
    if let Err(powod) = &wynik {
        tracing::debug!(id = %notyfikacja.id_notyfikacji.get(), %powod, "CeR sandbox notification not delivered");
        stan.dane().nieudane.push(NieudanaNotyfikacja {
            id_notyfikacji: notyfikacja.id_notyfikacji.get().clone(),
            rodzaj: notyfikacja.rodzaj.clone(),
            powod: powod.clone(),
        });
    }
    wynik
}

async fn dostarcz(stan: &Stan, notyfikacja: &n::PrzekazNotyfikacjeRequest) -> Result<(), String> {
    let Some(odbiorca) = stan.odbiorca() else {
        return Err("no receiver is registered (Sandbox::zarejestruj_odbiorce)".to_owned());
    };
    let spec = &op::SPEC;
    let koperta = write_envelope(SoapVersion::V11, &[], spec.input, notyfikacja);
    let podpisana = stan
        .podpis
        .sign_envelope(koperta.as_bytes())
        .map_err(|e| format!("the sandbox could not sign the notification: {e}"))?;
    let naglowki = SoapVersion::V11.request_headers(spec.action);
    let naglowki: Vec<(&str, &str)> = naglowki.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let odpowiedz = odbiorca
        .http
        .post(&odbiorca.url, &naglowki, podpisana)
        .await
        .map_err(|e| format!("delivery to {} failed: {e}", odbiorca.url))?;
    if odpowiedz.status != 200 {
        return Err(format!("the receiver answered HTTP {}", odpowiedz.status));
    }
    let koperta = Envelope::parse(&odpowiedz.body)
        .map_err(|e| format!("the receiver's answer is not a SOAP envelope: {e}"))?;
    let potwierdzenie: n::PrzekazNotyfikacjeResponse = koperta
        .read_body(spec.output, &mut ReadContext::new())
        .map_err(|e| format!("the receiver's answer is not PrzekazNotyfikacjeResponse: {e}"))?;
    if potwierdzenie.id_notyfikacji != notyfikacja.id_notyfikacji {
        return Err(format!(
            "the receiver acknowledged {} instead of {}",
            potwierdzenie.id_notyfikacji.get(),
            notyfikacja.id_notyfikacji.get()
        ));
    }
    if !potwierdzenie.przyjeto {
        return Err("the receiver did not accept it (przyjeto = false)".to_owned());
    }
    Ok(())
}
