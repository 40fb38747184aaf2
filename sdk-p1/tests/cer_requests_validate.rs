//! Every Centralna e-Rejestracja request the client emits — one per operation, with
//! representative content and the kontekstWywolania header of the newer P1 dialect — validates
//! with xmllint against our reconstructed CeR schemas (`wsdl/p1/cer/`) inside a strictly
//! validated SOAP 1.1 envelope, and reads back equal. Every operation is marked reconstructed.
//! Control cases prove the check can fail.
#![cfg(feature = "cer")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::OnceLock;

use sdk_p1::cer::operation as op;
use sdk_p1::cer::types as c;
use sdk_runtime::Provenance;
use sdk_runtime::sandbox::xmllint::{SchemaRef, validate_soap11};
use sdk_runtime::soap::{Envelope, OperationSpec, SoapVersion, write_envelope};
use sdk_runtime::values::DateTime;
use sdk_runtime::xml::{ElementName, ReadContext, Validate, XmlRead, XmlWrite};

const KONTEKST_NS: &str = "http://csioz.gov.pl/p1/kontekst/mt/v20180509";
const OID_PESEL: &str = "2.16.840.1.113883.3.4424.1.1.616";
const OID_MUS: &str = "2.16.840.1.113883.3.4424.2.3.3";

fn cer_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../wsdl/p1/cer")
}

fn schemas() -> &'static [SchemaRef] {
    static S: OnceLock<Vec<SchemaRef>> = OnceLock::new();
    S.get_or_init(|| {
        let defs = sdk_codegen::wsdl::read(&cer_dir().join("ObslugaCeR.wsdl")).unwrap();
        let dir = std::env::temp_dir().join(format!("cer-schemas-{}", std::process::id()));
        let mut refs: Vec<SchemaRef> = sdk_codegen::wsdl::write_standalone_schemas(&defs, &dir)
            .unwrap()
            .into_iter()
            .filter(|(ns, _)| !ns.is_empty())
            .map(|(ns, path)| SchemaRef::new(ns, path))
            .collect();
        // The WSDL's inline schema only imports: the request elements are in ObslugaCeRWS.xsd.
        for (ns, file) in [
            (
                "http://csioz.gov.pl/p1/cer/ws/v20260101",
                "ObslugaCeRWS.xsd",
            ),
            (KONTEKST_NS, "kontekst.xsd"),
            (
                "http://csioz.gov.pl/p1/cer/notyfikacje/v20260101",
                "notyfikacje.xsd",
            ),
        ] {
            if !refs.iter().any(|r| r.namespace == ns) {
                refs.push(SchemaRef::new(ns, cer_dir().join(file)));
            }
        }
        refs
    })
}

fn kontekst() -> c::KontekstMT {
    let mut k = c::KontekstMT::new();
    for (name, value) in [
        (
            "urn:csioz:p1:kontekst:idPodmiotuOidRoot",
            "2.16.840.1.113883.3.4424.2.3.1",
        ),
        ("urn:csioz:p1:kontekst:idPodmiotuOidExt", "000000008506"),
        (
            "urn:csioz:p1:kontekst:rolaBiznesowa",
            "SYSTEM_ZEWNETRZNY_PODMIOTU_LECZNICZEGO",
        ),
    ] {
        let mut a = c::AtrybutMT::new();
        a.nazwa = Some(name.to_owned());
        a.wartosc.push(c::WartoscAtrybutuMT::new(value).unwrap());
        k.atrybut.push(a);
    }
    k
}

fn dt(s: &str) -> DateTime {
    DateTime::parse(s).unwrap()
}

fn date(s: &str) -> sdk_runtime::Date {
    sdk_runtime::xml::parse_date(s).unwrap()
}

fn id(s: &str) -> c::IdentyfikatorMT {
    c::IdentyfikatorMT::new(s).unwrap()
}

fn mus() -> c::IdentyfikatorMusMT {
    c::IdentyfikatorMusMT::new("000000008506-01-001".into(), OID_MUS.into())
}

fn kontakt() -> c::KontaktMT {
    let mut k = c::KontaktMT::new();
    k.telefon = Some("600100200".into());
    k.email = Some("jan.kowalski@example.pl".into());
    k
}

fn slot(start: &str, end: &str) -> c::SlotMT {
    let mut s = c::SlotMT::new(dt(start), dt(end));
    s.rodzaj_wizyty.push(c::RodzajWizytyMT::Pierwszorazowa);
    s.rodzaj_wizyty.push(c::RodzajWizytyMT::Kolejna);
    s
}

fn dane() -> c::DaneWizytyMT {
    let mut d = c::DaneWizytyMT::new(
        id("SLOT-1"),
        c::RodzajWizytyMT::Pierwszorazowa,
        c::IdentyfikatorPacjentaMT::new("44051401359".into(), OID_PESEL.into()),
        kontakt(),
        dt("2026-12-01T08:15:00+01:00"),
    );
    d.skierowanie = Some(c::SkierowanieMT::new(
        c::SkierowanieMtChoiceKluczSkierowania::KluczSkierowania(
            "1234567890123456789012345678901234567890abcd".into(),
        ),
    ));
    d
}

