//! The e-Recepta sandbox end to end over real mutual TLS, with real WS-Security signatures:
//! signed calls store, read, block, unblock and cancel prescriptions; every refusal the sandbox
//! documents arrives as a typed `BladUslugi` (unsigned, tampered, untrusted signer, expired
//! timestamp, incomplete context, wrong role, another entity's prescription, unknown SOAPAction,
//! an operation not offered), a foreign TLS certificate fails the handshake, business failures
//! are a `wynik` that `sprawdz_wynik` turns into `NiepowodzenieOperacji`; the sandbox's answers
//! validate against the published schemas, and its signed answers verify with
//! `ClientBuilder::verify_responses`. Prescriptions are stored signed XAdES-BES with a
//! prescriber's certificate (`TrescDokumentu::podpisz`) and read back byte for byte, their
//! signature still verifying; unsigned, tampered, foreign-CA, WSS-certificate and plain
//! XML-DSig documents are refused per prescription (`SANDBOX.3`/`SANDBOX.4`) and nothing is
//! stored; `weryfikacjaPakietuRecept` takes unsigned documents and warns on signed ones.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use sdk_p1::erecepta::operation as op;
use sdk_p1::erecepta::types as t;
use sdk_p1::sandbox::{
    Sandbox, SandboxConfig, WYNIK_BLAD_WERYFIKACJI, WYNIK_NIE_ZNALEZIONO,
    WYNIK_NIEDOZWOLONA_ZMIANA_STATUSU, signing_identity_of,
};
use sdk_p1::wyjatki::types::KodBleduMajorMT as Major;
use sdk_p1::wyjatki::types::KodBleduMinorMT as Minor;
use sdk_p1::{
    BladUslugi, Client, Error, KontekstWywolania, MaWynik, OID_NPWZ, Oid, RolaBiznesowa,
    SigningError, TrescDokumentu, WYNIK_SUKCES, choices,
};
use sdk_runtime::SdkError;
use sdk_runtime::sandbox::TestPki;
use sdk_runtime::sandbox::xmllint::{SchemaRef, validate, validate_soap11};
use sdk_runtime::soap::{FaultError, OperationSpec, Provenance, SoapVersion};
use sdk_runtime::wssec::sign::{
    SignError, SigningProfile, WsSecuritySigner, sign_enveloped_document,
};
use sdk_runtime::wssec::verify::Verifier;
use sdk_runtime::wssec::{SignedPart, VerifyError, XadesLevel};
use sdk_runtime::xml::ElementName;

const PODMIOT_ROOT: &str = "2.16.840.1.113883.3.4424.2.3.1";

fn kontekst_for(podmiot: &str, rola: RolaBiznesowa) -> KontekstWywolania {
    KontekstWywolania::builder()
        .id_podmiotu(Oid::new(PODMIOT_ROOT, podmiot))
        .id_uzytkownika(Oid::new(OID_NPWZ, "1234567"))
        .id_miejsca_pracy(Oid::new("2.16.840.1.113883.3.4424.2.3.3", "01"))
        .rola_biznesowa(rola)
        .build()
        .unwrap()
}

fn lekarz() -> KontekstWywolania {
    kontekst_for("000000123456", RolaBiznesowa::LekarzLekDentystaFelczer)
}

fn cda(n: u32) -> TrescDokumentu {
    TrescDokumentu::new(
        format!(
            r#"<ClinicalDocument xmlns="urn:hl7-org:v3"><id extension="{n}"/></ClinicalDocument>"#
        )
        .into_bytes(),
    )
}

/// Prescription `n` signed XAdES-BES by a fresh prescriber's certificate of `s`.
fn podpisana(s: &Sandbox, n: u32) -> TrescDokumentu {
    let lekarz = s.prescriber_identity("lek. Jan Fikcyjny").unwrap();
    TrescDokumentu::podpisz(&lekarz, cda(n).as_bytes()).unwrap()
}

fn pakiet(docs: Vec<TrescDokumentu>) -> t::PakietReceptMT {
    let mut recepty = t::ReceptyMT::new();
    for (i, d) in docs.into_iter().enumerate() {
        recepty
            .recepta
            .push(t::ReceptaMT::new(i32::try_from(i).unwrap() + 1, d));
    }
    t::PakietReceptMT::new(choices::PakietRecept::Recepty(Some(recepty)))
}

fn klucz(k: &str) -> t::KluczReceptyMT {
    t::KluczReceptyMT::new(k.to_owned())
}

/// Stores a package of `n` signed prescriptions; the package key and the prescription keys.
async fn store(s: &Sandbox, c: &Client, n: u32) -> (String, Vec<String>) {
    store_docs(c, (1..=n).map(|i| podpisana(s, i)).collect()).await
}

/// Stores a package of these documents; the package key and the prescription keys.
async fn store_docs(c: &Client, docs: Vec<TrescDokumentu>) -> (String, Vec<String>) {
    let input = t::ZapisPakietuReceptRequest::new(pakiet(docs));
    let r = c.zapis_pakietu_recept(&lekarz(), &input).await.unwrap();
    r.sprawdz_wynik().unwrap();
    let Some(choices::PotwierdzenieOperacjiZapisu::WynikZapisuPakietuRecept(Some(w))) =
        r.output.potwierdzenie_operacji_zapisu.map(|p| p.choice)
    else {
        panic!("no wynikZapisuPakietuRecept")
    };
    let klucze = w
        .wynik_weryfikacji
        .unwrap()
        .weryfikowana_recepta
        .into_iter()
        .map(|v| v.klucz_recepty.unwrap())
        .collect();
    (w.klucz_pakietu_recept.unwrap(), klucze)
}

