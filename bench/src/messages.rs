//! The benchmarked messages: for every sdk crate, small and large, requests and answers. Each
//! is real traffic of the crate's embedded sandbox (answers as the sandbox sent them, requests
//! as the client writes them), so the bytes are what a vendor's program handles; a large answer
//! is made large by real calls (a schedule of many booked visits), not by padding.

use std::path::{Path, PathBuf};

use sdk_p1::cer::{self, KontekstCeR, operation as cop, types as c};
use sdk_p1::erecepta::{operation as op, types as t};
use sdk_p1::{KontekstWywolania, MaWynik, Oid, RolaBiznesowa, TrescDokumentu, choices};
use sdk_runtime::DateTime;
use sdk_runtime::soap::{Envelope, HeaderBlock, SoapVersion, write_envelope};
use sdk_runtime::xml::{ElementName, ReadContext, XmlRead, XmlWrite};

/// How a message is encoded on the wire.
#[derive(Debug, Clone, Copy)]
pub enum Format {
    /// A SOAP envelope.
    Xml,
    /// A JSON document (REST).
    Json,
    /// A positional string line of this protocol (Chongqing's `BUSINESS_HANDLE`). Its row pairs
    /// the two directions of one transaction as a client meets them: `bytes` is the answer
    /// (decoded), and the encode writes the request line.
    Positional(sdk_runtime::positional::Protocol),
}

/// What zeep needs to handle the same bytes.
pub struct Zeep {
    pub wsdl: PathBuf,
    pub operation: String,
    /// `input` (a request, as a server reads it) or `output` (an answer, as a client reads it).
    pub direction: &'static str,
}

/// A decode of the bytes into the typed value; `Err` says why it failed.
pub type Decode = Box<dyn Fn(&[u8]) -> Result<(), String>>;
/// An encode of the decoded value back into bytes.
pub type Encode = Box<dyn Fn() -> Vec<u8>>;

/// One benchmarked message.
pub struct Message {
    pub krate: &'static str,
    pub name: String,
    pub bytes: Vec<u8>,
    pub format: Format,
    pub zeep: Option<Zeep>,
    pub decode: Decode,
    pub encode: Encode,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn decode_body<T: XmlRead>(bytes: &[u8], element: ElementName) -> Result<T, String> {
    let envelope = Envelope::parse(bytes).map_err(|e| e.to_string())?;
    let mut cx = ReadContext::new();
    envelope
        .read_body::<T>(element, &mut cx)
        .map_err(|e| e.to_string())
}

/// A SOAP 1.1 message whose body element `element` holds a `T`; `header` is written into the
/// envelope when encoding (a request's call context).
fn soap<T: XmlRead + XmlWrite + 'static>(
    krate: &'static str,
    name: &str,
    element: ElementName,
    header: Option<(ElementName, Box<dyn HeaderBlock>)>,
    bytes: Vec<u8>,
    zeep: Option<Zeep>,
) -> Result<Message, String> {
    soap_as::<T>(krate, name, element, header, bytes, zeep, |v| v)
}

/// [`soap`], encoding the decoded value as `rebuild` changes it (a value built by a caller
/// rather than read).
fn soap_as<T: XmlRead + XmlWrite + 'static>(
    krate: &'static str,
    name: &str,
    element: ElementName,
    header: Option<(ElementName, Box<dyn HeaderBlock>)>,
    bytes: Vec<u8>,
    zeep: Option<Zeep>,
    rebuild: impl FnOnce(T) -> T,
) -> Result<Message, String> {
    let value: T = decode_body(&bytes, element).map_err(|e| format!("{name}: {e}"))?;
    let value = rebuild(value);
    Ok(Message {
        krate,
        name: name.to_owned(),
        bytes,
        format: Format::Xml,
        zeep,
        decode: Box::new(move |b| {
            decode_body::<T>(b, element).map(|v| drop(std::hint::black_box(v)))
        }),
        encode: Box::new(move || {
            let headers: Vec<(ElementName, &dyn HeaderBlock)> =
                header.iter().map(|(n, h)| (*n, h.as_ref())).collect();
            write_envelope(SoapVersion::V11, &headers, element, &value).into_bytes()
        }),
    })
}

fn zeep(wsdl: &str, operation: &str, direction: &'static str) -> Option<Zeep> {
    Some(Zeep {
        wsdl: workspace().join(wsdl),
        operation: operation.to_owned(),
        direction,
    })
}

fn err<E: std::fmt::Display>(what: &str) -> impl Fn(E) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// Every message of every sdk crate.
pub async fn all() -> Result<Vec<Message>, String> {
    let mut out = Vec::new();
    out.extend(erecepta().await?);
    out.extend(cer_messages().await?);
    out.extend(vzp().await?);
    out.extend(sukl()?);
    out.extend(erecept_sukl().await?);
    out.extend(vecozo().await?);
    out.extend(chongqing()?);
    Ok(out)
}