/// Writes the request, validates it with xmllint, reads it back and compares.
fn check<T>(spec: &OperationSpec, input: &T)
where
    T: XmlWrite + XmlRead + Validate + PartialEq + std::fmt::Debug,
{
    assert_eq!(spec.provenance, Provenance::Reconstructed, "{}", spec.name);
    input
        .validated()
        .unwrap_or_else(|e| panic!("{}: {e}", spec.name));
    let k = kontekst();
    let headers = [(
        ElementName::new(KONTEKST_NS, "kontekstWywolania"),
        &k as &dyn sdk_runtime::soap::HeaderBlock,
    )];
    let envelope = write_envelope(SoapVersion::V11, &headers, spec.input, input);
    validate_soap11(&envelope, schemas())
        .unwrap_or_else(|e| panic!("{}: {e}\n{envelope}", spec.name));
    let env = Envelope::parse(envelope.as_bytes()).unwrap();
    let mut cx = ReadContext::new();
    let back: T = env.read_body(spec.input, &mut cx).unwrap();
    assert_eq!(&back, input, "{}", spec.name);
    assert!(
        cx.diagnostics().is_empty(),
        "{}: {:?}",
        spec.name,
        cx.diagnostics()
    );
}

#[test]
fn every_request_validates_against_our_cer_schemas_and_reads_back() {
    let mut h = c::HarmonogramMT::new(mus(), c::KodSwiadczeniaMT::new("02.1450.102.02").unwrap());
    h.nazwa = Some("Kardiologia — poradnia".into());
    h.slot.push(slot(
        "2026-12-14T08:00:00+01:00",
        "2026-12-14T08:20:00+01:00",
    ));
    h.slot.push(slot(
        "2026-12-14T08:20:00+01:00",
        "2026-12-14T08:40:00+01:00",
    ));
    check(
        &op::utworz_harmonogram::SPEC,
        &c::UtworzHarmonogramRequest::new(h),
    );

    let mut z = c::ZmianaHarmonogramuMT::new(id("H-1"));
    z.dodaj_slot.push(slot(
        "2026-12-15T10:00:00+01:00",
        "2026-12-15T10:20:00+01:00",
    ));
    let mut changed = slot("2026-12-14T09:00:00+01:00", "2026-12-14T09:30:00+01:00");
    changed.id_slotu = Some(id("SLOT-2"));
    z.zmien_slot.push(changed);
    z.usun_slot.push(id("SLOT-3"));
    check(
        &op::zmien_harmonogram::SPEC,
        &c::ZmienHarmonogramRequest::new(z),
    );

    check(
        &op::pobierz_liste_harmonogramow::SPEC,
        &c::PobierzListeHarmonogramowRequest::new(mus(), date("2026-12-01"), date("2027-01-09")),
    );
    check(&op::aktywuj_mus::SPEC, &c::AktywujMusRequest::new(mus()));

    check(
        &op::zapisz_na_wizyte::SPEC,
        &c::ZapiszNaWizyteRequest::new(dane()),
    );
    let mut paper = dane();
    paper.rodzaj_wizyty = c::RodzajWizytyMT::UprawnieniaSzczegolne;
    paper.kod_uprawnienia_szczegolnego = Some("ZHK".into());
    let mut p = c::SkierowaniePapieroweMT::new(c::IdentyfikatorOIDMTOrDerived::IdentyfikatorOIDMT(
        Box::new(c::IdentyfikatorOIDMT::new(
            "5425740".into(),
            "2.16.840.1.113883.3.4424.1.6.2".into(),
        )),
    ));
    p.data_wystawienia = Some(date("2026-11-20"));
    paper.skierowanie = Some(c::SkierowanieMT::new(
        c::SkierowanieMtChoiceKluczSkierowania::SkierowaniePapierowe(p),
    ));
    check(
        &op::zapisz_na_wizyte::SPEC,
        &c::ZapiszNaWizyteRequest::new(paper),
    );

    let mut zw = c::ZmienWizyteRequest::new(id("W-1"));
    zw.id_slotu = Some(id("SLOT-9"));
    zw.kontakt = Some(kontakt());
    check(&op::zmien_wizyte::SPEC, &zw);
    let mut ow = c::OdwolajWizyteRequest::new(id("W-1"));
    ow.powod = Some("Pacjent zrezygnował".into());
    check(&op::odwolaj_wizyte::SPEC, &ow);
    for s in [
        c::StatusRealizacjiMT::Zrealizowana,
        c::StatusRealizacjiMT::NiezrealizowanaZWinyPacjenta,
        c::StatusRealizacjiMT::NiezrealizowanaNieZWinyPacjenta,
    ] {
        check(
            &op::zapisz_realizacje_wizyty::SPEC,
            &c::ZapiszRealizacjeWizytyRequest::new(id("W-1"), s),
        );
    }
    let mut lw =
        c::PobierzListeWizytSyncRequest::new(mus(), date("2026-12-01"), date("2026-12-31"));
    lw.zmienione_od = Some(dt("2026-12-06T00:00:00Z"));
    check(&op::pobierz_liste_wizyt_sync::SPEC, &lw);

    let mut kr = c::KryteriaPoczekalniMT::new(c::KodSwiadczeniaMT::new("02.1450.102.02").unwrap());
    kr.najwczesniej = Some(date("2026-12-10"));
    let wpis = c::WpisPoczekalniMT::new(
        c::IdentyfikatorPacjentaMT::new("44051401359".into(), OID_PESEL.into()),
        kontakt(),
        kr,
        true,
        dt("2026-12-06T10:00:00+01:00"),
    );
    check(
        &op::zapisz_do_poczekalni::SPEC,
        &c::ZapiszDoPoczekalniRequest::new(wpis),
    );
    check(
        &op::usun_z_poczekalni::SPEC,
        &c::UsunZPoczekalniRequest::new(id("P-1")),
    );
    check(
        &op::pobierz_status_skierowania::SPEC,
        &c::PobierzStatusSkierowaniaRequest::new("1234567890".into()),
    );
    for tryb in [
        c::TrybZasileniaMT::WeryfikacjaPliku,
        c::TrybZasileniaMT::Zasilenie,
    ] {
        check(
            &op::zasilenie_inicjalne::SPEC,
            &c::ZasilenieInicjalneRequest::new(
                mus(),
                tryb,
                sdk_p1::TrescDokumentu::new(b"idMus;kodSwiadczenia\n".to_vec()),
            ),
        );
    }
    check(
        &op::pobierz_wynik_zasilenia::SPEC,
        &c::PobierzWynikZasileniaRequest::new(id("Z-1")),
    );
}

