//! The CeR sandbox end to end with `cer::Client` over real mutual TLS and WS-Security: schedules
//! and activation, bookings under CeR's rules (REG.WER.8361/9662/9644/9667 and the 40-day rule
//! after activation) answered in `wynik` with the rule codes, faults for unsigned and misfit
//! requests, the waiting room served after a cancellation with a signed `ZAPIS_Z_POCZEKALNI`
//! notification pushed to a provider's endpoint (a stand-in `MtlsServer` with its own CA that
//! verifies the signature and decodes the `cer::notyfikacje` types), redelivery with the same
//! `idNotyfikacji`, the simulated IKP and other-provider actions, the initial load in both
//! modes with a file written by `ZapisCsv` plus a bad row, and reconciliation with
//! `cer::Client::uzgodnij`.
#![cfg(all(feature = "cer", feature = "sandbox"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use sdk_p1::cer::notyfikacje::{operation as nop, types as nt};
use sdk_p1::cer::odbiornik::{Notyfikacja, Odbiornik, Przebieg};
use sdk_p1::cer::sandbox::{
    BladNotyfikacji, REGULA_40_DNI, REGULA_IKP, REGULA_NIEAKTYWNY, REGULA_RODZAJ,
    REGULA_SLOT_ZAJETY, REGULA_ZGODA, Sandbox, SandboxConfig, WYNIK_BLAD_WERYFIKACJI,
    WYNIK_NIE_ZNALEZIONO,
};
use sdk_p1::cer::uzgodnienie::WizytaLokalna;
use sdk_p1::cer::zasilenie::{RodzajWizyty, StatusSkierowania, Wizyta, ZapisCsv};
use sdk_p1::cer::{self, KontekstCeR, operation as op, types as c};
use sdk_p1::wssec::{SigningIdentity, SigningProfile, TrustAnchors, VerificationPolicy, Verifier};
use sdk_p1::{Error, MaWynik, Oid, Pesel, TrescDokumentu, WYNIK_SUKCES};
use sdk_runtime::Date;
use sdk_runtime::sandbox::{MtlsServer, SandboxRequest, SandboxResponse, TestPki};
use sdk_runtime::soap::Envelope;
use sdk_runtime::values::DateTime;
use sdk_runtime::xml::ReadContext;
use time::macros::{date, datetime};

const PODMIOT_ROOT: &str = "2.16.840.1.113883.3.4424.2.3.1";
const PODMIOT: &str = "000000123456";
const MUS_ROOT: &str = "2.16.840.1.113883.3.4424.2.3.3";
const MUS: &str = "000000123456-01-001";
const KOD: &str = "02.1450.102.02";
const PESEL_ROOT: &str = "2.16.840.1.113883.3.4424.1.1.616";
/// Fictitious PESELs with valid check digits.
const PESELE: [&str; 4] = ["44051401359", "80010112340", "90123143210", "02211555555"];
const DZIS: Date = date!(2026 - 07 - 01);

use c::RodzajWizytyMT::{Kolejna, Pierwszorazowa, UprawnieniaSzczegolne};

fn start() -> Sandbox {
    Sandbox::with_config(SandboxConfig::default().dzis(DZIS)).unwrap()
}

fn kontekst_dla(podmiot: &str) -> KontekstCeR {
    KontekstCeR::builder()
        .id_podmiotu(Oid::new(PODMIOT_ROOT, podmiot))
        .id_miejsca_pracy(Oid::new(MUS_ROOT, MUS))
        .rola_biznesowa(cer::rola_systemu())
        .build()
        .unwrap()
}

fn kontekst() -> KontekstCeR {
    kontekst_dla(PODMIOT)
}

fn id_mus() -> c::IdentyfikatorMusMT {
    c::IdentyfikatorMusMT::new(MUS.into(), MUS_ROOT.into())
}

fn dt(s: &str) -> DateTime {
    DateTime::parse(s).unwrap()
}

fn id(s: &str) -> c::IdentyfikatorMT {
    c::IdentyfikatorMT::new(s).unwrap()
}

/// A slot from `od` to `do_` (times of 2026-07, Polish summer time) taking `rodzaje`.
fn slot(od: &str, do_: &str, rodzaje: &[c::RodzajWizytyMT]) -> c::SlotMT {
    let mut s = c::SlotMT::new(dt(od), dt(do_));
    s.rodzaj_wizyty = rodzaje.to_vec();
    s
}

/// Creates a schedule of `sloty`; the schedule as answered.
async fn harmonogram(cl: &cer::Client, sloty: Vec<c::SlotMT>) -> c::HarmonogramMT {
    let mut h = c::HarmonogramMT::new(id_mus(), c::KodSwiadczeniaMT::new(KOD).unwrap());
    h.nazwa = Some("Poradnia kardiologiczna".into());
    h.slot = sloty;
    let r = cl
        .utworz_harmonogram(&kontekst(), &op::utworz_harmonogram::Input::new(h))
        .await
        .unwrap();
    r.sprawdz_wynik().unwrap();
    r.output.harmonogram.unwrap()
}

async fn aktywuj(cl: &cer::Client) {
    cl.aktywuj_mus(&kontekst(), &op::aktywuj_mus::Input::new(id_mus()))
        .await
        .unwrap()
        .sprawdz_wynik()
        .unwrap();
}

fn pacjent(pesel: &str) -> c::IdentyfikatorPacjentaMT {
    c::IdentyfikatorPacjentaMT::new(pesel.into(), PESEL_ROOT.into())
}

fn kontakt(telefon: &str) -> c::KontaktMT {
    let mut k = c::KontaktMT::new();
    k.telefon = Some(telefon.into());
    k
}

fn e_skierowanie(klucz: &str) -> c::SkierowanieMT {
    c::SkierowanieMT::new(c::SkierowanieMtChoiceKluczSkierowania::KluczSkierowania(
        klucz.into(),
    ))
}

/// A booking of `slot` with a phone, asked for on 2026-06-30.
fn dane(
    slot: &str,
    rodzaj: c::RodzajWizytyMT,
    pesel: &str,
    skierowanie: Option<&str>,
) -> c::DaneWizytyMT {
    let mut d = c::DaneWizytyMT::new(
        id(slot),
        rodzaj,
        pacjent(pesel),
        kontakt("600100200"),
        dt("2026-06-30T10:00:00+02:00"),
    );
    d.skierowanie = skierowanie.map(e_skierowanie);
    d
}

async fn zapisz(cl: &cer::Client, d: c::DaneWizytyMT) -> op::zapisz_na_wizyte::Output {
    cl.zapisz_na_wizyte(&kontekst(), &op::zapisz_na_wizyte::Input::new(d))
        .await
        .unwrap()
        .output
}

/// Books and expects success; the visit's id.
async fn zapisz_ok(cl: &cer::Client, d: c::DaneWizytyMT) -> String {
    let out = zapisz(cl, d).await;
    assert_eq!(
        out.wynik.major,
        WYNIK_SUKCES,
        "{:?} {:?}",
        out.wynik,
        kody(&out.wynik_weryfikacji_reguly)
    );
    out.id_wizyty.unwrap().get().clone()
}

fn kody(reguly: &[c::WynikWeryfikacjiRegulyMT]) -> Vec<&str> {
    reguly
        .iter()
        .map(|r| r.kod_reguly_weryfikacji.as_str())
        .collect()
}