/// P1 e-Recepta: a package with the published sample prescription (signed XAdES-BES by a
/// sandbox prescriber) and its answer; reading that prescription back, request and answer.
async fn erecepta() -> Result<Vec<Message>, String> {
    const WSDL: &str = "wsdl/p1/ObslugaRecepty.wsdl";
    let s = sdk_p1::sandbox::Sandbox::start().map_err(err("e-Recepta sandbox"))?;
    let client = s.client().map_err(err("e-Recepta client"))?;
    let kontekst = KontekstWywolania::builder()
        .id_podmiotu(Oid::new("2.16.840.1.113883.3.4424.2.3.1", "000000123456"))
        .id_uzytkownika(Oid::new(sdk_p1::OID_NPWZ, "1234567"))
        .id_miejsca_pracy(Oid::new("2.16.840.1.113883.3.4424.2.3.3", "01"))
        .rola_biznesowa(RolaBiznesowa::from_value("LEKARZ_LEK_DENTYSTA_FELCZER"))
        .build()
        .map_err(err("call context"))?;
    let lekarz = s
        .prescriber_identity("lek. Jan Fikcyjny (benchmark)")
        .map_err(err("prescriber"))?;
    let sample =
        workspace().join("../shared/specs/published/p1-erecepta-v20170510/samples/recepta.xml");
    let cda = std::fs::read_to_string(&sample).map_err(|e| format!("{}: {e}", sample.display()))?;
    // The sample carries its publisher's signature; ours replaces it.
    let cda = match (cda.find("<ds:Signature"), cda.find("</ds:Signature>")) {
        (Some(a), Some(b)) => format!(
            "{}{}",
            cda.get(..a).unwrap_or_default(),
            cda.get(b + "</ds:Signature>".len()..).unwrap_or_default()
        ),
        _ => cda,
    };
    let tresc = TrescDokumentu::podpisz(&lekarz, cda.as_bytes()).map_err(err("signing"))?;
    let mut recepty = t::ReceptyMT::new();
    recepty.recepta.push(t::ReceptaMT::new(1, tresc));
    let zapis = t::ZapisPakietuReceptRequest::new(t::PakietReceptMT::new(
        choices::PakietRecept::Recepty(Some(recepty)),
    ));
    let zapis_request =
        sdk_p1::request_envelope(&op::zapis_pakietu_recept::SPEC, &kontekst, &zapis)
            .map_err(err("zapisPakietuRecept request"))?
            .into_bytes();
    let answer = client
        .zapis_pakietu_recept(&kontekst, &zapis)
        .await
        .map_err(err("zapisPakietuRecept"))?;
    answer.sprawdz_wynik().map_err(err("zapisPakietuRecept"))?;
    let klucz = match answer
        .output
        .potwierdzenie_operacji_zapisu
        .as_ref()
        .map(|p| &p.choice)
    {
        Some(choices::PotwierdzenieOperacjiZapisu::WynikZapisuPakietuRecept(Some(w))) => w
            .wynik_weryfikacji
            .as_ref()
            .and_then(|w| w.weryfikowana_recepta.first())
            .and_then(|r| r.klucz_recepty.clone()),
        _ => None,
    }
    .ok_or("zapisPakietuRecept: no prescription key in the answer")?;
    let zapis_answer = answer.raw.to_vec();

    let odczyt = t::OdczytReceptyRequest::new(t::KluczReceptyMT::new(klucz));
    let odczyt_request = sdk_p1::request_envelope(&op::odczyt_recepty::SPEC, &kontekst, &odczyt)
        .map_err(err("odczytRecepty request"))?
        .into_bytes();
    let answer = client
        .odczyt_recepty(&kontekst, &odczyt)
        .await
        .map_err(err("odczytRecepty"))?;
    answer.sprawdz_wynik().map_err(err("odczytRecepty"))?;
    let odczyt_answer = answer.raw.to_vec();
    s.shutdown().await;

    let header = |k: &KontekstWywolania| -> Option<(ElementName, Box<dyn HeaderBlock>)> {
        Some((sdk_p1::KONTEKST_WYWOLANIA, Box::new(k.clone())))
    };
    Ok(vec![
        soap::<op::zapis_pakietu_recept::Input>(
            "sdk-p1",
            "e-Recepta zapisPakietuRecept request (published sample prescription)",
            op::zapis_pakietu_recept::SPEC.input,
            header(&kontekst),
            zapis_request.clone(),
            zeep(WSDL, "zapisPakietuRecept", "input"),
        )?,
        // The same request with its prescription built from bytes (encoded as it is written):
        // what writing costs when the document's base64 text is not kept.
        soap_as::<op::zapis_pakietu_recept::Input>(
            "sdk-p1",
            "e-Recepta zapisPakietuRecept request, prescription given as bytes",
            op::zapis_pakietu_recept::SPEC.input,
            header(&kontekst),
            zapis_request,
            None,
            |mut v| {
                if let choices::PakietRecept::Recepty(Some(r)) = &mut v.pakiet_recept.choice {
                    for recepta in &mut r.recepta {
                        recepta.tresc = TrescDokumentu::new(recepta.tresc.as_bytes().to_vec());
                    }
                }
                v
            },
        )?,
        soap::<op::zapis_pakietu_recept::Output>(
            "sdk-p1",
            "e-Recepta zapisPakietuRecept answer",
            op::zapis_pakietu_recept::SPEC.output,
            None,
            zapis_answer,
            zeep(WSDL, "zapisPakietuRecept", "output"),
        )?,
        soap::<op::odczyt_recepty::Input>(
            "sdk-p1",
            "e-Recepta odczytRecepty request",
            op::odczyt_recepty::SPEC.input,
            header(&kontekst),
            odczyt_request,
            zeep(WSDL, "odczytRecepty", "input"),
        )?,
        soap::<op::odczyt_recepty::Output>(
            "sdk-p1",
            "e-Recepta odczytRecepty answer (with the prescription)",
            op::odczyt_recepty::SPEC.output,
            None,
            odczyt_answer,
            zeep(WSDL, "odczytRecepty", "output"),
        )?,
    ])
}

