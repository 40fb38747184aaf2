//! Every e-Recepta request the client emits — one per operation, with representative content and
//! the kontekstWywolania header — validates with xmllint against the PUBLISHED schemas
//! (`../shared/specs/published/p1-erecepta-v20170510/`: the WSDL's inline schema, recepta.xsd,
//! wspolne.xsd, wyjatki.xsd, kontekst.xsd) and against ours, inside a strictly validated SOAP 1.1
//! envelope. Control cases prove the check can fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sdk_p1::choices;
use sdk_p1::erecepta::operation as op;
use sdk_p1::erecepta::types as t;
use sdk_p1::{
    DataCzas, KontekstWywolania, OID_NPWZ, Oid, Pesel, RolaBiznesowa, TrescDokumentu,
    pracownik_npwz, request_envelope,
};
use sdk_runtime::sandbox::xmllint::{SchemaRef, XmllintError, validate_soap11};
use sdk_runtime::soap::{OperationSpec, SOAP11_NS};
use sdk_runtime::xml::{Validate, XmlWrite};

const KONTEKST_NS: &str = "http://csioz.gov.pl/p1/kontekst/mt/v20170510";

fn published_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/specs/published/p1-erecepta-v20170510");
    assert!(
        dir.is_dir(),
        "the published e-Recepta specs are missing: expected {} (../shared next to the checkout)",
        dir.display()
    );
    dir
}

/// The schemas of a WSDL for xmllint: its inline schemas as standalone files (their imports made
/// absolute), and the context schema the header needs.
fn schemas_of(wsdl: &Path, kontekst_xsd: &Path, tag: &str) -> Vec<SchemaRef> {
    let defs = sdk_codegen::wsdl::read(wsdl).unwrap();
    let dir = std::env::temp_dir().join(format!("p1-schemas-{}-{tag}", std::process::id()));
    let mut refs: Vec<SchemaRef> = sdk_codegen::wsdl::write_standalone_schemas(&defs, &dir)
        .unwrap()
        .into_iter()
        .filter(|(ns, _)| !ns.is_empty())
        .map(|(ns, path)| SchemaRef::new(ns, path))
        .collect();
    refs.push(SchemaRef::new(KONTEKST_NS, kontekst_xsd));
    refs
}

fn published_schemas() -> &'static [SchemaRef] {
    static S: OnceLock<Vec<SchemaRef>> = OnceLock::new();
    S.get_or_init(|| {
        let dir = published_dir().join("wsdl/erecepta");
        let refs = schemas_of(
            &dir.join("ObslugaRecepty.wsdl"),
            &dir.join("kontekst.xsd"),
            "published",
        );
        // The published WSDL declares its request elements inline.
        assert!(
            refs.iter()
                .any(|r| r.namespace == "http://csioz.gov.pl/p1/erecepta/ws/v20170510"),
            "{refs:?}"
        );
        refs
    })
}

/// Ours: the WSDL imports its element declarations from ObslugaReceptyWS.xsd.
fn our_schemas() -> Vec<SchemaRef> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../wsdl/p1");
    vec![
        SchemaRef::new(
            "http://csioz.gov.pl/p1/erecepta/ws/v20170510",
            dir.join("ObslugaReceptyWS.xsd"),
        ),
        SchemaRef::new(KONTEKST_NS, dir.join("kontekst.xsd")),
    ]
}

fn check(xml: &str, schemas: &[SchemaRef], which: &str) {
    match validate_soap11(xml, schemas) {
        Ok(()) => {}
        Err(XmllintError::Missing) => {
            panic!("xmllint is missing: run scripts/install-test-tools.sh")
        }
        Err(e) => {
            // Long enough for the header and the start of the body; documents are long.
            let head: String = xml.chars().take(4000).collect();
            panic!("{which} schemas: {e}\n--- document (start) ---\n{head}")
        }
    }
}

// ---------- representative content ----------

fn kontekst() -> KontekstWywolania {
    KontekstWywolania::builder()
        .id_podmiotu(Oid::new("2.16.840.1.113883.3.4424.2.3.1", "000000123456"))
        .id_uzytkownika(Oid::new(OID_NPWZ, "1234567"))
        .id_miejsca_pracy(Oid::new("2.16.840.1.113883.3.4424.2.3.3", "01"))
        .rola_biznesowa(RolaBiznesowa::Farmaceuta)
        .wsu_id("kontekstWywolania-1")
        .build()
        .unwrap()
}

/// The published sample e-prescription (HL7 CDA, PIK 1.3.1) as document content.
fn cda() -> TrescDokumentu {
    static CDA: OnceLock<Vec<u8>> = OnceLock::new();
    TrescDokumentu::new(
        CDA.get_or_init(|| std::fs::read(published_dir().join("samples/recepta.xml")).unwrap())
            .clone(),
    )
}