/// The `bledyOperacji` fault of a call that must be refused.
fn blad(e: &Error) -> (&Major, Option<&Minor>) {
    let Some(b) = e.blad() else {
        panic!("expected bledyOperacji, got {e:?}")
    };
    (&b.kod_bledu_major, b.kod_bledu_minor.as_ref())
}

fn odczyt(k: &str) -> t::OdczytReceptyRequest {
    t::OdczytReceptyRequest::new(klucz(k))
}

#[tokio::test]
async fn signed_calls_store_and_read_back() {
    let s = Sandbox::start().unwrap();
    let c = s.client().unwrap();
    let docs = vec![podpisana(&s, 1), podpisana(&s, 2)];
    let (klucz_pakietu, klucze) = store_docs(&c, docs.clone()).await;
    assert_eq!(klucze.len(), 2);
    assert_eq!(s.prescriptions_stored(), 2);

    let r = c
        .odczyt_recepty(&lekarz(), &odczyt(&klucze[1]))
        .await
        .unwrap();
    r.sprawdz_wynik().unwrap();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    // The signed document, base64 on the wire, byte for byte after decoding.
    let raw = String::from_utf8(r.raw.to_vec()).unwrap();
    assert!(raw.contains(&docs[1].to_base64()), "{raw}");
    let recepta = r.output.recepta_i_wynik_weryfikacji.unwrap();
    assert_eq!(recepta.status_recepty, t::StatusReceptyEnumMT::Wystawiona);
    assert_eq!(recepta.recepta.tresc, docs[1]);
    // Its signature still verifies: XAdES-BES, by the prescriber.
    let verified = s
        .document_verifier()
        .unwrap()
        .verify_enveloped_document(recepta.recepta.tresc.as_bytes())
        .unwrap();
    assert!(verified.verified());
    assert_eq!(verified.xades(), Some(XadesLevel::Bes));
    assert!(verified.signing_time().is_some());
    assert!(
        verified
            .signer()
            .unwrap()
            .subject()
            .contains("lek. Jan Fikcyjny"),
        "{verified}"
    );
    assert_eq!(recepta.recepta.identyfikator_dokumentu_w_pakiecie, 2);
    assert_eq!(
        recepta.weryfikowany_dokument.klucz_recepty.as_deref(),
        Some(klucze[1].as_str())
    );

    let input =
        t::OdczytPakietuReceptRequest::new(t::KluczPakietuReceptMT::new(klucz_pakietu.clone()));
    let r = c.odczyt_pakietu_recept(&lekarz(), &input).await.unwrap();
    r.sprawdz_wynik().unwrap();
    let read: Vec<_> = r
        .output
        .pakiet_recept_i_wynikow_weryfikacji
        .unwrap()
        .recepta_i_wynik_weryfikacji
        .into_iter()
        .map(|r| r.recepta.tresc)
        .collect();
    assert_eq!(read, docs);
}

#[tokio::test]
async fn status_changes_round_trip() {
    let s = Sandbox::start().unwrap();
    let c = s.client().unwrap();
    let (_, klucze) = store(&s, &c, 1).await;
    let k = &klucze[0];
    let status = |r: sdk_runtime::soap::Response<t::OdczytReceptyResponse>| {
        r.sprawdz_wynik().unwrap();
        let r = r.output.recepta_i_wynik_weryfikacji.unwrap();
        (r.status_recepty, r.przyczyna_zablokowania_recepty)
    };

    let zablokuj = t::ZablokowanieReceptyRequest::new(
        klucz(k),
        t::PrzyczynaZablokowaniaReceptyEnumMT::WRealizacji,
    );
    c.zablokowanie_recepty(&lekarz(), &zablokuj)
        .await
        .unwrap()
        .sprawdz_wynik()
        .unwrap();
    assert_eq!(
        status(c.odczyt_recepty(&lekarz(), &odczyt(k)).await.unwrap()),
        (
            t::StatusReceptyEnumMT::Zablokowana,
            Some(t::PrzyczynaZablokowaniaReceptyEnumMT::WRealizacji)
        )
    );
    // Blocking twice is a business failure, in `wynik`.
    let again = c.zablokowanie_recepty(&lekarz(), &zablokuj).await.unwrap();
    let e = again.sprawdz_wynik().unwrap_err();
    assert_eq!(e.major, WYNIK_NIEDOZWOLONA_ZMIANA_STATUSU);

    let odblokuj = t::OdblokowanieReceptyRequest::new(klucz(k));
    c.odblokowanie_recepty(&lekarz(), &odblokuj)
        .await
        .unwrap()
        .sprawdz_wynik()
        .unwrap();
    assert_eq!(
        status(c.odczyt_recepty(&lekarz(), &odczyt(k)).await.unwrap()),
        (t::StatusReceptyEnumMT::Wystawiona, None)
    );

    let anuluj = t::ZapisDokumentuAnulowaniaReceptyRequest::new(
        klucz(k),
        t::DokumentAnulowaniaReceptyMT::new(cda(99)),
    );
    let r = c
        .zapis_dokumentu_anulowania_recepty(&lekarz(), &anuluj)
        .await
        .unwrap();
    r.sprawdz_wynik().unwrap();
    let r = c.odczyt_recepty(&lekarz(), &odczyt(k)).await.unwrap();
    let recepta = r.output.recepta_i_wynik_weryfikacji.unwrap();
    assert_eq!(recepta.status_recepty, t::StatusReceptyEnumMT::Anulowana);
    assert_eq!(recepta.dokument_anulowania_recepty.unwrap().tresc, cda(99));
    // A cancelled prescription cannot be unblocked.
    let e = c
        .odblokowanie_recepty(&lekarz(), &odblokuj)
        .await
        .unwrap()
        .sprawdz_wynik()
        .unwrap_err();
    assert_eq!(e.major, WYNIK_NIEDOZWOLONA_ZMIANA_STATUSU);
}