/// Valid fictitious PESELs (varied birth dates and serials), for distinct patients.
fn pesele(n: usize) -> Vec<String> {
    (0..n)
        .filter_map(|i| {
            let rok = i32::try_from(1950 + i % 50).ok()?;
            let dni = i64::try_from((i / 50) % 365).ok()?;
            let urodzony = time::Date::from_calendar_date(rok, time::Month::January, 1)
                .ok()?
                .checked_add(time::Duration::days(dni))?;
            sdk_p1::Pesel::fikcyjny(urodzony, u16::try_from((i * 7919) % 10_000).ok()?)
        })
        .map(|p| p.as_str().to_owned())
        .collect()
}

/// Visits booked in the CeR sandbox before its list is read.
const CER_VISITS: usize = 300;

/// P1 CeR: booking a visit (request), and the visit list of a place of service with
/// [`CER_VISITS`] booked visits (a large answer).
async fn cer_messages() -> Result<Vec<Message>, String> {
    const WSDL: &str = "wsdl/p1/cer/ObslugaCeR.wsdl";
    let s = cer::sandbox::Sandbox::start().map_err(err("CeR sandbox"))?;
    let client = s.client().map_err(err("CeR client"))?;
    let mus_oid = Oid::new("2.16.840.1.113883.3.4424.2.3.3", "000000123456-01-001");
    let mus = c::IdentyfikatorMusMT::new(mus_oid.extension.clone(), mus_oid.root.clone());
    let kontekst = KontekstCeR::builder()
        .id_podmiotu(Oid::new("2.16.840.1.113883.3.4424.2.3.1", "000000123456"))
        .id_miejsca_pracy(mus_oid)
        .rola_biznesowa(cer::rola_systemu())
        .build()
        .map_err(err("CeR call context"))?;
    let dzis = s.dzis();
    let mut h = c::HarmonogramMT::new(
        mus.clone(),
        c::KodSwiadczeniaMT::new("02.1450.102.02").map_err(err("benefit"))?,
    );
    // 20-minute slots, 24 a day from 08:00 UTC, from tomorrow on.
    for i in 0..CER_VISITS {
        let day = dzis
            .checked_add(time::Duration::days(1 + i64::try_from(i / 24).unwrap_or(0)))
            .ok_or("date out of range")?;
        let at = |k: usize| {
            let minutes = 8 * 60 + k * 20;
            let t = time::Time::from_hms(
                u8::try_from(minutes / 60).unwrap_or(0),
                u8::try_from(minutes % 60).unwrap_or(0),
                0,
            )
            .unwrap_or(time::Time::MIDNIGHT);
            DateTime::from_offset(time::PrimitiveDateTime::new(day, t).assume_utc())
        };
        let mut slot = c::SlotMT::new(at(i % 24), at(i % 24 + 1));
        slot.rodzaj_wizyty.push(c::RodzajWizytyMT::Kolejna);
        h.slot.push(slot);
    }
    let r = client
        .utworz_harmonogram(&kontekst, &cop::utworz_harmonogram::Input::new(h))
        .await
        .map_err(err("utworzHarmonogram"))?;
    r.sprawdz_wynik().map_err(err("utworzHarmonogram"))?;
    let sloty: Vec<c::IdentyfikatorMT> = r
        .output
        .harmonogram
        .map(|h| h.slot.into_iter().filter_map(|s| s.id_slotu).collect())
        .unwrap_or_default();
    client
        .aktywuj_mus(&kontekst, &cop::aktywuj_mus::Input::new(mus.clone()))
        .await
        .map_err(err("aktywujMus"))?
        .sprawdz_wynik()
        .map_err(err("aktywujMus"))?;
    let zapisano = DateTime::from_offset(
        time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
    );
    let mut zapisz_request = Vec::new();
    for (slot, pesel) in sloty.iter().zip(pesele(CER_VISITS)) {
        let mut kontakt = c::KontaktMT::new();
        kontakt.telefon = Some("600100200".to_owned());
        kontakt.email = Some(format!("pacjent{}@example.pl", &pesel[7..]));
        let dane = c::DaneWizytyMT::new(
            slot.clone(),
            c::RodzajWizytyMT::Kolejna,
            c::IdentyfikatorPacjentaMT::new(pesel, sdk_p1::OID_PESEL.to_owned()),
            kontakt,
            zapisano.clone(),
        );
        let input = cop::zapisz_na_wizyte::Input::new(dane);
        if zapisz_request.is_empty() {
            // What the client writes before signing.
            zapisz_request = write_envelope(
                SoapVersion::V11,
                &[(cer::KONTEKST_CER, &kontekst as &dyn HeaderBlock)],
                cop::zapisz_na_wizyte::SPEC.input,
                &input,
            )
            .into_bytes();
        }
        client
            .zapisz_na_wizyte(&kontekst, &input)
            .await
            .map_err(err("zapiszNaWizyte"))?
            .sprawdz_wynik()
            .map_err(err("zapiszNaWizyte"))?;
    }
    let lista = cop::pobierz_liste_wizyt_sync::Input::new(
        mus,
        dzis,
        dzis.checked_add(time::Duration::days(40))
            .ok_or("date out of range")?,
    );
    let answer = client
        .pobierz_liste_wizyt_sync(&kontekst, &lista)
        .await
        .map_err(err("pobierzListeWizytSync"))?;
    answer
        .sprawdz_wynik()
        .map_err(err("pobierzListeWizytSync"))?;
    let lista_answer = answer.raw.to_vec();
    s.shutdown().await;
    let header: Option<(ElementName, Box<dyn HeaderBlock>)> =
        Some((cer::KONTEKST_CER, Box::new(kontekst.clone())));
    Ok(vec![
        soap::<cop::zapisz_na_wizyte::Input>(
            "sdk-p1",
            "CeR zapiszNaWizyte request",
            cop::zapisz_na_wizyte::SPEC.input,
            header,
            zapisz_request,
            zeep(WSDL, "zapiszNaWizyte", "input"),
        )?,
        soap::<cop::pobierz_liste_wizyt_sync::Output>(
            "sdk-p1",
            &format!("CeR pobierzListeWizytSync answer ({CER_VISITS} visits)"),
            cop::pobierz_liste_wizyt_sync::SPEC.output,
            None,
            lista_answer,
            zeep(WSDL, "pobierzListeWizytSync", "output"),
        )?,
    ])
}