fn klucz() -> t::KluczReceptyMT {
    t::KluczReceptyMT::new("0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c".to_owned())
}

fn numer_recepty() -> t::NumerReceptyOIDMT {
    t::NumerReceptyOIDMT::new(
        "000123/2026".to_owned(),
        "2.16.840.1.113883.3.4424.2.7.123.2".to_owned(),
    )
}

fn pacjent() -> t::IdentyfikatorUslugobiorcyOIDMT {
    Pesel::parse("44051401359")
        .unwrap()
        .identyfikator_uslugobiorcy()
}

fn data(s: &str) -> DataCzas {
    DataCzas::parse(s).unwrap()
}

fn dokument_realizacji() -> t::DokumentRealizacjiReceptyMT {
    t::DokumentRealizacjiReceptyMT::new(cda())
}

fn dokument_anulowania() -> t::DokumentAnulowaniaReceptyMT {
    t::DokumentAnulowaniaReceptyMT::new(cda())
}

fn id_dokumentu(ext: &str) -> t::IdentyfikatorDokumentuOIDMT {
    t::IdentyfikatorDokumentuOIDMT::new(
        ext.to_owned(),
        "2.16.840.1.113883.3.4424.2.7.123.4".to_owned(),
    )
}

fn pakiet_recept() -> t::PakietReceptMT {
    let mut recepty = t::ReceptyMT::new();
    recepty.recepta.push(t::ReceptaMT::new(1, cda()));
    recepty.recepta.push(t::ReceptaMT::new(2, cda()));
    t::PakietReceptMT::new(choices::PakietRecept::Recepty(Some(recepty)))
}

fn papierowa() -> t::NumerIPozycjaReceptyPapierowejMT {
    t::NumerIPozycjaReceptyPapierowejMT::new("0000000000000000001234".to_owned(), 2)
}