#[tokio::test]
async fn unknown_keys_and_failed_checks_are_a_failed_wynik() {
    let s = Sandbox::start().unwrap();
    let c = s.client().unwrap();
    let r = c.odczyt_recepty(&lekarz(), &odczyt("0000")).await.unwrap();
    assert!(!r.sukces());
    assert!(r.output.recepta_i_wynik_weryfikacji.is_none());
    assert_eq!(r.sprawdz_wynik().unwrap_err().major, WYNIK_NIE_ZNALEZIONO);
    let input = t::OdczytPakietuReceptRequest::new(t::KluczPakietuReceptMT::new("0".to_owned()));
    let r = c.odczyt_pakietu_recept(&lekarz(), &input).await.unwrap();
    assert_eq!(r.sprawdz_wynik().unwrap_err().major, WYNIK_NIE_ZNALEZIONO);

    // The second document is not a CDA: nothing is stored, the results say which and why.
    let docs = vec![podpisana(&s, 1), TrescDokumentu::new(b"not xml".to_vec())];
    let input = t::ZapisPakietuReceptRequest::new(pakiet(docs.clone()));
    let r = c.zapis_pakietu_recept(&lekarz(), &input).await.unwrap();
    assert_eq!(r.sprawdz_wynik().unwrap_err().major, WYNIK_BLAD_WERYFIKACJI);
    let Some(choices::PotwierdzenieOperacjiZapisu::WynikZapisuPakietuRecept(Some(w))) =
        r.output.potwierdzenie_operacji_zapisu.map(|p| p.choice)
    else {
        panic!("no verification results")
    };
    assert!(w.klucz_pakietu_recept.is_none());
    let wyniki = w.wynik_weryfikacji.unwrap().weryfikowana_recepta;
    assert_eq!(
        wyniki[0].wynik_weryfikacji_zbioru_regul.wynik_weryfikacji,
        t::KodWynikuWeryfikacjiEnumMT::UrnCsiozP1EreceptaKodWynikuWeryfikacjiPozytywny
    );
    let zbior = &wyniki[1].wynik_weryfikacji_zbioru_regul;
    assert_eq!(
        zbior.wynik_weryfikacji,
        t::KodWynikuWeryfikacjiEnumMT::UrnCsiozP1EreceptaKodWynikuWeryfikacjiBlad
    );
    assert_eq!(
        zbior.wynik_weryfikacji_reguly[0].kod_reguly_weryfikacji,
        "SANDBOX.1"
    );
    assert_eq!(s.prescriptions_stored(), 0);

    // weryfikacjaPakietuRecept: the same verdict, and nothing stored either way.
    let input = t::WeryfikacjaPakietuReceptRequest::new(pakiet(docs));
    let r = c
        .weryfikacja_pakietu_recept(&lekarz(), &input)
        .await
        .unwrap();
    assert_eq!(r.sprawdz_wynik().unwrap_err().major, WYNIK_BLAD_WERYFIKACJI);
    let input = t::WeryfikacjaPakietuReceptRequest::new(pakiet(vec![cda(1)]));
    let r = c
        .weryfikacja_pakietu_recept(&lekarz(), &input)
        .await
        .unwrap();
    r.sprawdz_wynik().unwrap();
    assert_eq!(s.prescriptions_stored(), 0);
}

/// The rule results of each prescription of a `zapisPakietuRecept` answer: the set's verdict
/// and the failed rules' codes.
fn wyniki_zapisu(
    r: sdk_runtime::soap::Response<t::ZapisPakietuReceptResponse>,
) -> Vec<(t::KodWynikuWeryfikacjiEnumMT, Vec<String>)> {
    let Some(choices::PotwierdzenieOperacjiZapisu::WynikZapisuPakietuRecept(Some(w))) =
        r.output.potwierdzenie_operacji_zapisu.map(|p| p.choice)
    else {
        panic!("no verification results")
    };
    w.wynik_weryfikacji
        .unwrap()
        .weryfikowana_recepta
        .into_iter()
        .map(|v| {
            let z = v.wynik_weryfikacji_zbioru_regul;
            let kody = z
                .wynik_weryfikacji_reguly
                .into_iter()
                .map(|r| r.kod_reguly_weryfikacji)
                .collect();
            (z.wynik_weryfikacji, kody)
        })
        .collect()
}

