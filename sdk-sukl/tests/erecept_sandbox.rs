//! eRecept end to end against the sandbox, over mutual TLS on loopback with HTTP Basic: a
//! prescriber writes a prescription (signed), a pharmacist finds it, reserves it, dispenses it
//! (signed), and the prescriber reads it back dispensed. The sandbox verifies every signature on
//! the bytes it received; xmlsec1 verifies the client's signature independently. A tampered
//! request, a signature from another CA, a wrong state, a wrong password and a missing signing
//! certificate are each refused with their error.
#![cfg(feature = "sandbox")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

use sdk_runtime::SdkError;
use sdk_runtime::soap::{SoapVersion, envelope_around};
use sdk_sukl::erecept::{ChybaSukl, Error, Lekar, Lekarnik, podpis};
use sdk_sukl::generated::cuer_lekar::operation as lekar_op;
use sdk_sukl::generated::cuer_lekarnik::operation as lekarnik_op;
use sdk_sukl::generated::erecept::types as t;
use sdk_sukl::sandbox::Sandbox;
use sdk_sukl::sandbox::erecept::{
    self, E_NENALEZENO, E_PODPIS, E_PRISTUP, E_STAV, SANDBOX_LEKAR, SANDBOX_LEKARNIK,
};

fn predpis_doklad() -> t::ZalozeniPredpisuErpDokladDotazType {
    erecept::priklad_predpisu(time::OffsetDateTime::now_utc().date()).unwrap()
}

fn vydej_doklad(id_predpisu: &str) -> t::ZalozeniVydejeErpDokladDotazType {
    erecept::priklad_vydeje(time::OffsetDateTime::now_utc().date(), id_predpisu).unwrap()
}