/// One request per operation: (operation, its unsigned envelope).
fn all_requests() -> Vec<(&'static OperationSpec, String)> {
    let k = kontekst();
    let mut out: Vec<(&'static OperationSpec, String)> = Vec::new();
    let mut add = |spec: &'static OperationSpec, input: &dyn Request| {
        out.push((spec, input.envelope(spec, &k)));
    };

    add(
        &op::zapis_realizacji_recepty_farmaceutycznej::SPEC,
        &t::ZapisRealizacjiReceptyFarmaceutycznejRequest::new(
            t::DokumentReceptyMT::new(cda()),
            dokument_realizacji(),
        ),
    );
    let mut r = t::ZapisRealizacjiReceptyRequest::new(dokument_realizacji());
    r.klucz_recepty = Some(klucz());
    add(&op::zapis_realizacji_recepty::SPEC, &r);
    add(
        &op::zapis_pakietu_recept::SPEC,
        &t::ZapisPakietuReceptRequest::new(pakiet_recept()),
    );
    let mut realizacje = t::RealizacjeReceptWPakiecieMT::new();
    realizacje
        .realizacja
        .push(t::RealizacjaReceptyWPakiecieMT::new(1, cda()));
    add(
        &op::zapis_pakietu_realizacji_recept::SPEC,
        &t::ZapisPakietuRealizacjiReceptRequest::new(t::PakietRealizacjiReceptMT::new(
            choices::PakietRealizacjiRecept::Realizacje(realizacje),
        )),
    );
    add(
        &op::zapis_dokumentu_anulowania_recepty_farmaceutycznej::SPEC,
        &t::ZapisDokumentuAnulowaniaReceptyFarmaceutycznejRequest::new(
            klucz(),
            dokument_anulowania(),
            dokument_realizacji(),
        ),
    );
    add(
        &op::zapis_dokumentu_anulowania_recepty::SPEC,
        &t::ZapisDokumentuAnulowaniaReceptyRequest::new(klucz(), dokument_anulowania()),
    );
    add(
        &op::zablokowanie_recepty::SPEC,
        &t::ZablokowanieReceptyRequest::new(
            klucz(),
            t::PrzyczynaZablokowaniaReceptyEnumMT::WiekOsobyDlaKtorejJestWystawionaRecepta,
        ),
    );
    let mut kryteria = t::KryteriaWyszukiwaniaDokumentowRealizacjiMT::new();
    kryteria.identyfikator_podmiotu_wystawcy = Some(t::IdentyfikatorUslugodawcyOIDMT::new(
        "000000654321".to_owned(),
        "2.16.840.1.113883.3.4424.2.3.1".to_owned(),
    ));
    kryteria.data_wystawienia_od = Some(data("2026-05-01T00:00:00+02:00"));
    kryteria.data_wystawienia_do = Some(data("2026-05-31T23:59:59+02:00"));
    kryteria.identyfikator_pracownika_realizatora = Some(pracownik_npwz("7654321"));
    kryteria.rodzaj_realizacji = Some(t::RodzajRealizacjiEnumMT::Czesciowa);
    kryteria.status_dokumentu_realizacji_recepty =
        Some(t::StatusDokumentuRealizacjiReceptyEnumMT::Obowiazujacy);
    add(
        &op::wyszukanie_dokumentow_realizacji_recept::SPEC,
        &t::WyszukanieDokumentowRealizacjiReceptRequest::new(kryteria),
    );
    let mut kryteria = t::KryteriaWyszukiwaniaReceptMT::new();
    kryteria.data_wystawienia_recepty_do = Some(data("2026-05-31T23:59:59"));
    kryteria.data_wystawienia_recepty_od = Some(data("2026-05-01T00:00:00"));
    kryteria.id_pracownika_medycznego = Some(pracownik_npwz("1234567"));
    kryteria.id_uslugobiorcy = Some(pacjent());
    kryteria.status_recepty = Some(t::StatusReceptyEnumMT::Wystawiona);
    add(
        &op::wyszukanie_recept_wystawiajacego::SPEC,
        &t::WyszukanieReceptWystawiajacegoRequest::new(kryteria),
    );
    let mut kryteria = t::KryteriaWyszukiwaniaReceptUslugobiorcyMT::new(pacjent());
    kryteria.numer_recepty = Some(numer_recepty());
    add(
        &op::wyszukanie_recept_uslugobiorcy::SPEC,
        &t::WyszukanieReceptUslugobiorcyRequest::new(kryteria.clone()),
    );
    kryteria.status_recepty = Some(t::StatusReceptyEnumMT::CzesciowoZrealizowana);
    add(
        &op::wyszukanie_recept_uslugobiorcy_do_konsultacji::SPEC,
        &t::WyszukanieReceptUslugobiorcyDoKonsultacjiRequest::new(kryteria),
    );
    add(
        &op::odczyt_recepty_do_konsultacji::SPEC,
        &t::OdczytReceptyDoKonsultacjiRequest::new(numer_recepty()),
    );
    let mut kryteria = t::KryteriaWyszukiwaniaRealizacjiReceptDoKonsultacjiMT::new(pacjent());
    kryteria.data_realizacja_recepty_do = Some(data("2026-05-31T23:59:59Z"));
    kryteria.data_realizacji_recepty_od = Some(data("2026-01-01T00:00:00Z"));
    add(
        &op::wyszukanie_realizacji_recept_do_konsultacji::SPEC,
        &t::WyszukanieRealizacjiReceptDoKonsultacjiRequest::new(kryteria),
    );
    let mut kryteria = t::KryteriaWyszukiwaniaDokumentowAnulowaniaMT::new();
    kryteria.numer_recepty = Some(numer_recepty());
    add(
        &op::wyszukanie_dokumentow_anulowania_recept::SPEC,
        &t::WyszukanieDokumentowAnulowaniaReceptRequest::new(kryteria),
    );
    add(
        &op::weryfikacja_pakietu_recept::SPEC,
        &t::WeryfikacjaPakietuReceptRequest::new(pakiet_recept()),
    );
    add(
        &op::rezygnacja_z_realizacji_recepty_na_lek_recepturowy::SPEC,
        &t::RezygnacjaZRealizacjiReceptyNaLekRecepturowyRequest::new(
            choices::RezygnacjaZRealizacji::NumerIPozycjaReceptyPapierowej(Some(papierowa())),
        ),
    );
    add(
        &op::przyjecie_do_realizacji_recepty_na_lek_recepturowy::SPEC,
        &t::PrzyjecieDoRealizacjiReceptyNaLekRecepturowyRequest::new(
            choices::PrzyjecieDoRealizacji::KluczRecepty(Some(klucz())),
        ),
    );
    add(
        &op::odczyt_recepty_do_realizacji::SPEC,
        &t::OdczytReceptyDoRealizacjiRequest::new(klucz()),
    );
    add(
        &op::odczyt_pakietu_recept_do_realizacji::SPEC,
        &t::OdczytPakietuReceptDoRealizacjiRequest::new(t::KryteriaOdczytuPakietuReceptMT::new(
            choices::KryteriaOdczytuPakietuRecept::KodPakietuRecept(Some(
                "123444051401359".to_owned(),
            )),
        )),
    );
    add(
        &op::odczyt_recepty::SPEC,
        &t::OdczytReceptyRequest::new(klucz()),
    );
    add(
        &op::odczyt_pakietu_recept::SPEC,
        &t::OdczytPakietuReceptRequest::new(t::KluczPakietuReceptMT::new(
            "9f8e7d6c5b4a39281706f5e4d3c2b1a0".to_owned(),
        )),
    );
    add(
        &op::odczyt_dokumentu_realizacji_recepty::SPEC,
        &t::OdczytDokumentuRealizacjiReceptyRequest::new(
            t::IdentyfikatorDokumentuRealizacjiReceptyMT::new(id_dokumentu("R-2026-0001")),
        ),
    );
    add(
        &op::odczyt_dokumentu_anulowania_recepty::SPEC,
        &t::OdczytDokumentuAnulowaniaReceptyRequest::new(
            t::IdentyfikatorDokumentuAnulowaniaReceptyMT::new(id_dokumentu("A-2026-0001")),
        ),
    );
    add(
        &op::odczyt_danych_dostepowych_pakietu_recept::SPEC,
        &t::OdczytDanychDostepowychPakietuReceptRequest::new(klucz()),
    );
    add(
        &op::odblokowanie_recepty::SPEC,
        &t::OdblokowanieReceptyRequest::new(klucz()),
    );
    let mut r = t::ZapisKorektyDokumentuRealizacjiReceptyRequest::new(dokument_realizacji());
    r.klucz_recepty = Some(klucz());
    add(&op::zapis_korekty_dokumentu_realizacji_recepty::SPEC, &r);
    out
}