/// Books and expects a refusal by rules; their codes.
async fn zapisz_odmowa(cl: &cer::Client, d: c::DaneWizytyMT) -> Vec<String> {
    let out = zapisz(cl, d).await;
    assert_eq!(out.wynik.major, WYNIK_BLAD_WERYFIKACJI, "{:?}", out.wynik);
    assert!(out.id_wizyty.is_none());
    for r in &out.wynik_weryfikacji_reguly {
        assert_eq!(
            r.wynik_weryfikacji,
            c::KodWynikuWeryfikacjiEnumMT::UrnCsiozP1KodWynikuWeryfikacjiBlad
        );
        assert!(r.opis_problemu.as_deref().is_some_and(|o| !o.is_empty()));
    }
    kody(&out.wynik_weryfikacji_reguly)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

fn status_slotu(s: &Sandbox, id: &str) -> c::StatusSlotuMT {
    s.slot(id).unwrap().status.unwrap()
}

async fn wizyty_sync(cl: &cer::Client) -> Vec<c::WizytaMT> {
    let input = op::pobierz_liste_wizyt_sync::Input::new(
        id_mus(),
        date!(2026 - 07 - 01),
        date!(2026 - 12 - 31),
    );
    let r = cl
        .pobierz_liste_wizyt_sync(&kontekst(), &input)
        .await
        .unwrap();
    r.sprawdz_wynik().unwrap();
    // The same answer read streaming, record by record, gives the same visits, and the rest
    // of the answer (its result) as the whole message gave it.
    let mut records = op::pobierz_liste_wizyt_sync::wizyta_records(&r.raw[..]);
    let streamed: Vec<c::WizytaMT> = records.by_ref().map(Result::unwrap).collect();
    assert_eq!(streamed, r.output.wizyta);
    assert!(
        records.diagnostics().is_empty(),
        "{:?}",
        records.diagnostics()
    );
    let (rest, _) = records
        .finish::<op::pobierz_liste_wizyt_sync::Output>()
        .unwrap();
    assert_eq!(rest.wynik, r.output.wynik);
    assert!(rest.wizyta.is_empty());
    if let Some(first) = streamed.first() {
        a_long_list_streams_in_bounded_memory(&r.raw, first);
    }
    // And read as it arrives over the network (mTLS, signed request): the same visits, then
    // the same result.
    let mut over_network = cl
        .pobierz_liste_wizyt_sync_strumieniowo(&kontekst(), &input)
        .await
        .unwrap();
    let mut from_network = Vec::new();
    while let Some(w) = over_network.next().await {
        from_network.push(w.unwrap());
    }
    assert_eq!(over_network.records_read(), from_network.len() as u64);
    assert_eq!(from_network, r.output.wizyta);
    let (rest, diagnostics) = over_network.finish().await.unwrap();
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(rest.wynik, r.output.wynik);
    assert!(rest.wizyta.is_empty());
    r.output.wizyta
}

/// The answer `raw` with its first visit repeated 20,000 times (about 17 MB) streams with
/// buffers no larger than after its first thousand records.
fn a_long_list_streams_in_bounded_memory(raw: &[u8], first: &c::WizytaMT) {
    let text = std::str::from_utf8(raw).unwrap();
    let start = text.find("<wizyta>").unwrap();
    let end = text[start..].find("</wizyta>").unwrap() + start + "</wizyta>".len();
    let last = text.rfind("</wizyta>").unwrap() + "</wizyta>".len();
    let count = 20_000;
    let mut long = String::with_capacity(text.len() + count * (end - start));
    long.push_str(&text[..start]);
    for _ in 0..count {
        long.push_str(&text[start..end]);
    }
    long.push_str(&text[last..]);
    let mut records = op::pobierz_liste_wizyt_sync::wizyta_records(long.as_bytes());
    let (mut held_early, mut held) = (0, 0);
    let mut n = 0;
    while let Some(w) = records.next() {
        assert_eq!(&w.unwrap(), first);
        n += 1;
        if n == 1000 {
            held_early = records.memory_held();
        }
        if n == count {
            held = records.memory_held();
        }
    }
    assert_eq!(n, count);
    assert!(
        held <= held_early && held < 512 * 1024,
        "{held_early} -> {held} bytes held for a {} MB answer",
        long.len() / 1_000_000
    );
}

/// The `bledyOperacji` codes of a refused call (major, minor), as received.
fn kody_bledu(e: &Error) -> (String, Option<String>) {
    let Some(b) = e.blad() else {
        panic!("expected bledyOperacji, got {e:?}")
    };
    (
        b.kod_bledu_major.as_str().to_owned(),
        b.kod_bledu_minor.as_ref().map(|m| m.as_str().to_owned()),
    )
}

// --- the provider's notification endpoint (a stand-in) ---

/// A provider's receiver: its own CA, mutual TLS, verifies each notification's WS-Security
/// signature against the sandbox's WSS CA (Body and Timestamp), decodes it and acknowledges it
/// (or answers HTTP 500 while `odrzucaj` is set).
struct Odbiorca {
    _server: MtlsServer,
    odebrane: Arc<Mutex<Vec<nt::PrzekazNotyfikacjeRequest>>>,
    bledy: Arc<Mutex<Vec<String>>>,
    odrzucaj: Arc<AtomicBool>,
    /// What the vendor's handler behind the SDK's `cer::odbiornik::Odbiornik` got: each
    /// notification once, however often it was delivered.
    obsluzone: Arc<Mutex<Vec<Notyfikacja>>>,
    przebiegi: Arc<Mutex<Vec<Przebieg>>>,
}

impl Odbiorca {
    /// Every delivery, as received.
    fn odebrane(&self) -> Vec<nt::PrzekazNotyfikacjeRequest> {
        assert_eq!(*self.bledy.lock().unwrap(), Vec::<String>::new());
        self.odebrane.lock().unwrap().clone()
    }

    /// The notifications the vendor's handler took (once each).
    fn obsluzone(&self) -> Vec<Notyfikacja> {
        self.obsluzone.lock().unwrap().clone()
    }
}

fn przyjmij(
    req: &SandboxRequest,
    weryfikator: &Verifier,
) -> Result<nt::PrzekazNotyfikacjeRequest, String> {
    if req.path != "/cer/notyfikacje" {
        return Err(format!("path {}", req.path));
    }
    if req.header("SOAPAction") != Some("\"urn:przekazNotyfikacje\"") {
        return Err(format!("SOAPAction {:?}", req.header("SOAPAction")));
    }
    let verified = weryfikator
        .verify_envelope(&req.body)
        .map_err(|e| format!("signature: {e}"))?;
    if verified.timestamp().is_none() {
        return Err("no timestamp".into());
    }
    let env = Envelope::parse(&req.body).map_err(|e| e.to_string())?;
    let mut cx = ReadContext::new();
    let n: nt::PrzekazNotyfikacjeRequest = env
        .read_body(nop::przekaz_notyfikacje::SPEC.input, &mut cx)
        .map_err(|e| e.to_string())?;
    if let Some(d) = cx.diagnostics().first() {
        return Err(format!("not strictly our schema: {d}"));
    }
    Ok(n)
}

fn odbiorca(s: &Sandbox) -> Odbiorca {
    let pki = TestPki::new("Provider endpoint CA (test)").unwrap();
    // The provider trusts CeR's notification-signing CA, and requires Body and Timestamp signed.
    let trust = TrustAnchors::from_pem(s.notification_ca_cert_pem().as_bytes()).unwrap();
    let weryfikator = Arc::new(Verifier::new(VerificationPolicy::new(trust)));
    let odebrane: Arc<Mutex<Vec<nt::PrzekazNotyfikacjeRequest>>> = Arc::default();
    let bledy: Arc<Mutex<Vec<String>>> = Arc::default();
    let odrzucaj = Arc::new(AtomicBool::new(false));
    // The SDK's receiver, with the vendor's handler behind it.
    let obsluzone: Arc<Mutex<Vec<Notyfikacja>>> = Arc::default();
    let przebiegi: Arc<Mutex<Vec<Przebieg>>> = Arc::default();
    let h = obsluzone.clone();
    let odbiornik = Odbiornik::new(
        s.notification_verifier().unwrap(),
        Arc::new(move |n: Notyfikacja| {
            let h = h.clone();
            Box::pin(async move {
                h.lock().unwrap().push(n);
                Ok(())
            })
        }),
    );
    let (o, b, r, pr) = (
        odebrane.clone(),
        bledy.clone(),
        odrzucaj.clone(),
        przebiegi.clone(),
    );
    let handler = move |req: SandboxRequest| {
        let (o, b, r, pr, weryfikator, odbiornik) = (
            o.clone(),
            b.clone(),
            r.clone(),
            pr.clone(),
            weryfikator.clone(),
            odbiornik.clone(),
        );
        async move {
            if r.load(Ordering::SeqCst) {
                return SandboxResponse::new(500, "text/plain", "down for maintenance");
            }
            match przyjmij(&req, &weryfikator) {
                Ok(n) => {
                    o.lock().unwrap().push(n);
                    let odp = odbiornik.obsluz(req.header("SOAPAction"), &req.body).await;
                    pr.lock().unwrap().push(odp.wynik.clone());
                    SandboxResponse::new(odp.status, "text/xml; charset=utf-8", odp.body)
                }
                Err(e) => {
                    b.lock().unwrap().push(e.clone());
                    SandboxResponse::new(500, "text/plain", e)
                }
            }
        }
    };
    let server = MtlsServer::start(&pki, Arc::new(handler)).unwrap();
    let url = server.base_url().join("cer/notyfikacje").unwrap();
    // CeR presents a client certificate the provider's endpoint accepts.
    let tozsamosc = pki.issue_client_cert("CeR").unwrap().identity().unwrap();
    s.zarejestruj_odbiorce(url, pki.ca_cert_pem().as_bytes(), Some(tozsamosc))
        .unwrap();
    Odbiorca {
        _server: server,
        odebrane,
        bledy,
        obsluzone,
        przebiegi,
        odrzucaj,
    }
}

// --- tests ---

#[tokio::test]
async fn activation_frees_the_slots_and_bookings_follow_the_referral_rules() {
    let s = start();
    let cl = s.client().unwrap();
    let h = harmonogram(
        &cl,
        vec![
            slot(
                "2026-07-10T08:00:00+02:00",
                "2026-07-10T08:20:00+02:00",
                &[Pierwszorazowa],
            ),
            slot(
                "2026-07-10T08:20:00+02:00",
                "2026-07-10T08:40:00+02:00",
                &[Kolejna],
            ),
            slot(
                "2026-07-11T09:00:00+02:00",
                "2026-07-11T09:20:00+02:00",
                &[Pierwszorazowa, Kolejna],
            ),
        ],
    )
    .await;
    assert_eq!(h.id_harmonogramu.as_ref().unwrap().get(), "H-1");
    let ids: Vec<_> = h
        .slot
        .iter()
        .map(|s| s.id_slotu.as_ref().unwrap().get().as_str())
        .collect();
    assert_eq!(ids, ["S-1", "S-2", "S-3"]);
    assert!(
        h.slot
            .iter()
            .all(|s| s.status == Some(c::StatusSlotuMT::Nieaktywny))
    );

    // The list by days: two slots on 10 July.
    let lista = cl
        .pobierz_liste_harmonogramow(
            &kontekst(),
            &op::pobierz_liste_harmonogramow::Input::new(id_mus(), DZIS, date!(2026 - 07 - 10)),
        )
        .await
        .unwrap();
    lista.sprawdz_wynik().unwrap();
    assert_eq!(lista.output.harmonogram.len(), 1);
    assert_eq!(lista.output.harmonogram[0].slot.len(), 2);

    assert_eq!(s.aktywacja_mus(MUS), None);
    aktywuj(&cl).await;
    assert_eq!(s.aktywacja_mus(MUS), Some(DZIS));
    assert_eq!(status_slotu(&s, "S-1"), c::StatusSlotuMT::Wolny);

    s.dodaj_skierowanie("K-WYST", StatusSkierowania::Wystawione);
    s.dodaj_skierowanie("K-UREAL", StatusSkierowania::URealizatora);
    let st = cl
        .pobierz_status_skierowania(
            &kontekst(),
            &op::pobierz_status_skierowania::Input::new("K-WYST".into()),
        )
        .await
        .unwrap();
    st.sprawdz_wynik().unwrap();
    assert_eq!(st.output.status, Some(c::StatusSkierowaniaMT::Wystawione));
    let st = cl
        .pobierz_status_skierowania(
            &kontekst(),
            &op::pobierz_status_skierowania::Input::new("K-NONE".into()),
        )
        .await
        .unwrap();
    assert_eq!(st.output.wynik.major, WYNIK_NIE_ZNALEZIONO);

    // A first visit on an issued e-referral, a follow-up on one at the provider, a follow-up
    // without a referral.
    let w1 = zapisz_ok(&cl, dane("S-1", Pierwszorazowa, PESELE[0], Some("K-WYST"))).await;
    let w2 = zapisz_ok(&cl, dane("S-2", Kolejna, PESELE[1], Some("K-UREAL"))).await;
    let w3 = zapisz_ok(&cl, dane("S-3", Kolejna, PESELE[2], None)).await;
    assert_eq!([w1.as_str(), &w2, &w3], ["W-1", "W-2", "W-3"]);
    assert_eq!(status_slotu(&s, "S-1"), c::StatusSlotuMT::Zajety);
    let w = s.wizyta("W-1").unwrap();
    assert_eq!(w.kanal, c::KanalMT::Podmiot);
    assert_eq!(w.status, c::StatusWizytyMT::Umowiona);
    assert_eq!(w.poczatek, dt("2026-07-10T08:00:00+02:00"));
    assert_eq!(w.kod_swiadczenia.get(), KOD);

    // Moving W-3 into S-2, taken: 9644. Then its contact only: one is required.
    let mut zmiana = op::zmien_wizyte::Input::new(id("W-3"));
    zmiana.id_slotu = Some(id("S-2"));
    let r = cl.zmien_wizyte(&kontekst(), &zmiana).await.unwrap();
    assert_eq!(kody(&r.output.wynik_weryfikacji_reguly), ["REG.WER.9644"]);
    let mut zmiana = op::zmien_wizyte::Input::new(id("W-3"));
    zmiana.kontakt = Some(c::KontaktMT::new());
    let r = cl.zmien_wizyte(&kontekst(), &zmiana).await.unwrap();
    assert_eq!(kody(&r.output.wynik_weryfikacji_reguly), ["REG.WER.8361"]);
    zmiana.kontakt = Some(kontakt("600999888"));
    cl.zmien_wizyte(&kontekst(), &zmiana)
        .await
        .unwrap()
        .sprawdz_wynik()
        .unwrap();
    assert_eq!(
        s.wizyta("W-3").unwrap().dane.kontakt.telefon.as_deref(),
        Some("600999888")
    );

    let lista = wizyty_sync(&cl).await;
    assert_eq!(lista.len(), 3);
    // Changed since a moment in the future: none.
    let mut input = op::pobierz_liste_wizyt_sync::Input::new(id_mus(), DZIS, date!(2026 - 07 - 31));
    input.zmienione_od = Some(dt("2026-07-02T00:00:00Z"));
    let r = cl
        .pobierz_liste_wizyt_sync(&kontekst(), &input)
        .await
        .unwrap();
    assert!(r.output.wizyta.is_empty());
}

#[tokio::test]
async fn the_40_day_rule_holds_after_activation_only() {
    let s = start();
    let cl = s.client().unwrap();
    let kinds = [Kolejna];
    harmonogram(
        &cl,
        vec![
            // 62 days ahead: booked before activation (back-fill, L592).
            slot(
                "2026-09-01T08:00:00+02:00",
                "2026-09-01T08:20:00+02:00",
                &kinds,
            ),
            // 40 days ahead.
            slot(
                "2026-08-10T08:00:00+02:00",
                "2026-08-10T08:20:00+02:00",
                &kinds,
            ),
            // 41 days ahead.
            slot(
                "2026-08-11T08:00:00+02:00",
                "2026-08-11T08:20:00+02:00",
                &kinds,
            ),
        ],
    )
    .await;
    zapisz_ok(&cl, dane("S-1", Kolejna, PESELE[0], None)).await;
    aktywuj(&cl).await;
    assert_eq!(
        zapisz_odmowa(&cl, dane("S-3", Kolejna, PESELE[1], None)).await,
        [REGULA_40_DNI]
    );
    zapisz_ok(&cl, dane("S-2", Kolejna, PESELE[1], None)).await;
    // A day later, 11 August is 40 days ahead.
    s.ustaw_dzis(date!(2026 - 07 - 02));
    assert_eq!(s.dzis(), date!(2026 - 07 - 02));
    zapisz_ok(&cl, dane("S-3", Kolejna, PESELE[2], None)).await;
    // The visit booked before activation stays.
    assert_eq!(s.wizyty().len(), 3);
}

#[tokio::test]
async fn refusals_carry_the_rule_codes_and_change_nothing() {
    let s = start();
    let cl = s.client().unwrap();
    harmonogram(
        &cl,
        vec![
            slot(
                "2026-07-10T08:00:00+02:00",
                "2026-07-10T08:20:00+02:00",
                &[Pierwszorazowa],
            ),
            slot(
                "2026-07-10T08:20:00+02:00",
                "2026-07-10T08:40:00+02:00",
                &[Kolejna],
            ),
            slot(
                "2026-07-11T09:00:00+02:00",
                "2026-07-11T09:20:00+02:00",
                &[Pierwszorazowa],
            ),
        ],
    )
    .await;
    aktywuj(&cl).await;
    s.dodaj_skierowanie("K-WYST", StatusSkierowania::Wystawione);
    s.dodaj_skierowanie("K-UREAL", StatusSkierowania::URealizatora);
    s.dodaj_skierowanie("K-ZREAL", StatusSkierowania::Zrealizowane);

    // REG.WER.8361: no contact.
    let mut d = dane("S-1", Pierwszorazowa, PESELE[0], Some("K-WYST"));
    d.kontakt = c::KontaktMT::new();
    assert_eq!(zapisz_odmowa(&cl, d).await, ["REG.WER.8361"]);
    // REG.WER.9662: a first visit without a referral, or on a referral not issued; a follow-up
    // on an issued one; anything on a realised or unknown one.
    for (rodzaj, klucz) in [
        (Pierwszorazowa, None),
        (Pierwszorazowa, Some("K-UREAL")),
        (Pierwszorazowa, Some("K-ZREAL")),
        (Pierwszorazowa, Some("K-UNKNOWN")),
    ] {
        assert_eq!(
            zapisz_odmowa(&cl, dane("S-1", rodzaj, PESELE[0], klucz)).await,
            ["REG.WER.9662"],
            "{klucz:?}"
        );
    }
    for klucz in ["K-WYST", "K-ZREAL"] {
        assert_eq!(
            zapisz_odmowa(&cl, dane("S-2", Kolejna, PESELE[0], Some(klucz))).await,
            ["REG.WER.9662"]
        );
    }
    // REG.WER.9667: asked for after the visit.
    let mut d = dane("S-1", Pierwszorazowa, PESELE[0], Some("K-WYST"));
    d.data_zapisu = dt("2026-07-10T08:30:00+02:00");
    assert_eq!(zapisz_odmowa(&cl, d).await, ["REG.WER.9667"]);
    // The slot's kinds.
    assert_eq!(
        zapisz_odmowa(&cl, dane("S-1", Kolejna, PESELE[0], None)).await,
        [REGULA_RODZAJ]
    );
    assert!(s.wizyty().is_empty(), "refusals store nothing");

    // A paper referral is accepted as given.
    let mut d = dane("S-3", Pierwszorazowa, PESELE[0], None);
    d.skierowanie = Some(c::SkierowanieMT::new(
        c::SkierowanieMtChoiceKluczSkierowania::SkierowaniePapierowe(
            c::SkierowaniePapieroweMT::new(c::IdentyfikatorOIDMTOrDerived::IdentyfikatorOIDMT(
                Box::new(c::IdentyfikatorOIDMT::new(
                    "5425740".into(),
                    sdk_p1::OID_NPWZ.into(),
                )),
            )),
        ),
    ));
    zapisz_ok(&cl, d).await;
    // REG.WER.9644: the slot is taken (by another patient or the same one).
    for pesel in [PESELE[1], PESELE[0]] {
        assert_eq!(
            zapisz_odmowa(&cl, dane("S-3", Pierwszorazowa, pesel, Some("K-WYST"))).await,
            ["REG.WER.9644"]
        );
    }
    // Every broken rule is reported, in one answer, which `sprawdz_wynik` turns into an error.
    let mut d = dane("S-3", Pierwszorazowa, PESELE[2], None);
    d.kontakt = c::KontaktMT::new();
    let r = cl
        .zapisz_na_wizyte(&kontekst(), &op::zapisz_na_wizyte::Input::new(d))
        .await
        .unwrap();
    assert_eq!(
        kody(&r.output.wynik_weryfikacji_reguly),
        ["REG.WER.8361", "REG.WER.9662", "REG.WER.9644"]
    );
    let e = r.sprawdz_wynik().unwrap_err();
    assert_eq!(e.major, WYNIK_BLAD_WERYFIKACJI);
    assert_eq!(s.wizyty().len(), 1);

    // Unknown identifiers.
    let out = zapisz(&cl, dane("S-99", Kolejna, PESELE[0], None)).await;
    assert_eq!(out.wynik.major, WYNIK_NIE_ZNALEZIONO);
    let r = cl
        .odwolaj_wizyte(&kontekst(), &op::odwolaj_wizyte::Input::new(id("W-99")))
        .await
        .unwrap();
    assert_eq!(r.output.wynik.major, WYNIK_NIE_ZNALEZIONO);
}

#[tokio::test]
async fn unsigned_and_misfit_requests_are_refused_with_faults() {
    let s = start();
    let cl = s.client().unwrap();
    harmonogram(&cl, vec![]).await;
    let aktywacja = op::aktywuj_mus::Input::new(id_mus());

    // No signature at all.
    let unsigned =
        cer::Client::from_builder(s.client_builder("unsigned").unwrap().unsigned()).unwrap();
    let e = unsigned
        .aktywuj_mus(&kontekst(), &aktywacja)
        .await
        .unwrap_err();
    assert_eq!(
        kody_bledu(&e),
        (
            "urn:csioz:p1:kodBleduMajor:bladUwierzytelnieniaWSS".into(),
            Some("urn:csioz:p1:kodBleduMinor:brakCertyfikatu".into())
        )
    );
    assert!(e.service_error().is_some());

    // Signed by a certificate of another CA.
    let obcy = TestPki::new("Foreign WSS CA").unwrap();
    let cert = obcy.issue_client_cert("Podmiot WSS").unwrap();
    let signer = cer::signer(SigningIdentity::from_pem(cert.pem_bundle().as_bytes()).unwrap());
    let foreign =
        cer::Client::from_builder(s.client_builder("foreign").unwrap().signer(signer)).unwrap();
    let e = foreign
        .aktywuj_mus(&kontekst(), &aktywacja)
        .await
        .unwrap_err();
    assert_eq!(
        kody_bledu(&e),
        (
            "urn:csioz:p1:kodBleduMajor:bladUwierzytelnieniaWSS".into(),
            Some("urn:csioz:p1:kodBleduMinor:certyfikatNiewazny".into())
        )
    );

    // Signed over Body and Timestamp only: CeR's v20180509 context is not signed.
    let bez_kontekstu = cer::Client::from_builder(s.client_builder("body only").unwrap().signer(
        sdk_p1::wssec::WsSecuritySigner::new(
            s.signing_identity("Podmiot WSS").unwrap(),
            SigningProfile::new(),
        ),
    ))
    .unwrap();
    let e = bez_kontekstu
        .aktywuj_mus(&kontekst(), &aktywacja)
        .await
        .unwrap_err();
    assert_eq!(
        kody_bledu(&e).0,
        "urn:csioz:p1:kodBleduMajor:bladPodpisuKomunikatuWSS"
    );

    // A signed context without the entity (sent through the generic call path).
    let raw = s
        .client_builder("raw")
        .unwrap()
        .build_at(cer::CER_PATH)
        .unwrap();
    let mut header = c::KontekstMT::new();
    let mut rola = c::AtrybutMT::new();
    rola.nazwa = Some("urn:csioz:p1:kontekst:rolaBiznesowa".into());
    rola.wartosc.push(
        c::WartoscAtrybutuMT::new("SYSTEM_ZEWNETRZNY_PODMIOTU_LECZNICZEGO".to_owned()).unwrap(),
    );
    header.atrybut.push(rola);
    let e = raw
        .call_with::<_, _, op::aktywuj_mus::Output>(
            &op::aktywuj_mus::SPEC,
            cer::KONTEKST_CER,
            &header,
            &aktywacja,
        )
        .await
        .unwrap_err();
    let (major, minor) = kody_bledu(&e);
    assert_eq!(major, "urn:csioz:p1:kodBleduMajor:niepoprawnyKomunikat");
    assert_eq!(
        minor.as_deref(),
        Some("urn:csioz:p1:kodBleduMinor:bladKontekstu")
    );
    assert!(e.to_string().contains("idPodmiotuOidRoot"), "{e}");

    // Another entity's place of service.
    let e = cl
        .aktywuj_mus(&kontekst_dla("000000999999"), &aktywacja)
        .await
        .unwrap_err();
    assert_eq!(
        kody_bledu(&e),
        (
            "urn:csioz:p1:kodBleduMajor:bladAutoryzacji".into(),
            Some("urn:csioz:p1:kodBleduMinor:brakUprawnienPodmiotu".into())
        )
    );
    assert_eq!(s.aktywacja_mus(MUS), None, "nothing was activated");
    assert_eq!(s.requests_received(), 6);
}

#[tokio::test]
async fn a_cancellation_books_the_waiting_room_and_the_provider_is_notified() {
    let s = start();
    let odbiorca = odbiorca(&s);
    let cl = s.client().unwrap();
    harmonogram(
        &cl,
        vec![slot(
            "2026-07-10T08:00:00+02:00",
            "2026-07-10T08:20:00+02:00",
            &[Pierwszorazowa],
        )],
    )
    .await;
    aktywuj(&cl).await;
    for k in ["K-A", "K-B", "K-C"] {
        s.dodaj_skierowanie(k, StatusSkierowania::Wystawione);
    }
    let w1 = zapisz_ok(&cl, dane("S-1", Pierwszorazowa, PESELE[0], Some("K-A"))).await;

    let wpis = |pesel: &str, klucz: &str, zapis: &str| {
        let mut w = c::WpisPoczekalniMT::new(
            pacjent(pesel),
            kontakt("600300400"),
            c::KryteriaPoczekalniMT::new(c::KodSwiadczeniaMT::new(KOD).unwrap()),
            true,
            dt(zapis),
        );
        w.skierowanie = Some(e_skierowanie(klucz));
        op::zapisz_do_poczekalni::Input::new(w)
    };
    // Without consent and contact: refused.
    let mut bez = wpis(PESELE[1], "K-B", "2026-06-20T10:00:00+02:00");
    bez.wpis.zgoda_pacjenta = false;
    bez.wpis.kontakt = c::KontaktMT::new();
    let r = cl.zapisz_do_poczekalni(&kontekst(), &bez).await.unwrap();
    assert_eq!(
        kody(&r.output.wynik_weryfikacji_reguly),
        [REGULA_ZGODA, "REG.WER.8361"]
    );
    // B and C wait: no free slot.
    let b = cl
        .zapisz_do_poczekalni(
            &kontekst(),
            &wpis(PESELE[1], "K-B", "2026-06-20T10:00:00+02:00"),
        )
        .await
        .unwrap();
    b.sprawdz_wynik().unwrap();
    assert_eq!(b.output.id_wpisu.unwrap().get(), "P-1");
    let cc = cl
        .zapisz_do_poczekalni(
            &kontekst(),
            &wpis(PESELE[2], "K-C", "2026-06-25T10:00:00+02:00"),
        )
        .await
        .unwrap();
    let p2 = cc.output.id_wpisu.unwrap();
    assert_eq!(s.poczekalnia().len(), 2);
    // C changes their mind.
    let usun = op::usun_z_poczekalni::Input::new(p2);
    cl.usun_z_poczekalni(&kontekst(), &usun)
        .await
        .unwrap()
        .sprawdz_wynik()
        .unwrap();
    let again = cl.usun_z_poczekalni(&kontekst(), &usun).await.unwrap();
    assert_eq!(again.output.wynik.major, WYNIK_NIE_ZNALEZIONO);
    assert_eq!(s.poczekalnia().len(), 1);
    assert!(odbiorca.odebrane().is_empty());

    // The provider cancels A's visit: B, waiting, is booked into the freed slot.
    let r = cl
        .odwolaj_wizyte(&kontekst(), &op::odwolaj_wizyte::Input::new(id(&w1)))
        .await
        .unwrap();
    r.sprawdz_wynik().unwrap();
    assert_eq!(r.output.id_wpisu_poczekalni, None);
    assert_eq!(s.wizyta(&w1).unwrap().status, c::StatusWizytyMT::Odwolana);
    assert!(s.poczekalnia().is_empty());
    let wizyty = s.wizyty();
    let nowa = wizyty.last().unwrap();
    assert_eq!(nowa.kanal, c::KanalMT::Poczekalnia);
    assert_eq!(nowa.dane.pacjent.extension, PESELE[1]);
    assert_eq!(nowa.dane.id_slotu.get(), "S-1");
    assert_eq!(status_slotu(&s, "S-1"), c::StatusSlotuMT::Zajety);

    // Delivered, signed, before the cancellation was answered.
    let odebrane = odbiorca.odebrane();
    assert_eq!(odebrane.len(), 1);
    let n = &odebrane[0];
    assert_eq!(n.rodzaj, nt::RodzajNotyfikacjiMT::ZapisZPoczekalni);
    assert_eq!(n.wizyta.id_wizyty.get(), nowa.id_wizyty.get());
    assert_eq!(n.wizyta.kanal, nt::KanalMT::Poczekalnia);
    assert_eq!(n.wizyta.dane.pacjent.extension, PESELE[1]);
    assert_eq!(n.czas_zdarzenia.local().date(), DZIS);
    assert_eq!(s.notyfikacje(), odebrane);
    assert!(s.nieudane_notyfikacje().is_empty());
    // The vendor's handler, behind the SDK's receiver, got the typed event.
    let obsluzone = odbiorca.obsluzone();
    assert_eq!(obsluzone.len(), 1);
    assert_eq!(
        obsluzone[0].rodzaj,
        nt::RodzajNotyfikacjiMT::ZapisZPoczekalni
    );
    assert_eq!(obsluzone[0].wizyta.id_wizyty.get(), nowa.id_wizyty.get());
}

#[tokio::test]
async fn privileged_and_unrealised_first_visits_go_to_the_waiting_room() {
    let s = start();
    let cl = s.client().unwrap();
    harmonogram(
        &cl,
        vec![
            slot(
                "2026-07-10T08:00:00+02:00",
                "2026-07-10T08:20:00+02:00",
                &[Pierwszorazowa, UprawnieniaSzczegolne],
            ),
            slot(
                "2026-07-03T08:00:00+02:00",
                "2026-07-03T08:20:00+02:00",
                &[Pierwszorazowa],
            ),
        ],
    )
    .await;
    aktywuj(&cl).await;
    s.dodaj_skierowanie("K-1", StatusSkierowania::Wystawione);

    // A privileged patient's first visit, cancelled by the provider: into the waiting room,
    // not back into the same slot.
    let mut d = dane("S-1", UprawnieniaSzczegolne, PESELE[0], None);
    d.kod_uprawnienia_szczegolnego = Some("ZHK".into());
    let w1 = zapisz_ok(&cl, d).await;
    let r = cl
        .odwolaj_wizyte(&kontekst(), &op::odwolaj_wizyte::Input::new(id(&w1)))
        .await
        .unwrap();
    r.sprawdz_wynik().unwrap();
    let wpis = r.output.id_wpisu_poczekalni.unwrap();
    let poczekalnia = s.poczekalnia();
    assert_eq!(poczekalnia.len(), 1);
    assert_eq!(poczekalnia[0].id_wpisu.as_ref(), Some(&wpis));
    assert_eq!(poczekalnia[0].pacjent.extension, PESELE[0]);
    assert_eq!(status_slotu(&s, "S-1"), c::StatusSlotuMT::Wolny);
    // Cancelling again is not allowed.
    let again = cl
        .odwolaj_wizyte(&kontekst(), &op::odwolaj_wizyte::Input::new(id(&w1)))
        .await
        .unwrap();
    assert_eq!(
        again.output.wynik.major,
        sdk_p1::cer::sandbox::WYNIK_NIEDOZWOLONA_ZMIANA_STATUSU
    );

    // A new slot for privileged patients: the waiting room books it at once. No receiver is
    // registered: the notification's failure is recorded, not raised.
    let mut zmiana = c::ZmianaHarmonogramuMT::new(id("H-1"));
    zmiana.dodaj_slot.push(slot(
        "2026-07-12T08:00:00+02:00",
        "2026-07-12T08:20:00+02:00",
        &[UprawnieniaSzczegolne],
    ));
    let r = cl
        .zmien_harmonogram(&kontekst(), &op::zmien_harmonogram::Input::new(zmiana))
        .await
        .unwrap();
    r.sprawdz_wynik().unwrap();
    assert!(s.poczekalnia().is_empty());
    let w = s.wizyty().pop().unwrap();
    assert_eq!(w.kanal, c::KanalMT::Poczekalnia);
    assert_eq!(w.dane.rodzaj_wizyty, UprawnieniaSzczegolne);
    assert_eq!(w.dane.kod_uprawnienia_szczegolnego.as_deref(), Some("ZHK"));
    let nieudane = s.nieudane_notyfikacje();
    assert_eq!(nieudane.len(), 1);
    assert_eq!(
        nieudane[0].rodzaj,
        nt::RodzajNotyfikacjiMT::ZapisZPoczekalni
    );
    assert!(nieudane[0].powod.contains("no receiver"), "{nieudane:?}");

    // A booked slot cannot be removed.
    let slot_w = w.dane.id_slotu.get().clone();
    let mut zmiana = c::ZmianaHarmonogramuMT::new(id("H-1"));
    zmiana.usun_slot.push(id(&slot_w));
    let r = cl
        .zmien_harmonogram(&kontekst(), &op::zmien_harmonogram::Input::new(zmiana))
        .await
        .unwrap();
    assert_eq!(
        kody(&r.output.wynik_weryfikacji_reguly),
        [REGULA_SLOT_ZAJETY]
    );
    assert!(s.slot(&slot_w).is_some());

    // A first visit not realised through no fault of the patient: a waiting-room entry
    // (L713-L715); through the patient's fault: none.
    let w2 = zapisz_ok(&cl, dane("S-2", Pierwszorazowa, PESELE[1], Some("K-1"))).await;
    let r = cl
        .zapisz_realizacje_wizyty(
            &kontekst(),
            &op::zapisz_realizacje_wizyty::Input::new(
                id(&w2),
                c::StatusRealizacjiMT::NiezrealizowanaNieZWinyPacjenta,
            ),
        )
        .await
        .unwrap();
    r.sprawdz_wynik().unwrap();
    assert!(r.output.id_wpisu_poczekalni.is_some());
    // S-1 is free and fits: the patient is booked there at once.
    let w = s.wizyty().pop().unwrap();
    assert_eq!(w.dane.pacjent.extension, PESELE[1]);
    assert_eq!(w.dane.id_slotu.get(), "S-1");
    assert_eq!(w.kanal, c::KanalMT::Poczekalnia);
    assert_eq!(
        s.wizyta(&w2).unwrap().status,
        c::StatusWizytyMT::NiezrealizowanaNieZWinyPacjenta
    );
    let w3 = w.id_wizyty.get().clone();
    let r = cl
        .zapisz_realizacje_wizyty(
            &kontekst(),
            &op::zapisz_realizacje_wizyty::Input::new(
                id(&w3),
                c::StatusRealizacjiMT::NiezrealizowanaZWinyPacjenta,
            ),
        )
        .await
        .unwrap();
    r.sprawdz_wynik().unwrap();
    assert_eq!(r.output.id_wpisu_poczekalni, None);
    assert!(s.poczekalnia().is_empty());
}

#[tokio::test]
async fn patients_and_other_providers_actions_are_notified() {
    let s = start();
    let odbiorca = odbiorca(&s);
    let cl = s.client().unwrap();
    harmonogram(
        &cl,
        vec![
            slot(
                "2026-07-10T08:00:00+02:00",
                "2026-07-10T08:20:00+02:00",
                &[Pierwszorazowa, Kolejna],
            ),
            slot(
                "2026-07-10T08:20:00+02:00",
                "2026-07-10T08:40:00+02:00",
                &[Kolejna],
            ),
        ],
    )
    .await;
    s.dodaj_skierowanie("K-1", StatusSkierowania::Wystawione);
    s.dodaj_skierowanie("K-2", StatusSkierowania::URealizatora);

    // Before activation the slots are invisible in IKP.
    let e = s
        .pacjent_zapisuje_przez_ikp(&dane("S-1", Pierwszorazowa, PESELE[0], Some("K-1")))
        .await
        .unwrap_err();
    assert_eq!(e.kody(), [REGULA_NIEAKTYWNY]);
    aktywuj(&cl).await;
    // In IKP, first visits only.
    let e = s
        .pacjent_zapisuje_przez_ikp(&dane("S-1", Kolejna, PESELE[0], Some("K-2")))
        .await
        .unwrap_err();
    assert_eq!(e.kody(), [REGULA_IKP]);
    assert_eq!(e.wynik.major, WYNIK_BLAD_WERYFIKACJI);

    let w1 = s
        .pacjent_zapisuje_przez_ikp(&dane("S-1", Pierwszorazowa, PESELE[0], Some("K-1")))
        .await
        .unwrap();
    assert_eq!(w1.kanal, c::KanalMT::Ikp);
    let w2 = s
        .inny_podmiot_zapisuje(&dane("S-2", Kolejna, PESELE[1], Some("K-2")))
        .await
        .unwrap();
    assert_eq!(w2.kanal, c::KanalMT::InnyPodmiot);
    let odwolana = s
        .pacjent_odwoluje_przez_ikp(w1.id_wizyty.get())
        .await
        .unwrap();
    assert_eq!(odwolana.status, c::StatusWizytyMT::Odwolana);
    assert_eq!(odwolana.kanal, c::KanalMT::Ikp);
    assert_eq!(status_slotu(&s, "S-1"), c::StatusSlotuMT::Wolny);
    assert!(
        s.pacjent_odwoluje_przez_ikp(w1.id_wizyty.get())
            .await
            .is_err()
    );

    let odebrane = odbiorca.odebrane();
    let rodzaje: Vec<_> = odebrane.iter().map(|n| n.rodzaj.clone()).collect();
    assert_eq!(
        rodzaje,
        [
            nt::RodzajNotyfikacjiMT::ZapisIkp,
            nt::RodzajNotyfikacjiMT::ZapisInnyPodmiot,
            nt::RodzajNotyfikacjiMT::AnulacjaIkp
        ]
    );
    let ids: Vec<_> = odebrane
        .iter()
        .map(|n| n.id_notyfikacji.get().as_str())
        .collect();
    assert_eq!(ids, ["N-1", "N-2", "N-3"]);
    assert_eq!(odebrane[0].wizyta.id_wizyty.get(), w1.id_wizyty.get());
    assert_eq!(odebrane[2].wizyta.status, nt::StatusWizytyMT::Odwolana);

    // The provider sees the same in its list.
    let lista = wizyty_sync(&cl).await;
    assert_eq!(lista.len(), 2);
    assert_eq!(lista[0].status, c::StatusWizytyMT::Odwolana);
    assert_eq!(lista[1].kanal, c::KanalMT::InnyPodmiot);
}

#[tokio::test]
async fn a_redelivered_notification_arrives_twice_with_the_same_id() {
    let s = start();
    let odbiorca = odbiorca(&s);
    let cl = s.client().unwrap();
    harmonogram(
        &cl,
        vec![slot(
            "2026-07-10T08:00:00+02:00",
            "2026-07-10T08:20:00+02:00",
            &[Pierwszorazowa],
        )],
    )
    .await;
    aktywuj(&cl).await;
    s.dodaj_skierowanie("K-1", StatusSkierowania::Wystawione);
    s.pacjent_zapisuje_przez_ikp(&dane("S-1", Pierwszorazowa, PESELE[0], Some("K-1")))
        .await
        .unwrap();
    let pierwsza = odbiorca.odebrane();
    assert_eq!(pierwsza.len(), 1);
    let id_n = pierwsza[0].id_notyfikacji.get().clone();

    s.ponow_notyfikacje(&id_n).await.unwrap();
    let odebrane = odbiorca.odebrane();
    assert_eq!(odebrane.len(), 2);
    assert_eq!(
        odebrane[0], odebrane[1],
        "the same notification, the same id"
    );
    assert_eq!(s.notyfikacje().len(), 1, "no new notification was made");
    // Behind the SDK's receiver, the vendor's handler took it once.
    assert_eq!(odbiorca.obsluzone().len(), 1);
    assert_eq!(odbiorca.obsluzone()[0].id, id_n);
    assert!(matches!(
        odbiorca.przebiegi.lock().unwrap()[..],
        [Przebieg::Obsluzona(_), Przebieg::Powtorzona(_)]
    ));

    assert_eq!(
        s.ponow_notyfikacje("N-99").await,
        Err(BladNotyfikacji::NieZnaleziono("N-99".into()))
    );
    // The receiver is down: the redelivery fails, is recorded, and can be repeated later.
    odbiorca.odrzucaj.store(true, Ordering::SeqCst);
    let e = s.ponow_notyfikacje(&id_n).await.unwrap_err();
    assert!(
        matches!(&e, BladNotyfikacji::Dostarczenie(p) if p.contains("500")),
        "{e:?}"
    );
    let nieudane = s.nieudane_notyfikacje();
    assert_eq!(nieudane.len(), 1);
    assert_eq!(nieudane[0].id_notyfikacji, id_n);
    odbiorca.odrzucaj.store(false, Ordering::SeqCst);
    s.ponow_notyfikacje(&id_n).await.unwrap();
    assert_eq!(odbiorca.odebrane().len(), 3);
}

/// An initial-load file written by `ZapisCsv` from `wizyty`, plus `dodatkowe` raw rows.
fn plik_csv(wizyty: &[Wizyta], dodatkowe: &[&str]) -> Vec<u8> {
    let mut zapis = ZapisCsv::new(Vec::new()).unwrap();
    for w in wizyty {
        zapis.zapisz(w).unwrap();
    }
    let mut plik = zapis.zakoncz().unwrap();
    for wiersz in dodatkowe {
        plik.extend_from_slice(wiersz.as_bytes());
        plik.extend_from_slice(b"\r\n");
    }
    plik
}

async fn zasil(
    cl: &cer::Client,
    tryb: c::TrybZasileniaMT,
    plik: Vec<u8>,
) -> op::pobierz_wynik_zasilenia::Output {
    let r = cl
        .zasilenie_inicjalne(
            &kontekst(),
            &op::zasilenie_inicjalne::Input::new(id_mus(), tryb, TrescDokumentu::new(plik)),
        )
        .await
        .unwrap();
    r.sprawdz_wynik().unwrap();
    let zadanie = r.output.id_zadania.unwrap();
    let w = cl
        .pobierz_wynik_zasilenia(
            &kontekst(),
            &op::pobierz_wynik_zasilenia::Input::new(zadanie),
        )
        .await
        .unwrap();
    w.sprawdz_wynik().unwrap();
    w.output
}

fn bledy(w: &op::pobierz_wynik_zasilenia::Output) -> Vec<(u64, &str)> {
    w.blad
        .iter()
        .map(|b| (b.numer_wiersza, b.kod_bledu.as_str()))
        .collect()
}

#[tokio::test]
async fn the_initial_load_verifies_then_loads_and_reports_the_bad_row() {
    let s = start();
    let cl = s.client().unwrap();
    s.dodaj_skierowanie("KLUCZ-1", StatusSkierowania::Wystawione);
    let mut kolejna = Wizyta::new(
        MUS,
        KOD,
        datetime!(2026-07-15 09:00),
        20,
        RodzajWizyty::Kolejna,
        Pesel::parse(PESELE[0]).unwrap(),
        datetime!(2026-06-01 10:00:00),
    );
    kolejna.telefon = Some("600700800".into());
    let mut pierwsza = Wizyta::new(
        MUS,
        KOD,
        datetime!(2026-07-15 09:20),
        20,
        RodzajWizyty::Pierwszorazowa,
        Pesel::parse(PESELE[1]).unwrap(),
        datetime!(2026-06-02 11:00:00),
    );
    pierwsza.email = Some("pacjent@example.com".into());
    pierwsza.klucz_skierowania = Some("KLUCZ-1".into());
    pierwsza.status_skierowania = Some(StatusSkierowania::Wystawione);
    // Row 4: no e-mail and no phone (ZapisCsv would refuse it, so it is added by hand).
    let zly = format!(
        "{MUS};{KOD};;2026-07-16T09:00;20;KOLEJNA;{};;;;;;2026-06-01T10:00:00",
        PESELE[2]
    );
    let plik = plik_csv(&[kolejna.clone(), pierwsza.clone()], &[&zly]);

    // Verification only: the bad row's code, nothing stored.
    let w = zasil(&cl, c::TrybZasileniaMT::WeryfikacjaPliku, plik.clone()).await;
    assert_eq!(w.status, c::StatusZasileniaMT::Blad);
    assert_eq!(bledy(&w), [(4, "REG.WER.8361")]);
    assert_eq!((w.liczba_wizyt, w.liczba_zapisanych), (Some(3), Some(0)));
    assert!(s.wizyty().is_empty() && s.harmonogramy().is_empty());

    // The load: the valid rows stored, each in a slot made for it.
    let w = zasil(&cl, c::TrybZasileniaMT::Zasilenie, plik).await;
    assert_eq!(w.status, c::StatusZasileniaMT::Blad);
    assert_eq!(bledy(&w), [(4, "REG.WER.8361")]);
    assert_eq!((w.liczba_wizyt, w.liczba_zapisanych), (Some(3), Some(2)));
    let wizyty = s.wizyty();
    assert_eq!(wizyty.len(), 2);
    assert_eq!(wizyty[0].poczatek, dt("2026-07-15T09:00:00+02:00"));
    assert_eq!(wizyty[0].koniec, dt("2026-07-15T09:20:00+02:00"));
    assert_eq!(wizyty[1].dane.rodzaj_wizyty, Pierwszorazowa);
    assert_eq!(wizyty[1].kanal, c::KanalMT::Podmiot);
    let harmonogramy = s.harmonogramy();
    assert_eq!(harmonogramy.len(), 1);
    assert_eq!(
        harmonogramy[0].nazwa.as_deref(),
        Some("zasilenie inicjalne")
    );
    assert!(
        harmonogramy[0]
            .slot
            .iter()
            .all(|s| s.status == Some(c::StatusSlotuMT::Zajety))
    );
    assert_eq!(wizyty_sync(&cl).await.len(), 2);

    // The same visits again: they already exist in CeR.
    let w = zasil(
        &cl,
        c::TrybZasileniaMT::Zasilenie,
        plik_csv(&[kolejna, pierwsza], &[]),
    )
    .await;
    assert_eq!(bledy(&w), [(2, "REG.WER.9644"), (3, "REG.WER.9644")]);
    assert_eq!(w.liczba_zapisanych, Some(0));

    // A clean file: SUKCES.
    let mut nowa = Wizyta::new(
        MUS,
        KOD,
        datetime!(2026-07-20 10:00),
        30,
        RodzajWizyty::Kolejna,
        Pesel::parse(PESELE[3]).unwrap(),
        datetime!(2026-06-10 08:00:00),
    );
    nowa.telefon = Some("+48 600 111 222".into());
    let w = zasil(&cl, c::TrybZasileniaMT::Zasilenie, plik_csv(&[nowa], &[])).await;
    assert_eq!(w.status, c::StatusZasileniaMT::Sukces);
    assert!(w.blad.is_empty());
    assert_eq!(s.wizyty().len(), 3);

    let w = cl
        .pobierz_wynik_zasilenia(
            &kontekst(),
            &op::pobierz_wynik_zasilenia::Input::new(id("Z-99")),
        )
        .await
        .unwrap();
    assert_eq!(w.output.wynik.major, WYNIK_NIE_ZNALEZIONO);
}

#[tokio::test]
async fn reconciliation_finds_the_planted_differences() {
    let s = start();
    let cl = s.client().unwrap();
    harmonogram(
        &cl,
        vec![
            slot(
                "2026-07-10T08:00:00+02:00",
                "2026-07-10T08:20:00+02:00",
                &[Pierwszorazowa],
            ),
            slot(
                "2026-07-10T09:00:00+02:00",
                "2026-07-10T09:20:00+02:00",
                &[Pierwszorazowa],
            ),
        ],
    )
    .await;
    aktywuj(&cl).await;
    s.dodaj_skierowanie("K-1", StatusSkierowania::Wystawione);
    s.dodaj_skierowanie("K-2", StatusSkierowania::Wystawione);
    let w1 = zapisz_ok(&cl, dane("S-1", Pierwszorazowa, PESELE[0], Some("K-1"))).await;
    // Booked in IKP while the provider's system missed the notification.
    let ikp = s
        .pacjent_zapisuje_przez_ikp(&dane("S-2", Pierwszorazowa, PESELE[1], Some("K-2")))
        .await
        .unwrap();

    // The provider's list: W-1 with a phone changed only locally, and a visit CeR lacks.
    let mut znana = WizytaLokalna::new(
        MUS,
        dt("2026-07-10T08:00:00+02:00"),
        PESELE[0],
        Pierwszorazowa,
    );
    znana.id_wizyty = Some(w1.clone());
    znana.telefon = Some("600999999".into());
    let mut tylko_lokalna =
        WizytaLokalna::new(MUS, dt("2026-07-11T10:00:00+02:00"), PESELE[2], Kolejna);
    tylko_lokalna.telefon = Some("600100200".into());
    let lokalne = [znana, tylko_lokalna.clone()];

    let r = cl
        .uzgodnij(
            &kontekst(),
            &id_mus(),
            date!(2026 - 07 - 01),
            date!(2026 - 07 - 31),
            &lokalne,
        )
        .await
        .unwrap();
    assert_eq!(r.brak_w_cer, [tylko_lokalna]);
    assert_eq!(r.brak_lokalnie.len(), 1);
    assert_eq!(r.brak_lokalnie[0].id_wizyty, ikp.id_wizyty);
    assert_eq!(r.brak_lokalnie[0].kanal, c::KanalMT::Ikp);
    assert_eq!(r.rozne.len(), 1);
    assert_eq!(r.rozne[0].id_wizyty, w1);
    let pola: Vec<_> = r.rozne[0].pola.iter().map(|p| p.pole).collect();
    assert_eq!(pola, ["telefon"]);
    assert_eq!(r.rozne[0].pola[0].w_cer, "600100200");
}

#[tokio::test]
async fn the_client_checks_the_file_first_and_waits_for_the_result() {
    let s = start();
    let cl = s.client().unwrap();
    let mut w = Wizyta::new(
        MUS,
        KOD,
        datetime!(2026-07-15 09:00),
        20,
        RodzajWizyty::Kolejna,
        Pesel::parse(PESELE[0]).unwrap(),
        datetime!(2026-06-01 10:00:00),
    );
    w.telefon = Some("600700800".into());
    let zly = format!(
        "{MUS};{KOD};;2026-07-16T09:00;20;KOLEJNA;{};;;;;;2026-06-01T10:00:00",
        PESELE[2]
    );
    let sekunda = std::time::Duration::from_secs(1);

    // A file with a problem is not sent at all.
    let przed = s.requests_received();
    let e = cl
        .zasil(
            &kontekst(),
            &id_mus(),
            &plik_csv(std::slice::from_ref(&w), &[&zly]),
            c::TrybZasileniaMT::Zasilenie,
            sekunda,
            sekunda * 10,
        )
        .await
        .unwrap_err();
    match &e {
        cer::ZasilenieError::Plik { raport, problemy } => {
            assert_eq!(raport.wiersze_z_bledami, 1);
            assert_eq!(problemy[0].kod.kod(), "REG.WER.8361");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.requests_received(), przed, "nothing was sent");

    // A clean file: verified, then loaded, with the result.
    for tryb in [
        c::TrybZasileniaMT::WeryfikacjaPliku,
        c::TrybZasileniaMT::Zasilenie,
    ] {
        let wynik = cl
            .zasil(
                &kontekst(),
                &id_mus(),
                &plik_csv(std::slice::from_ref(&w), &[]),
                tryb,
                sekunda,
                sekunda * 10,
            )
            .await
            .unwrap();
        assert_eq!(wynik.status, c::StatusZasileniaMT::Sukces);
    }
    assert_eq!(s.wizyty().len(), 1);
}

/// Notifications are signed under a CA of their own: a receiver trusting it refuses a
/// "notification" signed with a provider's signing certificate (which the WSS CA issues).
#[tokio::test]
async fn a_provider_cannot_sign_a_notification_the_receiver_accepts() {
    let s = Sandbox::start().unwrap();
    assert_ne!(s.notification_ca_cert_pem(), s.wss_ca_cert_pem());
    let envelope = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/><soap:Body><x xmlns="urn:t">forged</x></soap:Body></soap:Envelope>"#;
    let provider = sdk_runtime::wssec::WsSecuritySigner::new(
        s.signing_identity("a provider").unwrap(),
        sdk_runtime::wssec::SigningProfile::new(),
    );
    let forged = provider.sign_envelope(envelope.as_bytes()).unwrap();
    let err = s
        .notification_verifier()
        .unwrap()
        .verify_envelope(&forged)
        .unwrap_err();
    assert!(err.to_string().to_lowercase().contains("trust"), "{err}");
    // The provider's own requests stay acceptable to CeR: the WSS CA still verifies them.
    let wss = TrustAnchors::from_pem(s.wss_ca_cert_pem().as_bytes()).unwrap();
    Verifier::new(VerificationPolicy::new(wss))
        .verify_envelope(&forged)
        .unwrap();
}