/// VZP: Průběh pojištění, request and answer, and Stav smlouvy's answer.
async fn vzp() -> Result<Vec<Message>, String> {
    use sdk_vzp::{prubeh_pojisteni as pp, stav_smlouvy as ss};
    let s = sdk_vzp::sandbox::Sandbox::start().map_err(err("VZP sandbox"))?;
    let client = s.client().map_err(err("VZP client"))?;
    let den = time::Date::from_calendar_date(2026, time::Month::June, 1).map_err(err("date"))?;
    let cislo = sdk_vzp::CisloPojistence::parse("8001010006").map_err(err("číslo pojištěnce"))?;
    let input = pp::types::PrubehPojisteniDruhB2BPozadavek::new(cislo.clone(), den);
    let request = write_envelope(
        SoapVersion::V11,
        &[],
        pp::operation::prubeh_pojisteni_druh_b2b::SPEC.input,
        &input,
    )
    .into_bytes();
    let answer = client
        .prubeh_pojisteni(&cislo, den)
        .await
        .map_err(err("prubehPojisteni"))?;
    let prubeh_answer = answer.raw.to_vec();
    let icp = sdk_vzp::Icp::parse("12345678").map_err(err("IČP"))?;
    let smlouva = client
        .stav_smlouvy(&icp, den)
        .await
        .map_err(err("stavSmlouvy"))?;
    let smlouva_answer = smlouva.raw.to_vec();
    s.shutdown().await;
    let prubeh_wsdl = "wsdl/vzp/PrubehPojisteniDruhB2B.wsdl";
    let smlouva_wsdl = "wsdl/vzp/stavSmlouvyICPICPPB2B.wsdl";
    Ok(vec![
        soap::<pp::operation::prubeh_pojisteni_druh_b2b::Input>(
            "sdk-vzp",
            "VZP prubehPojisteniDruhB2B request",
            pp::operation::prubeh_pojisteni_druh_b2b::SPEC.input,
            None,
            request,
            zeep(
                prubeh_wsdl,
                pp::operation::prubeh_pojisteni_druh_b2b::SPEC.name,
                "input",
            ),
        )?,
        soap::<pp::operation::prubeh_pojisteni_druh_b2b::Output>(
            "sdk-vzp",
            "VZP prubehPojisteniDruhB2B answer",
            pp::operation::prubeh_pojisteni_druh_b2b::SPEC.output,
            None,
            prubeh_answer,
            zeep(
                prubeh_wsdl,
                pp::operation::prubeh_pojisteni_druh_b2b::SPEC.name,
                "output",
            ),
        )?,
        soap::<ss::operation::stav_smlouvy_icpicppb2b::Output>(
            "sdk-vzp",
            "VZP stavSmlouvyICPICPPB2B answer",
            ss::operation::stav_smlouvy_icpicppb2b::SPEC.output,
            None,
            smlouva_answer,
            zeep(
                smlouva_wsdl,
                ss::operation::stav_smlouvy_icpicppb2b::SPEC.name,
                "output",
            ),
        )?,
    ])
}