/// Object-safe access to `request_envelope` for the different input types.
trait Request {
    fn envelope(&self, spec: &OperationSpec, k: &KontekstWywolania) -> String;
}

impl<T: XmlWrite + Validate> Request for T {
    fn envelope(&self, spec: &OperationSpec, k: &KontekstWywolania) -> String {
        request_envelope(spec, k, self).unwrap_or_else(|e| panic!("{}: {e}", spec.name))
    }
}

#[test]
fn one_request_per_operation_validates_against_the_published_schemas() {
    let requests = all_requests();
    // Every operation of the client, once.
    let mut names: Vec<&str> = requests.iter().map(|(s, _)| s.name).collect();
    names.sort_unstable();
    let mut expected: Vec<&str> = sdk_p1::OPERATIONS.iter().map(|s| s.name).collect();
    expected.sort_unstable();
    assert_eq!(names, expected);

    let ours = our_schemas();
    for (spec, xml) in &requests {
        check(
            xml,
            published_schemas(),
            &format!("{}: published", spec.name),
        );
        check(xml, &ours, &format!("{}: our", spec.name));
        // The header with its wsu:Id and attributes, the body element of the operation.
        assert!(
            xml.contains("kontekstWywolania")
                && xml.contains(":Id=\"kontekstWywolania-1\"")
                && xml.contains("=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\"")
                && xml.contains("urn:csioz:p1:erecepta:kontekst:rolaBiznesowa"),
            "{xml}"
        );
        assert!(xml.contains(&format!(":{}", spec.input.local)), "{xml}");
    }
}

#[test]
fn the_check_can_fail() {
    let requests = all_requests();
    let (_, xml) = requests
        .iter()
        .find(|(s, _)| s.name == "odczytRecepty")
        .unwrap();
    // A child the published request does not have.
    let bad = xml
        .replace("<kluczRecepty>", "<kluczReceptyX>")
        .replace("</kluczRecepty>", "</kluczReceptyX>");
    assert_ne!(&bad, xml);
    assert!(matches!(
        validate_soap11(&bad, published_schemas()),
        Err(XmllintError::Invalid(_))
    ));
    // A context attribute without a value (wartosc is 1..n).
    let (_, xml) = &requests[0];
    let start = xml
        .find("<k:wartosc>")
        .or_else(|| xml.find(":wartosc>"))
        .unwrap();
    let prefix_start = xml[..start].rfind('<').unwrap();
    let end = xml[start..].find("</").unwrap() + start;
    let close = xml[end..].find('>').unwrap() + end + 1;
    let bad = format!("{}{}", &xml[..prefix_start], &xml[close..]);
    assert!(matches!(
        validate_soap11(&bad, published_schemas()),
        Err(XmllintError::Invalid(_))
    ));
    // An unknown header block (the envelope's Header content is validated strictly).
    let bad = xml.replacen(
        "<soap:Header>",
        "<soap:Header><x:unknown xmlns:x=\"urn:x\"/>",
        1,
    );
    assert!(bad.contains(&format!("xmlns:soap=\"{SOAP11_NS}\"")));
    assert!(matches!(
        validate_soap11(&bad, published_schemas()),
        Err(XmllintError::Invalid(_))
    ));
}
