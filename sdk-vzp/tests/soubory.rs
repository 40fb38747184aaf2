//! The employer file "Zaměstnanci pojištění u VZP", read streaming in the encodings it comes in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sdk_vzp::soubory::zamestnanci;

const NS: &str = zamestnanci::NAMESPACE;

fn record(i: usize, jmeno: &str, prijmeni: &str, cislo: &str) -> String {
    format!(
        "<z:zamestnanec><z:cisloPojistence>{cislo}</z:cisloPojistence><z:jmeno>{jmeno}</z:jmeno>\
         <z:prijmeni>{prijmeni}</z:prijmeni><z:zamestnaniOd>2020-0{}-01</z:zamestnaniOd>\
         <z:kodPojisteni>1</z:kodPojisteni><z:stavy><z:stav>A</z:stav><z:stav>B</z:stav></z:stavy>\
         <z:statniKategorie><z:statniKategorieZamestnanec><z:kod>S</z:kod>\
         <z:statniKategorieOd>2021-01-01</z:statniKategorieOd></z:statniKategorieZamestnanec>\
         </z:statniKategorie></z:zamestnanec>\n",
        1 + i % 9
    )
}

/// A file in `encoding`, with or without its declaration, the records inside an envelope the
/// description does not know.
fn file(
    records: &str,
    encoding: &'static sdk_runtime::encoding_rs::Encoding,
    declare: bool,
) -> Vec<u8> {
    let mut text = String::new();
    if declare {
        text.push_str(&format!(
            "<?xml version=\"1.0\" encoding=\"{}\"?>\n",
            encoding.name()
        ));
    }
    text.push_str(&format!(
        "<z:odpoved xmlns:z=\"{NS}\"><z:hlavicka><z:ico>12345678</z:ico></z:hlavicka><z:data>\n{records}</z:data></z:odpoved>"
    ));
    let (bytes, _, unmappable) = encoding.encode(&text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[test]
fn employees_in_iso_8859_2_with_czech_names() {
    let records = [
        record(0, "Jiří", "Dvořák", "8001010006"),
        record(1, "Žofie", "Šťastná", "7552150012"),
        // A broken number is kept, with a diagnostic naming its path; reading goes on.
        record(2, "Eva", "Malá", "12345"),
    ]
    .concat();
    for (encoding, declare) in [
        (sdk_runtime::encoding_rs::ISO_8859_2, true),
        // Without a declaration: not UTF-8, so ISO-8859-2, as VZP writes its files.
        (sdk_runtime::encoding_rs::ISO_8859_2, false),
        (sdk_runtime::encoding_rs::UTF_8, false),
        (sdk_runtime::encoding_rs::WINDOWS_1250, true),
    ] {
        let bytes = file(&records, encoding, declare);
        let mut it = zamestnanci::read(bytes.as_slice()).unwrap();
        let got: Vec<zamestnanci::Zamestnanec> = it.by_ref().map(Result::unwrap).collect();
        assert_eq!(got.len(), 3, "{}", encoding.name());
        assert_eq!(got[0].jmeno.as_deref(), Some("Jiří"));
        assert_eq!(got[1].prijmeni.as_deref(), Some("Šťastná"));
        assert_eq!(
            got[0].cislo_pojistence.as_ref().unwrap().as_str(),
            "8001010006"
        );
        assert_eq!(got[1].zamestnani_od.unwrap().to_string(), "2020-02-01");
        assert_eq!(got[0].stavy.as_ref().unwrap().stav, ["A", "B"]);
        let kat = &got[0]
            .statni_kategorie
            .as_ref()
            .unwrap()
            .statni_kategorie_zamestnanec[0];
        assert_eq!(kat.kod.as_deref(), Some("S"));
        assert_eq!(got[2].cislo_pojistence.as_ref().unwrap().as_str(), "12345");
        let d = it.diagnostics();
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].path, "/zamestnanec/cisloPojistence");
        // Names are personal data: Debug does not show them.
        let debug = format!("{:?}", got[1]);
        assert!(
            !debug.contains("Šťastná") && !debug.contains("7552150012"),
            "{debug}"
        );
        // The envelope is kept for whoever needs it.
        let rest = it.into_rest().unwrap();
        assert_eq!(rest.root().local_name(), "odpoved");
        assert_eq!(rest.root().deep_text(), "12345678");
    }
}

#[test]
fn an_unknown_declared_encoding_and_broken_bytes_are_errors() {
    let err = zamestnanci::read(b"<?xml version=\"1.0\" encoding=\"x-unknown\"?><a/>".as_slice())
        .unwrap_err()
        .to_string();
    assert!(err.contains("x-unknown"), "{err}");
    // Declared UTF-8 but not: an error, not mojibake.
    let mut bytes = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>".to_vec();
    bytes.extend(file(
        &record(0, "Jiří", "Dvořák", "8001010006"),
        sdk_runtime::encoding_rs::ISO_8859_2,
        false,
    ));
    let mut it = zamestnanci::read(bytes.as_slice()).unwrap();
    let first = it.next().unwrap();
    assert!(first.is_err(), "{first:?}");
    assert!(it.next().is_none());
}