/// SÚKL LEK-13 (REST/JSON): a prescription report with one item of each kind, and one with 100
/// registered items.
fn sukl() -> Result<Vec<Message>, String> {
    use sdk_sukl::lek13::{
        DruhHlaseni, FormaIplp, Hlaseni, Icp, Icz, KodPracoviste, KodSukl, Odesilatel, Pohlavi,
        Polozka, Software, WireReport,
    };
    let now = time::OffsetDateTime::now_utc();
    let vydano = (now - time::Duration::hours(1))
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(err("time"))?;
    let odesilatel = Odesilatel::new(
        KodPracoviste::parse("12345678901").map_err(err("kód pracoviště"))?,
        Icz::parse("12345000").map_err(err("IČZ"))?,
        Software::new("Benchmark", "1.0", "b2b-sdk"),
    );
    let kod = KodSukl::parse("0012345").map_err(err("kód SÚKL"))?;
    let icp = Icp::parse("87654321").map_err(err("IČP"))?;
    let registrovany = || {
        Polozka::registrovany(
            &vydano,
            sdk_runtime::decimal!("2.0"),
            &kod,
            "PARALEN 500MG TBL NOB 24",
            "A12B",
        )
        .hradi(false, sdk_runtime::decimal!("25.5"))
        .cena_konecna(sdk_runtime::decimal!("59.9"))
        .cena_puvodce(sdk_runtime::decimal!("31.2"))
    };
    let small = Hlaseni::recept(&icp, 1958, Pohlavi::Z)
        .polozka(registrovany())
        .polozka(
            Polozka::iplp(
                &vydano,
                sdk_runtime::decimal!("1.0"),
                "Ung. simplex",
                FormaIplp::Masti,
            )
            .hradi(false, sdk_runtime::decimal!("80.0"))
            .taxa_laborum(sdk_runtime::decimal!("45.0")),
        );
    let mut large = Hlaseni::recept(&icp, 1958, Pohlavi::M);
    for _ in 0..100 {
        large = large.polozka(registrovany());
    }
    let mut out = Vec::new();
    for (name, hlaseni) in [
        ("SÚKL LEK-13 prescription report (2 items)", small),
        ("SÚKL LEK-13 prescription report (100 items)", large),
    ] {
        let wire = hlaseni
            .to_wire(&odesilatel, now, false)
            .map_err(err(name))?;
        let json = wire.to_json().map_err(err(name))?.into_bytes();
        let value = wire;
        out.push(Message {
            krate: "sdk-sukl",
            name: name.to_owned(),
            bytes: json,
            format: Format::Json,
            zeep: None,
            decode: Box::new(|b| {
                let text = std::str::from_utf8(b).map_err(|e| e.to_string())?;
                WireReport::from_json(DruhHlaseni::Recept, text)
                    .map(|v| drop(std::hint::black_box(v)))
                    .map_err(|e| e.to_string())
            }),
            encode: Box::new(move || value.to_json().map(String::into_bytes).unwrap_or_default()),
        });
    }
    Ok(out)
}