/// `xmlsec1 --verify` of a signed request element, trusting the sandbox CA.
fn xmlsec1_verifies(signed: &str, ca_pem: &str) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!("erecept-xmlsec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (doc, ca): (PathBuf, PathBuf) = (dir.join("dotaz.xml"), dir.join("ca.pem"));
    std::fs::write(&doc, signed).unwrap();
    std::fs::write(&ca, ca_pem).unwrap();
    let out = Command::new("xmlsec1")
        .args(["--verify", "--trusted-pem"])
        .arg(&ca)
        .args(["--enabled-reference-uris", "empty"])
        .arg(&doc)
        .output()
        .expect("xmlsec1 is needed: run scripts/install-test-tools.sh");
    let _ = std::fs::remove_dir_all(&dir);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn prescription_written_found_reserved_dispensed_and_read_back_dispensed() {
    let sandbox = Sandbox::start().unwrap();
    let lekar = sandbox.lekar_builder().unwrap().build().unwrap();
    let lekarnik = sandbox.lekarnik_builder().unwrap().build().unwrap();

    // The prescriber writes (signed).
    let id = napsat(&lekar).await;
    assert_eq!(id.len(), 12, "{id}");
    assert_eq!(sandbox.stav_predpisu(&id).as_deref(), Some("PREDEPSANY"));

    // The pharmacist finds it by its identifier.
    let predpis: t::NacteniPredpisuErpOdpovedType = lekarnik
        .call(
            lekarnik.cuer().soap(),
            &lekarnik_op::nacist_predpis::SPEC,
            &lekarnik.dotaz_na_doklad(&id).unwrap(),
        )
        .await
        .unwrap()
        .output;
    assert_eq!(
        predpis.doklad.stav,
        t::StavElektronickehoReceptu::Predepsany
    );
    assert_eq!(predpis.doklad.plp.len(), 1);
    assert_eq!(predpis.doklad.plp[0].navod.get(), "1-0-1 po jídle");
    assert_eq!(
        predpis
            .doklad
            .pacient
            .totoznost
            .jmeno
            .as_ref()
            .unwrap()
            .prijmeni
            .get(),
        "Nováková"
    );

    // Reserves it.
    let rezervace = t::ZmenaStavuPredpisuDotazType::new(
        t::ZmenaStavuPredpisuDokladType::new(
            id.clone(),
            lekarnik.pristupujici(),
            t::StavElektronickehoReceptu::Pripravovany,
        ),
        lekarnik.zprava().unwrap(),
    );
    let _: t::UlozeniDokladuOdpovedType = lekarnik
        .call(
            lekarnik.cuer().soap(),
            &lekarnik_op::zmenit_stav_predpisu::SPEC,
            &rezervace,
        )
        .await
        .unwrap()
        .output;
    assert_eq!(sandbox.stav_predpisu(&id).as_deref(), Some("PRIPRAVOVANY"));

    // Dispenses it in full (signed).
    let vydej = t::ZalozeniVydejeErpDotazType::new(
        t::ZalozeniVydejeErpDokladDotazTypeOrDerived::ZalozeniVydejeErpDokladDotazType(Box::new(
            vydej_doklad(&id),
        )),
        lekarnik.zprava().unwrap(),
        podpis::k_podpisu(),
    );
    let vydano: t::UlozeniDokladuOdpovedType = lekarnik
        .call_signed(
            lekarnik.cuer().soap(),
            &lekarnik_op::zalozit_vydej::SPEC,
            &vydej,
        )
        .await
        .unwrap()
        .output;
    let id_vydeje = vydano.doklad.id_dokladu.get().clone();
    assert_eq!(sandbox.stav_predpisu(&id).as_deref(), Some("PLNE_VYDANY"));

    // The prescriber sees it dispensed, with the dispensing.
    let zpet: t::NacteniPredpisuErpOdpovedType = lekar
        .call(
            lekar.cuer().soap(),
            &lekar_op::nacist_predpis::SPEC,
            &lekar.dotaz_na_doklad(&id).unwrap(),
        )
        .await
        .unwrap()
        .output;
    assert_eq!(zpet.doklad.stav, t::StavElektronickehoReceptu::PlneVydany);
    assert_eq!(zpet.doklad.vydej.len(), 1);
    assert_eq!(zpet.doklad.vydej[0].id_dokladu, id_vydeje);
    let detail: t::NacteniVydejeErpOdpovedType = lekar
        .call(
            lekar.cuer().soap(),
            &lekar_op::nacist_vydej::SPEC,
            &lekar.dotaz_na_doklad(&id_vydeje).unwrap(),
        )
        .await
        .unwrap()
        .output;
    assert_eq!(detail.doklad.vlp[0].sarze.get(), "LOT2026A");

    // A dispensed prescription cannot be reserved again: SÚKL-style fault with the state code.
    let znovu = t::ZmenaStavuPredpisuDotazType::new(
        t::ZmenaStavuPredpisuDokladType::new(
            id.clone(),
            lekarnik.pristupujici(),
            t::StavElektronickehoReceptu::Pripravovany,
        ),
        lekarnik.zprava().unwrap(),
    );
    let err = lekarnik
        .call::<_, t::UlozeniDokladuOdpovedType>(
            lekarnik.cuer().soap(),
            &lekarnik_op::zmenit_stav_predpisu::SPEC,
            &znovu,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kod(), Some(E_STAV), "{err}");
    let chyba = err.chyba_sukl().and_then(ChybaSukl::chyba).unwrap();
    assert_eq!(chyba.skupina.get(), "Stav");

    // An unknown prescription.
    let err = lekarnik
        .call::<_, t::NacteniPredpisuErpOdpovedType>(
            lekarnik.cuer().soap(),
            &lekarnik_op::nacist_predpis::SPEC,
            &lekarnik.dotaz_na_doklad("NEEXISTUJE00").unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kod(), Some(E_NENALEZENO), "{err}");

    // The pharmacist cancels the dispensing (signed): the prescription is back in the state
    // it had before (reserved), and the prescriber sees the dispensing cancelled.
    let today = time::OffsetDateTime::now_utc().date();
    let zruseni = t::ZruseniVydejeErpDotazType::new(
        t::ZruseniVydejeErpDokladDotazType::new(
            t::ZruseniDokladuDokladDotazTypeUzivatel::new(
                sdk_sukl::sandbox::erecept::SANDBOX_LEKARNIK,
            )
            .unwrap(),
            t::ZruseniDokladuDokladDotazTypePracoviste::new(
                sdk_sukl::sandbox::SANDBOX_KOD_PRACOVISTE,
            )
            .unwrap(),
            t::ZruseniDokladuDokladDotazTypeIdDokladu::new(id_vydeje.clone()).unwrap(),
            today,
            t::ZruseniDokladuDokladDotazTypeDuvodZruseni::new("Chybně vydaný přípravek").unwrap(),
            id.clone(),
            t::StavElektronickehoReceptu::Pripravovany,
        ),
        lekarnik.zprava().unwrap(),
        podpis::k_podpisu(),
    );
    let _: t::UlozeniDokladuOdpovedType = lekarnik
        .call_signed(
            lekarnik.cuer().soap(),
            &lekarnik_op::zrusit_vydej::SPEC,
            &zruseni,
        )
        .await
        .unwrap()
        .output;
    assert_eq!(sandbox.stav_predpisu(&id).as_deref(), Some("PRIPRAVOVANY"));
    let zpet: t::NacteniPredpisuErpOdpovedType = lekar
        .call(
            lekar.cuer().soap(),
            &lekar_op::nacist_predpis::SPEC,
            &lekar.dotaz_na_doklad(&id).unwrap(),
        )
        .await
        .unwrap()
        .output;
    assert!(zpet.doklad.vydej[0].zruseni.is_some());
    // Cancelling it again is a state error.
    let mut znovu = zruseni;
    znovu.zprava = lekarnik.zprava().unwrap();
    let err = lekarnik
        .call_signed::<_, t::UlozeniDokladuOdpovedType>(
            lekarnik.cuer().soap(),
            &lekarnik_op::zrusit_vydej::SPEC,
            &znovu,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kod(), Some(E_STAV), "{err}");
    sandbox.shutdown().await;
}

/// The pharmacist moves prescription `id` into `stav` (`ZmenitStavPredpisu`).
async fn zmenit_stav(
    lekarnik: &Lekarnik,
    id: &str,
    stav: t::StavElektronickehoReceptu,
) -> Result<t::UlozeniDokladuOdpovedType, Error> {
    let dotaz = t::ZmenaStavuPredpisuDotazType::new(
        t::ZmenaStavuPredpisuDokladType::new(id.to_owned(), lekarnik.pristupujici(), stav),
        lekarnik.zprava().unwrap(),
    );
    Ok(lekarnik
        .call(
            lekarnik.cuer().soap(),
            &lekarnik_op::zmenit_stav_predpisu::SPEC,
            &dotaz,
        )
        .await?
        .output)
}

/// The prescriber cancels prescription `id` (`ZrusitPredpis`), naming `uzivatel` as the user.
async fn zrusit_predpis(
    lekar: &Lekar,
    uzivatel: &str,
    id: &str,
) -> Result<t::UlozeniDokladuOdpovedType, Error> {
    let dotaz = t::ZruseniDokladuDotazType::new(
        t::ZruseniDokladuDokladDotazTypeOrDerived::ZruseniDokladuDokladDotazType(Box::new(
            t::ZruseniDokladuDokladDotazType::new(
                t::ZruseniDokladuDokladDotazTypeUzivatel::new(uzivatel).unwrap(),
                t::ZruseniDokladuDokladDotazTypePracoviste::new(
                    sdk_sukl::sandbox::SANDBOX_KOD_PRACOVISTE,
                )
                .unwrap(),
                t::ZruseniDokladuDokladDotazTypeIdDokladu::new(id).unwrap(),
                time::OffsetDateTime::now_utc().date(),
                t::ZruseniDokladuDokladDotazTypeDuvodZruseni::new(DUVOD).unwrap(),
            ),
        )),
        lekar.zprava().unwrap(),
    );
    Ok(lekar
        .call(lekar.cuer().soap(), &lekar_op::zrusit_predpis::SPEC, &dotaz)
        .await?
        .output)
}

/// The prescriber writes the sample prescription (signed); its identifier.
async fn napsat(lekar: &Lekar) -> String {
    let dotaz = t::ZalozeniPredpisuErpDotazType::new(
        t::ZalozeniPredpisuErpDokladDotazTypeOrDerived::ZalozeniPredpisuErpDokladDotazType(
            Box::new(predpis_doklad()),
        ),
        lekar.zprava().unwrap(),
        podpis::k_podpisu(),
    );
    let ulozeno: t::UlozeniDokladuOdpovedType = lekar
        .call_signed(
            lekar.cuer().soap(),
            &lekar_op::zalozit_predpis::SPEC,
            &dotaz,
        )
        .await
        .unwrap()
        .output;
    ulozeno.doklad.id_dokladu.get().clone()
}

/// The pharmacist asks when and why prescription `id` was cancelled.
async fn informace_o_zruseni(
    lekarnik: &Lekarnik,
    id: &str,
) -> Result<t::NacteniInformaceOZrusenemDokladuOdpovedType, Error> {
    Ok(lekarnik
        .call(
            lekarnik.cuer().soap(),
            &lekarnik_op::nacist_informace_o_zrusenem_predpisu::SPEC,
            &lekarnik.dotaz_na_doklad(id).unwrap(),
        )
        .await?
        .output)
}

const DUVOD: &str = "Pacient alergický na složku";

#[tokio::test]
async fn prescription_cancelled_by_the_prescriber_cannot_be_reserved_nor_dispensed() {
    use t::StavElektronickehoReceptu as S;
    let sandbox = Sandbox::start().unwrap();
    let lekar = sandbox.lekar_builder().unwrap().build().unwrap();
    let lekarnik = sandbox.lekarnik_builder().unwrap().build().unwrap();
    let id = napsat(&lekar).await;

    // Reserved in a pharmacy, it cannot be cancelled.
    zmenit_stav(&lekarnik, &id, S::Pripravovany).await.unwrap();
    let err = zrusit_predpis(&lekar, SANDBOX_LEKAR, &id)
        .await
        .unwrap_err();
    assert_eq!(err.kod(), Some(E_STAV), "{err}");
    assert_eq!(sandbox.stav_predpisu(&id).as_deref(), Some("PRIPRAVOVANY"));

    // The pharmacy releases the reservation; a request naming another user is refused, the
    // prescriber's own cancels it.
    zmenit_stav(&lekarnik, &id, S::Predepsany).await.unwrap();
    let err = zrusit_predpis(&lekar, SANDBOX_LEKARNIK, &id)
        .await
        .unwrap_err();
    assert_eq!(err.kod(), Some(E_PRISTUP), "{err}");
    assert_eq!(sandbox.stav_predpisu(&id).as_deref(), Some("PREDEPSANY"));
    let zruseno = zrusit_predpis(&lekar, SANDBOX_LEKAR, &id).await.unwrap();
    assert_eq!(zruseno.doklad.id_dokladu.get(), &id);
    assert_eq!(sandbox.stav_predpisu(&id).as_deref(), Some("UZAVRENY"));

    // The pharmacist sees it closed, and learns when and why it was cancelled.
    let predpis: t::NacteniPredpisuErpOdpovedType = lekarnik
        .call(
            lekarnik.cuer().soap(),
            &lekarnik_op::nacist_predpis::SPEC,
            &lekarnik.dotaz_na_doklad(&id).unwrap(),
        )
        .await
        .unwrap()
        .output;
    assert_eq!(predpis.doklad.stav, S::Uzavreny);
    let informace = informace_o_zruseni(&lekarnik, &id).await.unwrap();
    assert_eq!(
        informace.doklad.informace_o_zruseni.duvod_zruseni.get(),
        DUVOD
    );

    // Nothing more can happen to it: reserving, dispensing and cancelling again are state
    // errors, and it stays `UZAVRENY`.
    let err = zmenit_stav(&lekarnik, &id, S::Pripravovany)
        .await
        .unwrap_err();
    assert_eq!(err.kod(), Some(E_STAV), "{err}");
    let vydej = t::ZalozeniVydejeErpDotazType::new(
        t::ZalozeniVydejeErpDokladDotazTypeOrDerived::ZalozeniVydejeErpDokladDotazType(Box::new(
            vydej_doklad(&id),
        )),
        lekarnik.zprava().unwrap(),
        podpis::k_podpisu(),
    );
    let err = lekarnik
        .call_signed::<_, t::UlozeniDokladuOdpovedType>(
            lekarnik.cuer().soap(),
            &lekarnik_op::zalozit_vydej::SPEC,
            &vydej,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kod(), Some(E_STAV), "{err}");
    let err = zrusit_predpis(&lekar, SANDBOX_LEKAR, &id)
        .await
        .unwrap_err();
    assert_eq!(err.kod(), Some(E_STAV), "{err}");
    assert_eq!(sandbox.stav_predpisu(&id).as_deref(), Some("UZAVRENY"));

    // A prescription never cancelled has no cancellation to tell; an unknown one is not found.
    let jiny = napsat(&lekar).await;
    for (id, kod) in [(jiny.as_str(), E_STAV), ("NEEXISTUJE00", E_NENALEZENO)] {
        let err = informace_o_zruseni(&lekarnik, id).await.unwrap_err();
        assert_eq!(err.kod(), Some(kod), "{id}: {err}");
    }
    assert_eq!(sandbox.erecept_counts(), (2, 0));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn signatures_are_verified_by_the_sandbox_and_by_xmlsec1() {
    let sandbox = Sandbox::start().unwrap();
    let lekar = sandbox.lekar_builder().unwrap().build().unwrap();
    let op = &lekar_op::zalozit_predpis::SPEC;
    let dotaz = t::ZalozeniPredpisuErpDotazType::new(
        t::ZalozeniPredpisuErpDokladDotazTypeOrDerived::ZalozeniPredpisuErpDokladDotazType(
            Box::new(predpis_doklad()),
        ),
        lekar.zprava().unwrap(),
        podpis::k_podpisu(),
    );

    // Signed as the client signs: xmlsec1 verifies it (the request element as a document).
    let signer = sandbox.podpisovy_certifikat("MUDr. Sandbox Lékař").unwrap();
    let signed = podpis::podepsat_dotaz(&signer, op.input, &dotaz).unwrap();
    // The request element, its signature as its last child.
    assert!(
        signed.starts_with('<') && signed.contains("ZalozeniPredpisuDotaz"),
        "{signed}"
    );
    assert!(signed.contains("</ds:Signature></"), "{signed}");
    assert!(signed.ends_with("ZalozeniPredpisuDotaz>"), "{signed}");
    assert_eq!(
        signed.matches("<ds:Signature ").count() + signed.matches("<ds:Signature>").count(),
        1,
        "the placeholder was replaced"
    );
    let (ok, why) = xmlsec1_verifies(&signed, sandbox.ca_cert_pem());
    assert!(
        ok,
        "xmlsec1 refused the client's signature: {why}\n{signed}"
    );

    // Tampered after signing (the amount): refused with the signature code, nothing stored.
    let tampered = signed.replacen(">2</", ">3</", 1);
    assert_ne!(tampered, signed);
    let before = sandbox.erecept_counts();
    let err = lekar
        .cuer()
        .soap()
        .send::<t::UlozeniDokladuOdpovedType, ChybaSukl>(
            op,
            envelope_around(SoapVersion::V11, &tampered).into_bytes(),
        )
        .await
        .unwrap_err();
    match &err {
        SdkError::Service(chyba) => assert_eq!(chyba.kod(), Some(E_PODPIS), "{chyba}"),
        other => panic!("expected SÚKL's fault, got {other}"),
    }
    assert_eq!(sandbox.erecept_counts(), before);

    // Signed by a certificate of another CA: refused the same way.
    let other_ca = sdk_runtime::sandbox::TestPki::new("Some other CA").unwrap();
    let stranger = other_ca
        .issue_client_cert("MUDr. Cizí")
        .unwrap()
        .signing_identity()
        .unwrap();
    let foreign = podpis::podepsat_dotaz(&stranger, op.input, &dotaz).unwrap();
    let err = lekar
        .cuer()
        .soap()
        .send::<t::UlozeniDokladuOdpovedType, ChybaSukl>(
            op,
            envelope_around(SoapVersion::V11, &foreign).into_bytes(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SdkError::Service(c) if c.kod() == Some(E_PODPIS)),
        "{err}"
    );

    // Unsigned (the placeholder sent as is) is refused too.
    let err = lekar
        .call::<_, t::UlozeniDokladuOdpovedType>(lekar.cuer().soap(), op, &dotaz)
        .await
        .unwrap_err();
    assert_eq!(err.kod(), Some(E_PODPIS), "{err}");
    assert_eq!(sandbox.erecept_counts(), before);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn credentials_and_the_signing_certificate_are_required() {
    let sandbox = Sandbox::start().unwrap();
    // A client without a signing certificate: the signed operations are refused before
    // anything is sent; the others work.
    let identity = sandbox
        .issue_client_cert(sdk_sukl::sandbox::SANDBOX_KOD_PRACOVISTE)
        .unwrap()
        .identity()
        .unwrap();
    let bez_podpisu = sdk_sukl::erecept::Lekar::builder()
        .prostredi(sdk_sukl::erecept::Prostredi::Vlastni(
            sandbox.erecept_base_url(),
        ))
        .identity(identity)
        .platform_roots(false)
        .add_root_certificates_pem(sandbox.ca_cert_pem().as_bytes())
        .unwrap()
        .uzivatel(SANDBOX_LEKAR, sdk_sukl::sandbox::erecept::SANDBOX_HESLO)
        .pracoviste(sdk_sukl::sandbox::SANDBOX_KOD_PRACOVISTE)
        .sw_klienta(sdk_sukl::sandbox::erecept::SANDBOX_SW)
        .build()
        .unwrap();
    let dotaz = t::ZalozeniPredpisuErpDotazType::new(
        t::ZalozeniPredpisuErpDokladDotazTypeOrDerived::ZalozeniPredpisuErpDokladDotazType(
            Box::new(predpis_doklad()),
        ),
        bez_podpisu.zprava().unwrap(),
        podpis::k_podpisu(),
    );
    let before = sandbox.erecept_counts();
    let err = bez_podpisu
        .call_signed::<_, t::UlozeniDokladuOdpovedType>(
            bez_podpisu.cuer().soap(),
            &lekar_op::zalozit_predpis::SPEC,
            &dotaz,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::ChybiPodpis {
                operation: "ZalozitPredpis"
            }
        ),
        "{err}"
    );
    assert_eq!(sandbox.erecept_counts(), before);
    let _: t::ZpravaBezOdpovedType = bez_podpisu
        .call(
            bez_podpisu.cuer().soap(),
            &lekar_op::app_ping::SPEC,
            &t::ZpravaBezDotazType::new(bez_podpisu.zprava().unwrap()),
        )
        .await
        .unwrap()
        .output;

    let builder = sandbox.lekarnik_builder().unwrap();
    let lekarnik = builder.build().unwrap();
    let ping = t::ZpravaBezDotazType::new(lekarnik.zprava().unwrap());
    let _: t::ZpravaBezOdpovedType = lekarnik
        .call(lekarnik.cuer().soap(), &lekarnik_op::app_ping::SPEC, &ping)
        .await
        .unwrap()
        .output;

    // A wrong password: HTTP 401 from the server.
    let wrong = sandbox
        .lekarnik_builder()
        .unwrap()
        .uzivatel(sdk_sukl::sandbox::erecept::SANDBOX_LEKARNIK, "spatne-heslo")
        .build()
        .unwrap();
    let err = wrong
        .call::<_, t::ZpravaBezOdpovedType>(
            wrong.cuer().soap(),
            &lekarnik_op::app_ping::SPEC,
            &t::ZpravaBezDotazType::new(wrong.zprava().unwrap()),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Volani(e) if matches!(**e, SdkError::Http { status: 401, .. })),
        "{err}"
    );

    // Required settings are refused when the client is built.
    let missing = sdk_sukl::erecept::Lekarnik::builder()
        .uzivatel("x", "y")
        .pracoviste("00000910487")
        .sw_klienta("ABCDEFGHIJKL")
        .build()
        .unwrap_err();
    assert!(missing.to_string().contains("certificate"), "{missing}");
    let bad_sw = sandbox
        .lekarnik_builder()
        .unwrap()
        .sw_klienta("TOO-SHORT")
        .build()
        .unwrap_err();
    assert!(bad_sw.to_string().contains("SW_Klienta"), "{bad_sw}");
    sandbox.shutdown().await;
}