#[tokio::test]
async fn prescriptions_must_carry_the_prescribers_xades_signature() {
    use t::KodWynikuWeryfikacjiEnumMT as Kod;
    let s = Sandbox::start().unwrap();
    let c = s.client().unwrap();
    let lekarz_id = s.prescriber_identity("lek. Anna Fikcyjna").unwrap();
    let good = TrescDokumentu::podpisz(&lekarz_id, cda(1).as_bytes()).unwrap();
    // Signing twice is refused: the document already carries a signature.
    assert!(matches!(
        TrescDokumentu::podpisz(&lekarz_id, good.as_bytes()),
        Err(SignError::AlreadySigned)
    ));

    let unsigned = cda(2);
    // Changed after signing: another drug quantity, say.
    let tampered = {
        let text = String::from_utf8(podpisana(&s, 3).into_bytes()).unwrap();
        let changed = text.replacen(r#"extension="3""#, r#"extension="33""#, 1);
        assert_ne!(changed, text);
        TrescDokumentu::new(changed.into_bytes())
    };
    // A certificate of another authority.
    let other = TestPki::new("Not the sandbox's document-signing CA").unwrap();
    let foreign = signing_identity_of(&other.issue_client_cert("lek. Obcy").unwrap()).unwrap();
    let foreign = TrescDokumentu::podpisz(&foreign, cda(4).as_bytes()).unwrap();
    // The entity's WS-Security certificate is not a prescriber's.
    let wss = s.signing_identity("entity WSS").unwrap();
    let by_wss = TrescDokumentu::podpisz(&wss, cda(5).as_bytes()).unwrap();
    // Plain XML-DSig by the right certificate: P1 wants XAdES-BES.
    let plain =
        TrescDokumentu::new(sign_enveloped_document(&lekarz_id, cda(6).as_bytes()).unwrap());
    assert!(matches!(
        plain.sprawdz_podpis(&s.document_verifier().unwrap()),
        Err(VerifyError::XadesRequired)
    ));

    let docs = vec![good.clone(), unsigned, tampered, foreign, by_wss, plain];
    let input = t::ZapisPakietuReceptRequest::new(pakiet(docs.clone()));
    let r = c.zapis_pakietu_recept(&lekarz(), &input).await.unwrap();
    assert_eq!(
        r.wynik().major,
        WYNIK_BLAD_WERYFIKACJI,
        "{:?}",
        r.wynik().komunikat
    );
    let opisy = String::from_utf8(r.raw.to_vec()).unwrap();
    let wyniki = wyniki_zapisu(r);
    let blad = |kod: &str| {
        (
            Kod::UrnCsiozP1EreceptaKodWynikuWeryfikacjiBlad,
            vec![kod.to_owned()],
        )
    };
    assert_eq!(
        wyniki,
        [
            (Kod::UrnCsiozP1EreceptaKodWynikuWeryfikacjiPozytywny, vec![]),
            blad("SANDBOX.3"),
            blad("SANDBOX.4"),
            blad("SANDBOX.4"),
            blad("SANDBOX.4"),
            blad("SANDBOX.4"),
        ]
    );
    // The descriptions say why (the verifier's reasons).
    assert!(opisy.contains("not signed"), "{opisy}");
    assert!(opisy.contains("XAdES"), "{opisy}");
    assert_eq!(s.prescriptions_stored(), 0);

    // The good one alone is stored.
    let (_, klucze) = store_docs(&c, vec![good.clone()]).await;
    assert_eq!(klucze.len(), 1);
    assert_eq!(s.prescriptions_stored(), 1);

    // weryfikacjaPakietuRecept takes documents without signature: the unsigned one passes, a
    // signed one (valid or not) gets the warning SANDBOX.5 and does not fail the package; its
    // signature is not checked there.
    let input =
        t::WeryfikacjaPakietuReceptRequest::new(pakiet(vec![cda(7), good, docs[3].clone()]));
    let r = c
        .weryfikacja_pakietu_recept(&lekarz(), &input)
        .await
        .unwrap();
    r.sprawdz_wynik().unwrap();
    let Some(choices::PotwierdzenieOperacjiWeryfikacji::WynikWeryfikacjiRecept(Some(w))) = r
        .output
        .potwierdzenie_operacji_weryfikacji
        .map(|p| p.choice)
    else {
        panic!("no verification results")
    };
    let wyniki: Vec<_> = w
        .weryfikowana_recepta
        .into_iter()
        .map(|v| {
            let z = v.wynik_weryfikacji_zbioru_regul;
            let kody: Vec<_> = z
                .wynik_weryfikacji_reguly
                .iter()
                .map(|r| {
                    (
                        r.kod_reguly_weryfikacji.clone(),
                        r.wynik_weryfikacji.clone(),
                    )
                })
                .collect();
            (z.wynik_weryfikacji, kody)
        })
        .collect();
    let ostrzezenie = (
        Kod::UrnCsiozP1EreceptaKodWynikuWeryfikacjiOstrzezenie,
        vec![(
            "SANDBOX.5".to_owned(),
            Kod::UrnCsiozP1EreceptaKodWynikuWeryfikacjiOstrzezenie,
        )],
    );
    assert_eq!(
        wyniki,
        [
            (Kod::UrnCsiozP1EreceptaKodWynikuWeryfikacjiPozytywny, vec![]),
            ostrzezenie.clone(),
            ostrzezenie,
        ]
    );
    assert_eq!(s.prescriptions_stored(), 1);
}

#[tokio::test]
async fn an_unsigned_call_is_refused() {
    let s = Sandbox::start().unwrap();
    let c = s
        .client_builder("unsigned")
        .unwrap()
        .unsigned()
        .build()
        .unwrap();
    let e = c.odczyt_recepty(&lekarz(), &odczyt("0")).await.unwrap_err();
    assert_eq!(
        blad(&e),
        (
            &Major::UrnCsiozP1EreceptaKodBleduMajorBladUwierzytelnieniaWSS,
            Some(&Minor::UrnCsiozP1EreceptaKodBleduMinorBrakCertyfikatu)
        )
    );
    let service = e.service_error().unwrap();
    assert!(service.is_access_error());
    assert!(!service.is_signature_error());
    assert!(
        matches!(service, BladUslugi::BledyOperacji { fault, .. } if fault.http_status == 500 && fault.is_client_fault())
    );
}

#[tokio::test]
async fn a_message_changed_after_signing_is_refused() {
    let s = Sandbox::start().unwrap();
    let (_, klucze) = store(&s, &s.client().unwrap(), 1).await;
    let signer = s.signer("tamperer").unwrap();
    let tampering = move |op: &OperationSpec, envelope: Vec<u8>| {
        let signed = sdk_p1::RequestSigner::sign(&signer, op, envelope)?;
        let text = String::from_utf8(signed).map_err(|e| SigningError::with_source("utf-8", e))?;
        // Another prescription's key, after the digest was taken.
        Ok(text.replacen("ORIGINAL", "CHANGED0", 1).into_bytes())
    };
    let c = s
        .client_builder("tls")
        .unwrap()
        .signer(tampering)
        .build()
        .unwrap();
    let e = c
        .odczyt_recepty(&lekarz(), &odczyt("ORIGINAL"))
        .await
        .unwrap_err();
    assert_eq!(
        blad(&e).0,
        &Major::UrnCsiozP1EreceptaKodBleduMajorBladPodpisuKomunikatuWSS
    );
    assert!(e.service_error().unwrap().is_signature_error());
    // The same call untampered is accepted (the key is unknown: a failed wynik, no fault).
    let c = s.client().unwrap();
    let r = c
        .odczyt_recepty(&lekarz(), &odczyt("ORIGINAL"))
        .await
        .unwrap();
    assert_eq!(r.sprawdz_wynik().unwrap_err().major, WYNIK_NIE_ZNALEZIONO);
    assert_eq!(s.prescriptions_stored(), klucze.len());
}

#[tokio::test]
async fn a_signer_from_another_authority_is_refused() {
    let s = Sandbox::start().unwrap();
    let other = TestPki::new("Not the sandbox's WSS CA").unwrap();
    let identity = signing_identity_of(&other.issue_client_cert("intruder").unwrap()).unwrap();
    let c = s
        .client_builder("tls")
        .unwrap()
        .signer(WsSecuritySigner::new(identity, SigningProfile::p1()))
        .build()
        .unwrap();
    let e = c.odczyt_recepty(&lekarz(), &odczyt("0")).await.unwrap_err();
    assert_eq!(
        blad(&e),
        (
            &Major::UrnCsiozP1EreceptaKodBleduMajorBladUwierzytelnieniaWSS,
            Some(&Minor::UrnCsiozP1EreceptaKodBleduMinorCertyfikatNiewazny)
        )
    );
    assert!(e.service_error().unwrap().is_access_error());
}

#[tokio::test]
async fn an_expired_timestamp_is_refused() {
    let s = Sandbox::start().unwrap();
    let signer = s.signer("late").unwrap();
    let an_hour_ago = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    let late = move |_: &OperationSpec, envelope: Vec<u8>| {
        signer
            .sign_envelope_at(&envelope, an_hour_ago)
            .map_err(|e| SigningError::with_source("signing failed", e))
    };
    let c = s
        .client_builder("tls")
        .unwrap()
        .signer(late)
        .build()
        .unwrap();
    let e = c.odczyt_recepty(&lekarz(), &odczyt("0")).await.unwrap_err();
    // No minor code: the certificate is fine, the message is stale.
    assert_eq!(
        blad(&e),
        (
            &Major::UrnCsiozP1EreceptaKodBleduMajorBladUwierzytelnieniaWSS,
            None
        )
    );
    assert!(e.service_error().unwrap().is_access_error());
}

#[tokio::test]
async fn a_stale_timestamp_without_expires_is_refused_like_an_expired_one() {
    // A Timestamp with only wsu:Created, an hour old, signed with the rest (the signer signs
    // a Timestamp the message brings): older than the 300 s maximum age, so TimestampTooOld.
    let s = Sandbox::start().unwrap();
    let signer = s.signer("stale").unwrap();
    let an_hour_ago = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    let created = an_hour_ago
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let stale = move |_: &OperationSpec, envelope: Vec<u8>| {
        let text = String::from_utf8(envelope).unwrap();
        let at = text.find("<soap:Header>").unwrap() + "<soap:Header>".len();
        let security = format!(
            r#"<wsse:Security xmlns:wsse="{WSSE}"><wsu:Timestamp xmlns:wsu="{WSU}"><wsu:Created>{created}</wsu:Created></wsu:Timestamp></wsse:Security>"#,
            WSSE = sdk_runtime::wssec::ns::WSSE_NS,
            WSU = sdk_runtime::wssec::ns::WSU_NS,
        );
        let with_timestamp = format!("{}{security}{}", &text[..at], &text[at..]);
        let signed = signer
            .sign_envelope(with_timestamp.as_bytes())
            .map_err(|e| SigningError::with_source("signing failed", e))?;
        // The stale Timestamp is the one signed, without Expires.
        let signed_text = String::from_utf8(signed.clone()).unwrap();
        assert!(signed_text.contains(&created));
        assert!(!signed_text.contains("Expires"));
        Ok(signed)
    };
    let c = s
        .client_builder("tls")
        .unwrap()
        .signer(stale)
        .build()
        .unwrap();
    let e = c.odczyt_recepty(&lekarz(), &odczyt("0")).await.unwrap_err();
    assert!(e.to_string().contains("maximum age"), "{e}");
    // Stale like an expired one: authentication, no minor code.
    assert_eq!(
        blad(&e),
        (
            &Major::UrnCsiozP1EreceptaKodBleduMajorBladUwierzytelnieniaWSS,
            None
        )
    );
    assert!(e.service_error().unwrap().is_access_error());
}

#[tokio::test]
async fn a_missing_context_header_is_refused_at_the_signature() {
    // The header is removed before signing Body and Timestamp only: the signature is valid, but
    // P1's profile requires kontekstWywolania signed, so the WS-Security stage refuses it.
    let s = Sandbox::start().unwrap();
    let identity = s.signing_identity("no context").unwrap();
    let signer = WsSecuritySigner::new(identity, SigningProfile::new());
    let stripping = move |_: &OperationSpec, envelope: Vec<u8>| {
        let text = String::from_utf8(envelope).unwrap();
        let start = text.find("<soap:Header>").unwrap() + "<soap:Header>".len();
        let end = text.find("</soap:Header>").unwrap();
        let stripped = format!("{}{}", &text[..start], &text[end..]);
        assert!(!stripped.contains("kontekstWywolania"));
        signer
            .sign_envelope(stripped.as_bytes())
            .map_err(|e| SigningError::with_source("signing failed", e))
    };
    let c = s
        .client_builder("tls")
        .unwrap()
        .signer(stripping)
        .build()
        .unwrap();
    let e = c.odczyt_recepty(&lekarz(), &odczyt("0")).await.unwrap_err();
    assert_eq!(
        blad(&e),
        (
            &Major::UrnCsiozP1EreceptaKodBleduMajorBladPodpisuKomunikatuWSS,
            None
        )
    );
    assert!(e.service_error().unwrap().is_signature_error());
}

#[tokio::test]
async fn an_incomplete_context_or_a_wrong_role_is_refused() {
    let s = Sandbox::start().unwrap();
    let c = s.client().unwrap();
    let bez_roli = KontekstWywolania::builder()
        .id_podmiotu(Oid::new(PODMIOT_ROOT, "000000123456"))
        .id_uzytkownika(Oid::new(OID_NPWZ, "1234567"))
        .build()
        .unwrap();
    let bez_uzytkownika = KontekstWywolania::builder()
        .id_podmiotu(Oid::new(PODMIOT_ROOT, "000000123456"))
        .rola_biznesowa(RolaBiznesowa::LekarzLekDentystaFelczer)
        .build()
        .unwrap();
    let nieznana_rola = kontekst_for("000000123456", RolaBiznesowa::Inna("KOWAL".to_owned()));
    for kontekst in [bez_roli, bez_uzytkownika, nieznana_rola] {
        let e = c.odczyt_recepty(&kontekst, &odczyt("0")).await.unwrap_err();
        assert_eq!(
            blad(&e),
            (
                &Major::UrnCsiozP1EreceptaKodBleduMajorNiepoprawnyKomunikat,
                Some(&Minor::UrnCsiozP1EreceptaKodBleduMinorBladKontekstu)
            ),
            "{kontekst:?}"
        );
        assert!(e.service_error().unwrap().is_access_error());
    }

    // A pharmacist does not store prescriptions.
    let farmaceuta = kontekst_for("000000123456", RolaBiznesowa::Farmaceuta);
    let input = t::ZapisPakietuReceptRequest::new(pakiet(vec![cda(1)]));
    let e = c
        .zapis_pakietu_recept(&farmaceuta, &input)
        .await
        .unwrap_err();
    assert_eq!(
        blad(&e),
        (
            &Major::UrnCsiozP1EreceptaKodBleduMajorBladAutoryzacji,
            Some(&Minor::UrnCsiozP1EreceptaKodBleduMinorBrakUprawnienPracownikaMedycznego)
        )
    );
    assert_eq!(s.prescriptions_stored(), 0);

    // Another entity cannot read this one's prescriptions.
    let (_, klucze) = store(&s, &c, 1).await;
    let inny = kontekst_for("000000999999", RolaBiznesowa::LekarzLekDentystaFelczer);
    let e = c
        .odczyt_recepty(&inny, &odczyt(&klucze[0]))
        .await
        .unwrap_err();
    assert_eq!(
        blad(&e),
        (
            &Major::UrnCsiozP1EreceptaKodBleduMajorBladAutoryzacji,
            Some(&Minor::UrnCsiozP1EreceptaKodBleduMinorBrakUprawnienPodmiotu)
        )
    );
}

#[tokio::test]
async fn unknown_and_unoffered_operations_are_faults() {
    let s = Sandbox::start().unwrap();
    let c = s.client().unwrap();
    const WS: &str = "http://csioz.gov.pl/p1/erecepta/ws/v20170510";
    const NIEZNANA: OperationSpec = OperationSpec::new(
        "nieznanaOperacja",
        SoapVersion::V11,
        Some("urn:nieznanaOperacja"),
        Provenance::Reconstructed,
        ElementName::new(WS, "OdczytReceptyRequest"),
        ElementName::new(WS, "OdczytReceptyResponse"),
    );
    let e = c
        .call::<_, t::OdczytReceptyResponse>(&NIEZNANA, &lekarz(), &odczyt("0"))
        .await
        .unwrap_err();
    assert_eq!(
        blad(&e),
        (
            &Major::UrnCsiozP1EreceptaKodBleduMajorNiepoprawnyKomunikat,
            None
        )
    );

    let input = t::OdczytDokumentuAnulowaniaReceptyRequest::new(
        t::IdentyfikatorDokumentuAnulowaniaReceptyMT::new(t::IdentyfikatorDokumentuOIDMT::new(
            "1".to_owned(),
            "2.16.840.1.113883.3.4424.2.7.123.4".to_owned(),
        )),
    );
    let e = c
        .odczyt_dokumentu_anulowania_recepty(&lekarz(), &input)
        .await
        .unwrap_err();
    assert_eq!(
        blad(&e).0,
        &Major::UrnCsiozP1EreceptaKodBleduMajorBladWewnetrzny
    );
    assert!(!e.service_error().unwrap().fault().is_client_fault());
}

#[tokio::test]
async fn a_foreign_tls_certificate_fails_the_handshake() {
    let s = Sandbox::start().unwrap();
    let other = TestPki::new("Not the sandbox's TLS CA").unwrap();
    let c = Client::builder()
        .base_url(s.base_url().to_string())
        .identity(
            other
                .issue_client_cert("intruder")
                .unwrap()
                .identity()
                .unwrap(),
        )
        .signer(s.signer("signer").unwrap())
        .platform_roots(false)
        .add_root_certificates_pem(s.ca_cert_pem().as_bytes())
        .unwrap()
        .build()
        .unwrap();
    let e = c.odczyt_recepty(&lekarz(), &odczyt("0")).await.unwrap_err();
    let Error::Call(call) = &e else {
        panic!("{e:?}")
    };
    assert!(matches!(call.as_ref(), SdkError::Transport(_)), "{e:?}");
    assert_eq!(s.requests_received(), 0);
}

#[tokio::test]
async fn signed_answers_verify_and_unsigned_ones_are_refused_when_asked() {
    let signing = Sandbox::start_with(SandboxConfig::default().sign_responses(true)).unwrap();
    let c = signing
        .client_builder("verifying")
        .unwrap()
        .verify_responses(signing.response_verifier().unwrap())
        .build()
        .unwrap();
    let (_, klucze) = store(&signing, &c, 1).await;
    let r = c
        .odczyt_recepty(&lekarz(), &odczyt(&klucze[0]))
        .await
        .unwrap();
    r.sprawdz_wynik().unwrap();
    let report = signing
        .response_verifier()
        .unwrap()
        .verify_envelope(&r.raw)
        .unwrap();
    assert!(report.verified());
    assert!(report.is_signed(&SignedPart::Body));
    assert!(report.is_signed(&SignedPart::Timestamp));

    // A verifying client cannot stream an answer (its records would be handed out before the
    // signature could be checked): refused before anything is sent.
    let before = signing.requests_received();
    let e = c
        .call_streaming_with(
            &op::odczyt_recepty::SPEC,
            sdk_p1::KONTEKST_WYWOLANIA,
            &lekarz(),
            &odczyt(&klucze[0]),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::StreamingNeedsUnverifiedAnswers), "{e:?}");
    assert_eq!(signing.requests_received(), before);

    // The same verifier against a sandbox that does not sign: the answer is refused.
    let plain = Sandbox::start().unwrap();
    let c = plain
        .client_builder("verifying")
        .unwrap()
        .verify_responses(signing.response_verifier().unwrap())
        .build()
        .unwrap();
    let e = c.odczyt_recepty(&lekarz(), &odczyt("0")).await.unwrap_err();
    assert!(matches!(e, Error::ResponseSignature { .. }), "{e:?}");
    assert!(e.raw_response().is_some());

    // Explicitly not verifying accepts it.
    let c = plain
        .client_builder("not verifying")
        .unwrap()
        .verify_responses(Verifier::disabled())
        .build()
        .unwrap();
    let r = c.odczyt_recepty(&lekarz(), &odczyt("0")).await.unwrap();
    assert_eq!(r.sprawdz_wynik().unwrap_err().major, WYNIK_NIE_ZNALEZIONO);
    // And, verifying nothing, may stream.
    let streamed = c
        .call_streaming_with(
            &op::odczyt_recepty::SPEC,
            sdk_p1::KONTEKST_WYWOLANIA,
            &lekarz(),
            &odczyt("0"),
        )
        .await
        .unwrap();
    assert_eq!(streamed.status(), 200);
}