/// SÚKL eRecept (SOAP 1.1): the sandbox prescriber writes the sandbox's sample prescription
/// (`ZalozitPredpis`, signed), the sandbox pharmacist finds it (`NacistPredpis`, request and
/// answer with the prescription) and dispenses it with the sample dispensing (`ZalozitVydej`,
/// signed).
///
/// The signed requests are the bytes the client sends: the request element signed as a document
/// of its own (enveloped `ds:Signature`, the user's personal certificate) and put into the
/// envelope as it is (what `call_signed` does), and the sandbox verified them. As with the
/// e-Recepta package's XAdES-signed prescription, the signing is done once, untimed: decode reads
/// the body with its `ds:Signature` as schema values, encode writes that value back (the
/// signature's values copied, not computed again).
async fn erecept_sukl() -> Result<Vec<Message>, String> {
    use sdk_runtime::soap::envelope_around;
    use sdk_sukl::erecept::{ChybaSukl, podpis};
    use sdk_sukl::generated::cuer_lekar::operation as lekar_op;
    use sdk_sukl::generated::cuer_lekarnik::operation as lekarnik_op;
    use sdk_sukl::generated::erecept::types as e;
    use sdk_sukl::sandbox::erecept as erp;
    const LEKAR_WSDL: &str = "wsdl/sukl/erecept/CUERLekar.wsdl";
    const LEKARNIK_WSDL: &str = "wsdl/sukl/erecept/CUERLekarnik.wsdl";
    let s = sdk_sukl::sandbox::Sandbox::start().map_err(err("eRecept sandbox"))?;
    let lekar = s
        .lekar_builder()
        .and_then(|b| b.build())
        .map_err(err("eRecept prescriber client"))?;
    let lekarnik = s
        .lekarnik_builder()
        .and_then(|b| b.build())
        .map_err(err("eRecept pharmacist client"))?;
    let podpis_lekare = s
        .podpisovy_certifikat("MUDr. Jan Fikcyjný (benchmark)")
        .map_err(err("prescriber's signing certificate"))?;
    let podpis_lekarnika = s
        .podpisovy_certifikat("PharmDr. Eva Fikcyjná (benchmark)")
        .map_err(err("pharmacist's signing certificate"))?;
    let dnes = time::OffsetDateTime::now_utc().date();

    // The prescriber writes the sample prescription, signed.
    let predpis = erp::priklad_predpisu(dnes).map_err(err("sample prescription"))?;
    let zalozit = e::ZalozeniPredpisuErpDotazType::new(
        e::ZalozeniPredpisuErpDokladDotazTypeOrDerived::ZalozeniPredpisuErpDokladDotazType(
            Box::new(predpis),
        ),
        lekar.zprava().map_err(err("Zprava"))?,
        podpis::k_podpisu(),
    );
    let op = &lekar_op::zalozit_predpis::SPEC;
    let signed = podpis::podepsat_dotaz(&podpis_lekare, op.input, &zalozit)
        .map_err(err("signing ZalozitPredpis"))?;
    let zalozit_request = envelope_around(op.version, &signed).into_bytes();
    let answer = lekar
        .cuer()
        .soap()
        .send::<lekar_op::zalozit_predpis::Output, ChybaSukl>(op, zalozit_request.clone())
        .await
        .map_err(err("ZalozitPredpis"))?;
    let id = answer.output.doklad.id_dokladu.get().clone();
    let zalozit_answer = answer.raw.to_vec();

    // The pharmacist finds it by its identifier.
    let op = &lekarnik_op::nacist_predpis::SPEC;
    let nacist = lekarnik
        .dotaz_na_doklad(&id)
        .map_err(err("NacistPredpis request"))?;
    let nacist_request = write_envelope(op.version, &[], op.input, &nacist).into_bytes();
    let answer = lekarnik
        .cuer()
        .soap()
        .send::<lekarnik_op::nacist_predpis::Output, ChybaSukl>(op, nacist_request.clone())
        .await
        .map_err(err("NacistPredpis"))?;
    if answer.output.doklad.plp.is_empty() {
        return Err("NacistPredpis: the prescription came back without its product".to_owned());
    }
    let nacist_answer = answer.raw.to_vec();

    // And dispenses it with the sample dispensing, signed.
    let vydej = erp::priklad_vydeje(dnes, &id).map_err(err("sample dispensing"))?;
    let zalozit_vydej = e::ZalozeniVydejeErpDotazType::new(
        e::ZalozeniVydejeErpDokladDotazTypeOrDerived::ZalozeniVydejeErpDokladDotazType(Box::new(
            vydej,
        )),
        lekarnik.zprava().map_err(err("Zprava"))?,
        podpis::k_podpisu(),
    );
    let op = &lekarnik_op::zalozit_vydej::SPEC;
    let signed = podpis::podepsat_dotaz(&podpis_lekarnika, op.input, &zalozit_vydej)
        .map_err(err("signing ZalozitVydej"))?;
    let vydej_request = envelope_around(op.version, &signed).into_bytes();
    lekarnik
        .cuer()
        .soap()
        .send::<lekarnik_op::zalozit_vydej::Output, ChybaSukl>(op, vydej_request.clone())
        .await
        .map_err(err("ZalozitVydej"))?;
    if s.stav_predpisu(&id).as_deref() != Some("PLNE_VYDANY") {
        return Err("ZalozitVydej: the sandbox did not record the dispensing".to_owned());
    }
    s.shutdown().await;

    Ok(vec![
        soap::<lekar_op::zalozit_predpis::Input>(
            "sdk-sukl",
            "eRecept CUER Lékař ZalozitPredpis request (sample prescription, signed)",
            lekar_op::zalozit_predpis::SPEC.input,
            None,
            zalozit_request,
            zeep(LEKAR_WSDL, "ZalozitPredpis", "input"),
        )?,
        soap::<lekar_op::zalozit_predpis::Output>(
            "sdk-sukl",
            "eRecept CUER Lékař ZalozitPredpis answer",
            lekar_op::zalozit_predpis::SPEC.output,
            None,
            zalozit_answer,
            zeep(LEKAR_WSDL, "ZalozitPredpis", "output"),
        )?,
        soap::<lekarnik_op::nacist_predpis::Input>(
            "sdk-sukl",
            "eRecept CUER Lékárník NacistPredpis request",
            lekarnik_op::nacist_predpis::SPEC.input,
            None,
            nacist_request,
            zeep(LEKARNIK_WSDL, "NacistPredpis", "input"),
        )?,
        soap::<lekarnik_op::nacist_predpis::Output>(
            "sdk-sukl",
            "eRecept CUER Lékárník NacistPredpis answer (the prescription)",
            lekarnik_op::nacist_predpis::SPEC.output,
            None,
            nacist_answer,
            zeep(LEKARNIK_WSDL, "NacistPredpis", "output"),
        )?,
        soap::<lekarnik_op::zalozit_vydej::Input>(
            "sdk-sukl",
            "eRecept CUER Lékárník ZalozitVydej request (sample dispensing, signed)",
            lekarnik_op::zalozit_vydej::SPEC.input,
            None,
            vydej_request,
            zeep(LEKARNIK_WSDL, "ZalozitVydej", "input"),
        )?,
    ])
}