#[test]
fn two_hundred_thousand_employees_in_constant_memory() {
    struct Generated {
        head: Vec<u8>,
        n: usize,
        i: usize,
        buf: Vec<u8>,
        pos: usize,
        done: bool,
    }
    impl std::io::Read for Generated {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.pos == self.buf.len() {
                self.buf.clear();
                self.pos = 0;
                if !self.head.is_empty() {
                    self.buf = std::mem::take(&mut self.head);
                } else if self.i < self.n {
                    let r = record(self.i, "Jiří", "Dvořák", "8001010006");
                    self.buf = sdk_runtime::encoding_rs::ISO_8859_2
                        .encode(&r)
                        .0
                        .into_owned();
                    self.i += 1;
                } else if !self.done {
                    self.buf = b"</z:data></z:odpoved>".to_vec();
                    self.done = true;
                }
            }
            let n = out.len().min(self.buf.len() - self.pos);
            out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }
    let head = format!(
        "<?xml version=\"1.0\" encoding=\"ISO-8859-2\"?><z:odpoved xmlns:z=\"{NS}\"><z:data>"
    )
    .into_bytes();
    let input = std::io::BufReader::new(Generated {
        head,
        n: 200_000,
        i: 0,
        buf: Vec::new(),
        pos: 0,
        done: false,
    });
    let mut it = zamestnanci::read(input).unwrap();
    let mut count = 0;
    let mut held = 0;
    while let Some(z) = it.next() {
        assert_eq!(z.unwrap().jmeno.as_deref(), Some("Jiří"));
        count += 1;
        if count == 1000 {
            held = it.memory_held();
        }
    }
    assert_eq!(count, 200_000);
    assert_eq!(
        it.memory_held(),
        held,
        "the buffers grew with the number of records"
    );
    assert!(it.diagnostics().is_empty());
}

#[test]
fn registered_insured_persons_and_insurance_histories_read_streaming() {
    use sdk_vzp::soubory::{prubeh, registrovani};
    let ns = registrovani::NAMESPACE;
    let text = format!(
        "<?xml version=\"1.0\" encoding=\"ISO-8859-2\"?><r:seznamRegistrovanychPojistencu xmlns:r=\"{ns}\">\
         <r:icz>12345000</r:icz>\
         <r:pojistenec><r:cisloPojistence>8001010006</r:cisloPojistence><r:prijmeni>Dvořák</r:prijmeni>\
         <r:jmeno>Jiří</r:jmeno><r:datumNarozeni>1980-01-01</r:datumNarozeni><r:icp>12345678</r:icp>\
         <r:odbornost>001</r:odbornost><r:registraceOd>2016-03-01</r:registraceOd></r:pojistenec>\
         <r:pojistenec><r:cisloPojistence>7552150012</r:cisloPojistence><r:odbornost>014</r:odbornost>\
         <r:nove>an element the description does not know</r:nove></r:pojistenec>\
         </r:seznamRegistrovanychPojistencu>"
    );
    let (bytes, _, _) = sdk_runtime::encoding_rs::ISO_8859_2.encode(&text);
    let mut it = registrovani::read(&bytes[..]).unwrap();
    let got: Vec<_> = it.by_ref().map(Result::unwrap).collect();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].prijmeni.as_deref(), Some("Dvořák"));
    assert_eq!(got[0].registrace_od.unwrap().to_string(), "2016-03-01");
    assert_eq!(got[1].odbornost.as_deref(), Some("014"));
    assert!(
        !format!("{:?}", got[0]).contains("Dvořák"),
        "names are redacted in Debug"
    );
    assert_eq!(it.diagnostics().len(), 1);
    assert_eq!(it.diagnostics()[0].path, "/pojistenec/nove");

    let ns = prubeh::NAMESPACE;
    let text = format!(
        "<p:prubehPojisteniSoubor xmlns:p=\"{ns}\"><p:pojistenec><p:cisloPojistence>7552150012</p:cisloPojistence>\
         <p:nalezen>true</p:nalezen><p:obdobi><p:kodPojistovny>111</p:kodPojistovny><p:pojistenOd>1975-02-15</p:pojistenOd>\
         <p:pojistenDo>2019-12-31</p:pojistenDo></p:obdobi><p:obdobi><p:kodPojistovny>201</p:kodPojistovny>\
         <p:pojistenOd>2020-01-01</p:pojistenOd></p:obdobi></p:pojistenec>\
         <p:pojistenec><p:cisloPojistence>8001010017</p:cisloPojistence><p:nalezen>false</p:nalezen></p:pojistenec>\
         </p:prubehPojisteniSoubor>"
    );
    let got: Vec<_> = prubeh::read(text.as_bytes())
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(got.len(), 2);
    let insurers: Vec<_> = got[0]
        .obdobi
        .iter()
        .map(|o| o.kod_pojistovny.as_deref().unwrap())
        .collect();
    assert_eq!(insurers, ["111", "201"]);
    assert_eq!(got[0].obdobi[1].pojisten_do, None);
    assert_eq!(got[1].nalezen, Some(false));
    assert!(got[1].obdobi.is_empty());
}