fn published_schemas() -> Vec<SchemaRef> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/specs/published/p1-erecepta-v20170510/wsdl/erecepta");
    let defs = sdk_codegen::wsdl::read(&dir.join("ObslugaRecepty.wsdl")).unwrap();
    let out = std::env::temp_dir().join(format!("p1-sandbox-schemas-{}", std::process::id()));
    sdk_codegen::wsdl::write_standalone_schemas(&defs, &out)
        .unwrap()
        .into_iter()
        .map(|(ns, path)| SchemaRef::new(ns, path))
        .collect()
}

#[tokio::test]
async fn the_answers_are_valid_p1_messages() {
    let s = Sandbox::start().unwrap();
    let c = s.client().unwrap();
    let mut answers = Vec::new();
    // A package that passes, one that fails its checks (unsigned).
    let input = t::ZapisPakietuReceptRequest::new(pakiet(vec![podpisana(&s, 1), podpisana(&s, 2)]));
    let r = c.zapis_pakietu_recept(&lekarz(), &input).await.unwrap();
    r.sprawdz_wynik().unwrap();
    answers.push(r.raw.clone());
    let input = t::ZapisPakietuReceptRequest::new(pakiet(vec![cda(1), cda(2)]));
    let r = c.zapis_pakietu_recept(&lekarz(), &input).await.unwrap();
    assert_eq!(r.sprawdz_wynik().unwrap_err().major, WYNIK_BLAD_WERYFIKACJI);
    answers.push(r.raw.clone());
    let (klucz_pakietu, klucze) = store(&s, &c, 1).await;
    let r = c
        .odczyt_recepty(&lekarz(), &odczyt(&klucze[0]))
        .await
        .unwrap();
    answers.push(r.raw.clone());
    let input = t::OdczytPakietuReceptRequest::new(t::KluczPakietuReceptMT::new(klucz_pakietu));
    answers.push(
        c.odczyt_pakietu_recept(&lekarz(), &input)
            .await
            .unwrap()
            .raw,
    );
    // A warning (signed), an error (not a CDA), a pass.
    let input = t::WeryfikacjaPakietuReceptRequest::new(pakiet(vec![
        podpisana(&s, 1),
        TrescDokumentu::new(b"x".to_vec()),
        cda(3),
    ]));
    answers.push(
        c.weryfikacja_pakietu_recept(&lekarz(), &input)
            .await
            .unwrap()
            .raw,
    );
    let input = t::ZablokowanieReceptyRequest::new(
        klucz(&klucze[0]),
        t::PrzyczynaZablokowaniaReceptyEnumMT::WRealizacji,
    );
    answers.push(c.zablokowanie_recepty(&lekarz(), &input).await.unwrap().raw);
    let input = t::ZapisDokumentuAnulowaniaReceptyRequest::new(
        klucz(&klucze[0]),
        t::DokumentAnulowaniaReceptyMT::new(cda(9)),
    );
    answers.push(
        c.zapis_dokumentu_anulowania_recepty(&lekarz(), &input)
            .await
            .unwrap()
            .raw,
    );
    let r = c
        .odczyt_recepty(&lekarz(), &odczyt(&klucze[0]))
        .await
        .unwrap();
    assert_eq!(r.wynik().major, WYNIK_SUKCES);
    answers.push(r.raw);
    // A fault: its detail is P1's declared `bledyOperacji` (the strict envelope schema takes no
    // Fault in the Body, so the detail is validated alone).
    let e = c
        .zapis_pakietu_recept(
            &kontekst_for("1", RolaBiznesowa::Farmaceuta),
            &t::ZapisPakietuReceptRequest::new(pakiet(vec![cda(1)])),
        )
        .await
        .unwrap_err();
    let detail = e
        .service_error()
        .unwrap()
        .fault()
        .detail_entry()
        .unwrap()
        .to_xml();

    let schemas = published_schemas();
    for raw in answers {
        let xml = String::from_utf8(raw.to_vec()).unwrap();
        validate_soap11(&xml, &schemas).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    }
    validate(&detail, &schemas).unwrap_or_else(|e| panic!("{e}\n{detail}"));
}