/// VECOZO: COV with 1 and 20 queries, request and answer (SOAP 1.1, as the sandbox answers),
/// and an Instroom request (REST/JSON).
async fn vecozo() -> Result<Vec<Message>, String> {
    use sdk_vecozo::Bsn;
    use sdk_vecozo::cov::SoapVersie;
    use sdk_vecozo::generated::cov::operation::controleer as cop;
    use sdk_vecozo::generated::cov::types::{Volgnummer, Zoekopdracht};
    use sdk_vecozo::instroom::types::{
        Instantie, Instroomverzoek, Verstrekking, Verzekerde, Zorgverlener,
    };
    const WSDL: &str = "wsdl/vecozo/VZ801802.wsdl";
    let s = sdk_vecozo::sandbox::Sandbox::start().map_err(err("VECOZO sandbox"))?;
    let cov = s.cov(SoapVersie::Soap11).map_err(err("COV client"))?;
    let agb = sdk_vecozo::AgbCode::parse(sdk_vecozo::sandbox::SANDBOX_AGB_PRAKTIJK)
        .map_err(err("AGB"))?;
    let queries = |n: usize| -> Result<Vec<Zoekopdracht>, String> {
        (0..n)
            .map(|i| {
                let born = time::Date::from_calendar_date(1980, time::Month::January, 1)
                    .map_err(err("date"))?;
                let on = time::Date::from_calendar_date(2024, time::Month::June, 1)
                    .map_err(err("date"))?;
                let number = Volgnummer::new(i32::try_from(i + 1).map_err(err("number"))?)
                    .map_err(err("number"))?;
                let mut q = Zoekopdracht::new(number, born, on);
                q.bsn = Some(
                    Bsn::parse(if i % 2 == 0 { "111222333" } else { "123456782" })
                        .map_err(err("BSN"))?,
                );
                Ok(q)
            })
            .collect()
    };
    let mut out = Vec::new();
    for n in [1, 20] {
        let input = sdk_vecozo::cov::verzoek(Some(&agb), queries(n)?).map_err(err("COV"))?;
        let request = write_envelope(SoapVersion::V11, &[], cop::SPEC.input, &input).into_bytes();
        let answer = cov.controleer_verzoek(&input).await.map_err(err("COV"))?;
        out.push(soap::<cop::Input>(
            "sdk-vecozo",
            &format!("VECOZO COV Controleer request ({n} queries)"),
            cop::SPEC.input,
            None,
            request,
            zeep(WSDL, "Controleer", "input"),
        )?);
        out.push(soap::<cop::Output>(
            "sdk-vecozo",
            &format!("VECOZO COV Controleer answer ({n} results)"),
            cop::SPEC.output,
            None,
            answer.raw.to_vec(),
            zeep(WSDL, "Controleer", "output"),
        )?);
    }
    s.shutdown().await;
    let mut verzoek = Instroomverzoek::new(
        Instantie::new(sdk_vecozo::sandbox::SANDBOX_AGB_PRAKTIJK.to_owned()),
        Zorgverlener::new(sdk_vecozo::sandbox::SANDBOX_AGB_ZORGVERLENER.to_owned()),
        Verzekerde::new("111222333".to_owned(), "1980-01-01".to_owned()),
        Verstrekking::new("GPH-1234".to_owned()),
    );
    verzoek.referentie = Some("HIS-2026-000042".to_owned());
    verzoek.verstrekking.omschrijving = Some("Rolstoel, handbewogen".to_owned());
    let bytes = serde_json::to_vec(&verzoek).map_err(err("Instroom"))?;
    out.push(Message {
        krate: "sdk-vecozo",
        name: "VECOZO Instroom request (JSON)".to_owned(),
        bytes,
        format: Format::Json,
        zeep: None,
        decode: Box::new(|b| {
            serde_json::from_slice::<Instroomverzoek>(b)
                .map(|v| drop(std::hint::black_box(v)))
                .map_err(|e| e.to_string())
        }),
        encode: Box::new(move || serde_json::to_vec(&verzoek).unwrap_or_default()),
    });
    Ok(out)
}

/// A transport that passes every call to the Chongqing sandbox and keeps the bytes both ways.
#[derive(Default)]
struct Recording {
    sandbox: sdk_chongqing::sandbox::InProcess,
    calls: std::sync::Mutex<Vec<(Vec<u8>, Vec<u8>)>>,
}

impl Recording {
    /// The last exchange: the request line and the answer, as bytes.
    fn last(&self) -> Option<(Vec<u8>, Vec<u8>)> {
        self.calls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .last()
            .cloned()
    }
}