#[test]
fn the_check_fails_on_a_request_our_schemas_refuse() {
    // A slot without its kinds of visit: the generated validation refuses it, and so does
    // xmllint when it is written anyway.
    let mut h = c::HarmonogramMT::new(mus(), c::KodSwiadczeniaMT::new("02.1450.102.02").unwrap());
    h.slot.push(c::SlotMT::new(
        dt("2026-12-14T08:00:00Z"),
        dt("2026-12-14T08:20:00Z"),
    ));
    let input = c::UtworzHarmonogramRequest::new(h);
    assert!(input.validated().is_err());
    let spec = op::utworz_harmonogram::SPEC;
    let k = kontekst();
    let headers = [(
        ElementName::new(KONTEKST_NS, "kontekstWywolania"),
        &k as &dyn sdk_runtime::soap::HeaderBlock,
    )];
    let envelope = write_envelope(SoapVersion::V11, &headers, spec.input, &input);
    assert!(validate_soap11(&envelope, schemas()).is_err(), "{envelope}");
    // A benefit code of the wrong shape is refused before anything is written.
    assert!(c::KodSwiadczeniaMT::new("02-1450").is_err());
}

#[test]
fn the_four_notification_kinds_validate_and_read_back() {
    use sdk_p1::cer::notyfikacje::{operation as nop, types as n};
    let spec = nop::przekaz_notyfikacje::SPEC;
    assert_eq!(spec.provenance, Provenance::Reconstructed);
    for rodzaj in [
        n::RodzajNotyfikacjiMT::ZapisIkp,
        n::RodzajNotyfikacjiMT::AnulacjaIkp,
        n::RodzajNotyfikacjiMT::ZapisInnyPodmiot,
        n::RodzajNotyfikacjiMT::ZapisZPoczekalni,
    ] {
        let mut k = n::KontaktMT::new();
        k.email = Some("pacjent@example.pl".into());
        let dane = n::DaneWizytyMT::new(
            n::IdentyfikatorMT::new("SLOT-1").unwrap(),
            n::RodzajWizytyMT::Pierwszorazowa,
            n::IdentyfikatorPacjentaMT::new("44051401359".into(), OID_PESEL.into()),
            k,
            dt("2026-12-06T09:00:00+01:00"),
        );
        let wizyta = n::WizytaMT::new(
            n::IdentyfikatorMT::new("W-1").unwrap(),
            n::IdentyfikatorMusMT::new("000000008506-01-001".into(), OID_MUS.into()),
            n::KodSwiadczeniaMT::new("02.1450.102.02").unwrap(),
            dt("2026-12-14T08:00:00+01:00"),
            dt("2026-12-14T08:20:00+01:00"),
            dane,
            n::StatusWizytyMT::Umowiona,
            n::KanalMT::Ikp,
            dt("2026-12-06T09:00:01+01:00"),
        );
        let input = n::PrzekazNotyfikacjeRequest::new(
            n::IdentyfikatorMT::new("N-1").unwrap(),
            rodzaj,
            dt("2026-12-06T09:00:01+01:00"),
            wizyta,
        );
        input.validated().unwrap();
        let envelope = write_envelope(SoapVersion::V11, &[], spec.input, &input);
        validate_soap11(&envelope, schemas()).unwrap_or_else(|e| panic!("{e}\n{envelope}"));
        let env = Envelope::parse(envelope.as_bytes()).unwrap();
        let mut cx = ReadContext::new();
        let back: n::PrzekazNotyfikacjeRequest = env.read_body(spec.input, &mut cx).unwrap();
        assert_eq!(back, input);
    }
}