/// The published e-Recepta specs (`../shared/specs/published/p1-erecepta-v20170510/`).
fn published_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/specs/published/p1-erecepta-v20170510")
}

#[tokio::test]
async fn a_signed_published_sample_is_valid_cda_in_a_valid_request_and_is_stored() {
    let s = Sandbox::start().unwrap();
    // A published unsigned e-prescription (PIK 1.3.1), signed by a sandbox prescriber.
    let sample = std::fs::read(
        published_dir().join("samples/sample-plCdaReimbursementConformantDrugPrescription-2.xml"),
    )
    .unwrap();
    let lekarz_id = s.prescriber_identity("lek. Jan Fikcyjny").unwrap();
    let signed = TrescDokumentu::podpisz(&lekarz_id, &sample).unwrap();
    let text = std::str::from_utf8(signed.as_bytes()).unwrap();

    // Still a valid Polish CDA: extPL:ClinicalDocument takes one ds:Signature, last.
    let cda_schemas = [SchemaRef::new(
        "http://www.csioz.gov.pl/xsd/extPL/r2",
        published_dir().join("cda-xsd/extPL_r2.xsd"),
    )];
    validate(text, &cda_schemas).unwrap_or_else(|e| panic!("{e}"));
    // Control: a second signature where the schema allows none.
    let twice = text.replacen(
        "</ClinicalDocument>",
        "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"/></ClinicalDocument>",
        1,
    );
    assert!(validate(&twice, &cda_schemas).is_err());

    // The zapisPakietuRecept request carrying it validates against the published schemas.
    let input = t::ZapisPakietuReceptRequest::new(pakiet(vec![signed.clone()]));
    let envelope =
        sdk_p1::request_envelope(&op::zapis_pakietu_recept::SPEC, &lekarz(), &input).unwrap();
    let mut schemas = published_schemas();
    schemas.push(SchemaRef::new(
        sdk_p1::KONTEKST_NS,
        published_dir().join("wsdl/erecepta/kontekst.xsd"),
    ));
    validate_soap11(&envelope, &schemas).unwrap_or_else(|e| panic!("{e}"));
    assert!(envelope.contains(&signed.to_base64()));

    // And the sandbox stores it and gives it back unchanged.
    let c = s.client().unwrap();
    let (_, klucze) = store_docs(&c, vec![signed.clone()]).await;
    let r = c
        .odczyt_recepty(&lekarz(), &odczyt(&klucze[0]))
        .await
        .unwrap();
    let tresc = r.output.recepta_i_wynik_weryfikacji.unwrap().recepta.tresc;
    assert_eq!(tresc, signed);
    assert!(
        tresc
            .sprawdz_podpis(&s.document_verifier().unwrap())
            .unwrap()
            .verified()
    );
}