impl sdk_chongqing::Transport for Recording {
    fn init(&self) -> Result<i32, sdk_chongqing::TransportError> {
        self.sandbox.init()
    }

    fn business_handle(
        &self,
        input: &[u8],
    ) -> Result<(i32, Vec<u8>), sdk_chongqing::TransportError> {
        let (code, answer) = self.sandbox.business_handle(input)?;
        self.calls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((input.to_vec(), answer.clone()));
        Ok((code, answer))
    }
}

/// One transaction of a positional protocol as a client meets it: `answer` decoded (split,
/// status checked, outputs typed, as `Client::run` reads it), `request` encoded (its fields
/// written, checked and joined into the line). `sent` is the line the client sent for it; what
/// the encode writes must be that line.
fn positional<R: sdk_runtime::positional::Transaction + 'static>(
    krate: &'static str,
    name: &str,
    protocol: sdk_runtime::positional::Protocol,
    request: R,
    sent: &[u8],
    answer: Vec<u8>,
) -> Result<Message, String> {
    use sdk_runtime::positional::{Fields, FromAnswer};
    let encode = move || {
        let mut fields = Fields::new();
        request.write_fields(&mut fields);
        protocol.request(R::CODE, &fields).unwrap_or_default()
    };
    if encode() != sent {
        return Err(format!(
            "{name}: the request written again differs from the line sent"
        ));
    }
    Ok(Message {
        krate,
        name: name.to_owned(),
        bytes: answer,
        format: Format::Positional(protocol),
        zeep: None,
        decode: Box::new(move |b| {
            let answer = protocol.answer(b).map_err(|e| e.to_string())?;
            if answer.status() == "-1" {
                return Err(format!("refused: {:?}", answer.text(1)));
            }
            R::Output::from_answer(&answer)
                .map(|v| drop(std::hint::black_box(v)))
                .map_err(|e| e.to_string())
        }),
        encode: Box::new(encode),
    })
}

/// Chongqing (GBK positional strings through the vendor library's `BUSINESS_HANDLE`, here the
/// in-process sandbox): 01, an insured person's data (a one-field request, a 12-field answer
/// with Chinese text), and 04, a charge line of a registered visit (a 16-field request with a
/// date-time, decimals and Chinese text, a 3-field answer).
fn chongqing() -> Result<Vec<Message>, String> {
    use sdk_chongqing::jiaoyi::{PROTOCOL, Transactions as _, t01, t02, t04};
    let client = sdk_chongqing::Client::new(Recording::default());
    client.init().map_err(err("Chongqing INIT"))?;
    let t01_request = t01::Request::new("A1234567".to_owned());
    client
        .ren_yuan_xin_xi(&t01_request)
        .map_err(err("Chongqing 01"))?;
    let (t01_sent, t01_answer) = client.transport().last().ok_or("Chongqing 01: no call")?;

    let day =
        time::Date::from_calendar_date(2026, time::Month::December, 7).map_err(err("date"))?;
    client
        .jiu_zhen_deng_ji(&t02::Request::new(
            "MZ20261207001".to_owned(),
            t02::YiLiaoLeiBie::JiZhen,
            "A1234567".to_owned(),
            "内科".to_owned(),
            "王医生".to_owned(),
            day,
            "J06.9 急性上呼吸道感染".to_owned(),
            "收费员甲".to_owned(),
            "0".to_owned(),
        ))
        .map_err(err("Chongqing 02"))?;
    let decimal = |text: &str| -> Result<sdk_runtime::Decimal, String> {
        sdk_runtime::xml::XmlText::from_xml_text(text).map_err(err("decimal"))
    };
    let at =
        time::PrimitiveDateTime::new(day, time::Time::from_hms(9, 30, 0).map_err(err("time"))?);
    let t04_request = t04::Request::new(
        "MZ20261207001".to_owned(),
        "CF0001".to_owned(),
        at,
        "X001".to_owned(),
        "HIS-1".to_owned(),
        "阿莫西林胶囊".to_owned(),
        decimal("12.5")?,
        decimal("2")?,
        false,
        "王医生".to_owned(),
        "收费员甲".to_owned(),
        "盒".to_owned(),
        "0.25g*24".to_owned(),
        "胶囊".to_owned(),
        decimal("25")?,
    );
    client
        .tian_jia_chu_fang_ming_xi(&t04_request)
        .map_err(err("Chongqing 04"))?;
    let (t04_sent, t04_answer) = client.transport().last().ok_or("Chongqing 04: no call")?;
    Ok(vec![
        positional(
            "sdk-chongqing",
            "Chongqing 01 获取人员基本信息 (answer decoded, request encoded)",
            PROTOCOL,
            t01_request,
            &t01_sent,
            t01_answer,
        )?,
        positional(
            "sdk-chongqing",
            "Chongqing 04 添加处方明细 (answer decoded, request encoded)",
            PROTOCOL,
            t04_request,
            &t04_sent,
            t04_answer,
        )?,
    ])
}
