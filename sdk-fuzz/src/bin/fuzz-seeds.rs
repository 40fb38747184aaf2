//! Writes the seed corpora of the fuzz targets (`cargo run -p sdk-fuzz --features seeds --bin
//! fuzz-seeds -- [DIR]`, `fuzz/corpus` by default), one folder per target:
//!
//! * `answers_<crate>`: for every SOAP operation of the crate, the type model's sample answers
//!   (every optional part; only what is required; each choice branch — the same samples as the
//!   conformance run) in a SOAP envelope with status 200, and a SOAP fault with status 500; for
//!   every REST operation, an empty JSON object and array.
//! * `xml_document`, `soap_envelope`, `c14n`: the same envelopes.
//! * `xml_records`: the samples of CeR's visit list.
//! * `wssec_verify`: envelopes signed with the fuzz key (`fuzz/keys`) at the fixed time the
//!   target verifies against, and an enveloped-signature document.
//! * `tabular_dlp`: SÚKL's published open-data samples, and every DLP layout's header with and
//!   without a row made up to read.
//! * `cer_csv`: initial-load files written by sdk-p1's own writer.
//! * `vzp_files`: the files the sdk-vzp tests read, in each encoding VZP uses.
//! * `as2_mime`: AS2 messages (plain, compressed, signed, encrypted, all three) and receipts
//!   built by the runtime's own builders with the AS2 fuzz key (`sdk-fuzz/keys/as2.pem`).
//! * `chongqing`: the Chongqing sandbox's answers to a session of every transaction.
//!
//! Each sample is first decoded by the crate's own decoder; only those that decode are kept, so
//! a seed starts the fuzzer deep inside the generated code.
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sdk_fuzz::answers::{input, operations};
use sdk_runtime::answers::{AnswerDecoder, Decoded, Spec};
use sdk_runtime::bytes::Bytes;
use sdk_runtime::soap::{SOAP11_NS, SOAP12_NS, SoapVersion};
use sdk_runtime::wssec::{SigningIdentity, SigningProfile, WsSecuritySigner};

/// The largest seed kept: larger samples (a CDA document with every optional part) slow the
/// fuzzer more than they teach it.
const MAX_SEED: usize = 32 * 1024;
/// Samples kept per operation (the full, the minimal and one choice branch).
const PER_OPERATION: usize = 3;

type Modules = &'static [(&'static str, &'static [AnswerDecoder])];

fn main() -> ExitCode {
    match run() {
        Ok(n) => {
            println!("{n} seeds written");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("fuzz-seeds: {e}");
            ExitCode::FAILURE
        }
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

struct Corpus {
    dir: PathBuf,
    written: usize,
}

impl Corpus {
    fn path(&self, target: &str, name: &str) -> PathBuf {
        let file: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(target).join(file)
    }

    fn put(&mut self, target: &str, name: &str, bytes: &[u8]) -> Result<(), String> {
        if bytes.len() > MAX_SEED {
            return Ok(());
        }
        let dir = self.dir.join(target);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = self.path(target, name);
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        self.written += 1;
        Ok(())
    }

    /// As [`Corpus::put`], for a seed that is made anew differently on every run (a signing
    /// time, a random content key or boundary): a seed of that name already kept is left as it
    /// is when its target still reads it, so that writing the seeds again changes no file.
    fn put_kept(
        &mut self,
        target: &sdk_fuzz::Target,
        name: &str,
        bytes: &[u8],
    ) -> Result<(), String> {
        let kept = std::fs::read(self.path(target.name, name)).ok();
        if kept.is_some_and(|k| (target.run)(&k) == sdk_fuzz::Outcome::Read) {
            self.written += 1;
            return Ok(());
        }
        self.put(target.name, name, bytes)
    }
}

/// Keeps `input` as a seed of `target` called `name` once the target reads it; an error
/// otherwise (a seed must reach the reader's success path).
fn put_read(corpus: &mut Corpus, target: &str, name: &str, input: &[u8]) -> Result<(), String> {
    let t = sdk_fuzz::target(target).ok_or_else(|| format!("no target {target}"))?;
    if (t.run)(input) != sdk_fuzz::Outcome::Read {
        return Err(format!("{target}: the seed {name} is not read"));
    }
    corpus.put(target, name, input)
}

fn run() -> Result<usize, String> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("fuzz/corpus"));
    let mut corpus = Corpus { dir, written: 0 };
    let crates: [(&str, &str, Modules); 4] = [
        ("answers_vzp", "wsdl/vzp", sdk_vzp::generated::ANSWERS),
        ("answers_p1", "wsdl/p1", sdk_p1::generated::ANSWERS),
        ("answers_sukl", "openapi/sukl", sdk_sukl::generated::ANSWERS),
        (
            "answers_vecozo",
            "wsdl/vecozo",
            sdk_vecozo::generated::ANSWERS,
        ),
    ];
    let mut envelopes = Vec::new();
    for (target, spec_dir, modules) in crates {
        let samples = samples_of(&workspace().join(spec_dir))?;
        for (i, (module, op)) in operations(modules).iter().enumerate() {
            let name = format!("{module}-{}", op.operation());
            match op.spec() {
                Spec::Soap(spec) => {
                    let key = (spec.output.ns.to_owned(), spec.output.local.to_owned());
                    let mut kept = 0;
                    for (k, xml) in samples.get(&key).into_iter().flatten().enumerate() {
                        if kept == PER_OPERATION {
                            break;
                        }
                        let env = envelope(spec.version, xml);
                        // Only samples the crate decodes: a seed must reach the output.
                        if let Decoded::Output { .. } =
                            op.decode(200, Bytes::copy_from_slice(env.as_bytes()))
                        {
                            corpus.put(
                                target,
                                &format!("{name}-{k}"),
                                &input(i, 200, env.as_bytes()),
                            )?;
                            if name.contains("pobierzListeWizyt") {
                                corpus.put(
                                    "xml_records",
                                    &format!("{name}-{k}"),
                                    env.as_bytes(),
                                )?;
                            }
                            envelopes.push((format!("{name}-{k}"), spec.version, env));
                            kept += 1;
                        }
                    }
                    let fault = fault(spec.version);
                    corpus.put(
                        target,
                        &format!("{name}-fault"),
                        &input(i, 500, fault.as_bytes()),
                    )?;
                }
                #[allow(unreachable_patterns)]
                _ => {
                    corpus.put(target, &format!("{name}-object"), &input(i, 200, b"{}"))?;
                    corpus.put(target, &format!("{name}-array"), &input(i, 200, b"[]"))?;
                }
            }
        }
    }
    // The runtime's readers: a spread of the envelopes (every tenth, one per version at least).
    for (n, (name, _, env)) in envelopes.iter().enumerate() {
        if n % 10 == 0 {
            for target in ["xml_document", "soap_envelope", "c14n"] {
                corpus.put(target, name, env.as_bytes())?;
            }
        }
    }
    for (version, name) in [
        (SoapVersion::V11, "fault-11"),
        (SoapVersion::V12, "fault-12"),
    ] {
        corpus.put("soap_envelope", name, fault(version).as_bytes())?;
    }
    signed(&mut corpus, &envelopes)?;
    dlp(&mut corpus)?;
    cer_csv(&mut corpus)?;
    vzp_files(&mut corpus)?;
    as2(&mut corpus)?;
    chongqing(&mut corpus)?;
    Ok(corpus.written)
}

/// The type model's samples of every root element of every SOAP service in `spec_dir`'s
/// `codegen.toml`, by element name.
fn samples_of(spec_dir: &Path) -> Result<BTreeMap<(String, String), Vec<String>>, String> {
    let config = codegen::config::CrateConfig::read(&spec_dir.join("codegen.toml"))
        .map_err(|e| e.to_string())?;
    let locations = config.locations(spec_dir).map_err(|e| e.to_string())?;
    let mut out: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for s in &config.services {
        let module =
            codegen::generate_wsdl_module_with(&spec_dir.join(&s.wsdl), &s.wsdl, &locations)
                .map_err(|e| format!("{}: {e}", s.wsdl))?;
        for sample in codegen::xml_samples::samples(&module.model, &module.elements) {
            let Some(root) = module.elements.get(sample.root) else {
                continue;
            };
            let body = sample
                .xml
                .trim_start()
                .strip_prefix("<?xml")
                .and_then(|rest| rest.split_once("?>").map(|(_, b)| b.to_owned()))
                .unwrap_or(sample.xml);
            out.entry((root.name.ns.clone(), root.name.local.clone()))
                .or_default()
                .push(body);
        }
    }
    Ok(out)
}

fn envelope(version: SoapVersion, body: &str) -> String {
    let ns = match version {
        SoapVersion::V12 => SOAP12_NS,
        _ => SOAP11_NS,
    };
    format!("<s:Envelope xmlns:s=\"{ns}\"><s:Header/><s:Body>{body}</s:Body></s:Envelope>")
}

fn fault(version: SoapVersion) -> String {
    match version {
        SoapVersion::V12 => format!(
            "<s:Envelope xmlns:s=\"{SOAP12_NS}\"><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value>\
             </s:Code><s:Reason><s:Text xml:lang=\"en\">failed</s:Text></s:Reason><s:Detail><d:x \
             xmlns:d=\"urn:d\">1</d:x></s:Detail></s:Fault></s:Body></s:Envelope>"
        ),
        _ => format!(
            "<s:Envelope xmlns:s=\"{SOAP11_NS}\"><s:Body><s:Fault><faultcode>s:Server</faultcode>\
             <faultstring>failed</faultstring><detail><d:x xmlns:d=\"urn:d\">1</d:x></detail>\
             </s:Fault></s:Body></s:Envelope>"
        ),
    }
}

/// Envelopes signed with the fuzz key at [`sdk_fuzz::markup::signed_at`], and enveloped
/// documents; each checked to verify in the target before it is kept.
fn signed(corpus: &mut Corpus, envelopes: &[(String, SoapVersion, String)]) -> Result<(), String> {
    let identity =
        SigningIdentity::from_pem(sdk_fuzz::markup::FUZZ_SIGNER_PEM).map_err(|e| e.to_string())?;
    let signer = WsSecuritySigner::new(identity.clone(), SigningProfile::new());
    let at = sdk_fuzz::markup::signed_at();
    let mut kept = 0;
    for (name, _, env) in envelopes.iter().filter(|(_, _, e)| e.len() < 4096) {
        if kept == 6 {
            break;
        }
        let signed = signer
            .sign_envelope_at(env.as_bytes(), at)
            .map_err(|e| format!("{name}: {e}"))?;
        if sdk_fuzz::markup::wssec_verify(&signed) == sdk_fuzz::Outcome::Read {
            corpus.put("wssec_verify", &format!("signed-{name}"), &signed)?;
            kept += 1;
        }
    }
    let document = "<d:Dokument xmlns:d=\"urn:example:dokument\" Id=\"d1\"><d:Pole>hodnota</d:Pole>\
                    <d:Pole a=\"1\">druhá</d:Pole></d:Dokument>";
    let signed = sdk_runtime::wssec::sign_enveloped_document(&identity, document.as_bytes())
        .map_err(|e| format!("enveloped document: {e}"))?;
    if sdk_fuzz::markup::wssec_verify(&signed) == sdk_fuzz::Outcome::Read {
        corpus.put("wssec_verify", "enveloped-document", &signed)?;
        kept += 1;
    }
    if kept == 0 {
        return Err("no signed seed verifies in the wssec_verify target".into());
    }
    Ok(())
}

/// `tabular_dlp`: SÚKL's published samples (`../shared/specs/published/sukl-opendata`, whole
/// rows up to the seed size), and for every layout its header alone and its header with one
/// row made up to read (the required columns given a value the row accepts, then every other
/// column one where the row still reads).
fn dlp(corpus: &mut Corpus) -> Result<(), String> {
    use sdk_fuzz::files::{DLP_READERS, dlp_input};
    let published = workspace().join("../shared/specs/published/sukl-opendata");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&published)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    if files.is_empty() {
        eprintln!(
            "fuzz-seeds: no published DLP samples in {}",
            published.display()
        );
    }
    for path in files {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        // The layout whose data set the file is named after (the longest: `dlp_dopinglp`
        // before `dlp_doping`).
        let Some((i, _)) = DLP_READERS
            .iter()
            .enumerate()
            .filter(|(_, (l, _))| name.starts_with(l.dataset))
            .max_by_key(|(_, (l, _))| l.dataset.len())
        else {
            continue;
        };
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let stem = name.strip_suffix(".csv").unwrap_or(name);
        let input = dlp_input(i, whole_rows(&bytes, MAX_SEED - 1));
        put_read(corpus, "tabular_dlp", &format!("published-{stem}"), &input)?;
    }
    for (i, (layout, read)) in DLP_READERS.iter().enumerate() {
        let sep = char::from(layout.separator).to_string();
        let file = |row: Option<&[&str]>| {
            let mut text = layout.header();
            text.push_str("\r\n");
            if let Some(row) = row {
                text.push_str(&row.join(&sep));
                text.push_str("\r\n");
            }
            layout.encoding.encode(&text).0.into_owned()
        };
        put_read(
            corpus,
            "tabular_dlp",
            &format!("{}-header", layout.dataset),
            &dlp_input(i, &file(None)),
        )?;
        // Values the columns' types take: text, whole numbers, dates (DD.MM.YYYY, DDMMRR), year
        // and month (YYYY.MM), yes/no flags, decimals.
        const VALUES: [&str; 11] = [
            "",
            "1",
            "01.02.2026",
            "010226",
            "2026.02",
            "A",
            "N",
            "Ano",
            "Ne",
            "1,5",
            "X",
        ];
        let columns = layout.columns.len();
        let mut pick = vec![0usize; columns];
        let row = |pick: &[usize]| {
            let cells: Vec<&str> = pick.iter().map(|&k| VALUES[k]).collect();
            file(Some(&cells))
        };
        let mut made = false;
        for _ in 0..columns * VALUES.len() {
            match read(&row(&pick), sdk_runtime::tabular::Options::new()) {
                Ok(_) => {
                    made = true;
                    break;
                }
                Err(sdk_runtime::tabular::Error::Field { position, .. })
                    if pick.get(position - 1).is_some_and(|k| k + 1 < VALUES.len()) =>
                {
                    pick[position - 1] += 1;
                }
                Err(_) => break,
            }
        }
        if !made {
            return Err(format!("tabular_dlp: no row of {} reads", layout.dataset));
        }
        for c in 0..columns {
            if pick[c] != 0 {
                continue;
            }
            for k in 1..VALUES.len() {
                pick[c] = k;
                if read(&row(&pick), sdk_runtime::tabular::Options::new()).is_ok() {
                    break;
                }
                pick[c] = 0;
            }
        }
        put_read(
            corpus,
            "tabular_dlp",
            &format!("{}-row", layout.dataset),
            &dlp_input(i, &row(&pick)),
        )?;
    }
    Ok(())
}

/// The longest start of `file` of at most `limit` bytes that ends after a whole record: at a
/// line end outside quotes.
fn whole_rows(file: &[u8], limit: usize) -> &[u8] {
    if file.len() <= limit {
        return file;
    }
    let mut quoted = false;
    let mut end = 0;
    for (i, &b) in file.iter().enumerate().take(limit) {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => end = i + 1,
            _ => {}
        }
    }
    &file[..end]
}

/// `cer_csv`: initial-load files written by the crate's own writer (`ZapisCsv`) from visits of
/// every kind the rules tell apart (follow-up with a phone, first visit on an e-referral or a
/// paper referral, special rights in a slot, a value that needs quoting), the header alone,
/// and the same file with a byte-order mark and LF line ends.
fn cer_csv(corpus: &mut Corpus) -> Result<(), String> {
    use sdk_p1::Pesel;
    use sdk_p1::cer::zasilenie::{RodzajWizyty, StatusSkierowania, Wizyta, ZapisCsv};
    use time::{Date, Month, PrimitiveDateTime, Time};
    let at = |day: u8, hour: u8, minute: u8| -> Result<PrimitiveDateTime, String> {
        Ok(PrimitiveDateTime::new(
            Date::from_calendar_date(2026, Month::July, day).map_err(|e| e.to_string())?,
            Time::from_hms(hour, minute, 0).map_err(|e| e.to_string())?,
        ))
    };
    let booked = PrimitiveDateTime::new(
        Date::from_calendar_date(2026, Month::June, 1).map_err(|e| e.to_string())?,
        Time::from_hms(10, 15, 0).map_err(|e| e.to_string())?,
    );
    // Fictitious PESELs with valid check digits (the sdk-p1 tests' own).
    let visit = |n: u8, kind: RodzajWizyty, pesel: &str| -> Result<Wizyta, String> {
        let pesel = Pesel::parse(pesel).map_err(|e| e.to_string())?;
        Ok(Wizyta::new(
            format!("MUS-{n:04}"),
            "02.1450.102.02",
            at(1 + n, 9, 0)?,
            20,
            kind,
            pesel,
            booked,
        ))
    };
    let mut follow_up = visit(0, RodzajWizyty::Kolejna, "44051401359")?;
    follow_up.telefon = Some("600700800".into());
    let mut e_referral = visit(1, RodzajWizyty::Pierwszorazowa, "80010112340")?;
    e_referral.email = Some("pacjent@example.com".into());
    e_referral.klucz_skierowania = Some("KLUCZ-1".into());
    e_referral.status_skierowania = Some(StatusSkierowania::Wystawione);
    let mut paper = visit(2, RodzajWizyty::Pierwszorazowa, "90123143210")?;
    paper.telefon = Some("+48 600-700-801".into());
    paper.id_wystawcy_skierowania_papierowego = Some("5425740".into());
    let mut special = visit(3, RodzajWizyty::UprawnieniaSzczegolne, "44051401359")?;
    special.email = Some("inny@example.pl".into());
    special.id_slotu = Some("SLOT-5".into());
    let mut continued = visit(4, RodzajWizyty::Kolejna, "80010112340")?;
    continued.telefon = Some("600700802".into());
    continued.klucz_skierowania = Some("KLUCZ-2".into());
    continued.status_skierowania = Some(StatusSkierowania::URealizatora);
    let mut quoted = visit(5, RodzajWizyty::Kolejna, "90123143210")?;
    quoted.id_mus = "MUS;\"5\"".into();
    quoted.telefon = Some("600700803".into());
    let mut writer = ZapisCsv::new(Vec::new()).map_err(|e| e.to_string())?;
    for v in [
        &follow_up,
        &e_referral,
        &paper,
        &special,
        &continued,
        &quoted,
    ] {
        writer
            .zapisz(v)
            .map_err(|e| format!("cer_csv: {v:?}: {e}"))?;
    }
    let file = writer.zakoncz().map_err(|e| e.to_string())?;
    put_read(corpus, "cer_csv", "zapis-csv-every-kind-of-visit", &file)?;
    let header = ZapisCsv::new(Vec::new())
        .and_then(ZapisCsv::zakoncz)
        .map_err(|e| e.to_string())?;
    put_read(corpus, "cer_csv", "header-only", &header)?;
    let mut bom_lf = b"\xEF\xBB\xBF".to_vec();
    bom_lf.extend(file.iter().copied().filter(|b| *b != b'\r'));
    put_read(corpus, "cer_csv", "bom-lf-line-ends", &bom_lf)?;
    Ok(())
}

/// `vzp_files`: the files the sdk-vzp tests read — the employer file in ISO-8859-2 (declared
/// and not), UTF-8 and windows-1250, the registered insured persons in ISO-8859-2, the
/// insurance histories in UTF-8.
fn vzp_files(corpus: &mut Corpus) -> Result<(), String> {
    use sdk_fuzz::files::vzp_input;
    use sdk_runtime::encoding_rs::{Encoding, ISO_8859_2, UTF_8, WINDOWS_1250};
    use sdk_vzp::soubory::{prubeh, registrovani, zamestnanci};
    let encode = |text: &str, encoding: &'static Encoding| -> Result<Vec<u8>, String> {
        let (bytes, _, unmappable) = encoding.encode(text);
        if unmappable {
            return Err(format!("vzp_files: not in {}", encoding.name()));
        }
        Ok(bytes.into_owned())
    };
    let employee = |i: usize, jmeno: &str, prijmeni: &str, cislo: &str| {
        format!(
            "<z:zamestnanec><z:cisloPojistence>{cislo}</z:cisloPojistence><z:jmeno>{jmeno}</z:jmeno>\
             <z:prijmeni>{prijmeni}</z:prijmeni><z:zamestnaniOd>2020-0{}-01</z:zamestnaniOd>\
             <z:kodPojisteni>1</z:kodPojisteni><z:stavy><z:stav>A</z:stav><z:stav>B</z:stav></z:stavy>\
             <z:statniKategorie><z:statniKategorieZamestnanec><z:kod>S</z:kod>\
             <z:statniKategorieOd>2021-01-01</z:statniKategorieOd></z:statniKategorieZamestnanec>\
             </z:statniKategorie></z:zamestnanec>\n",
            1 + i % 9
        )
    };
    let employees = [
        employee(0, "Jiří", "Dvořák", "8001010006"),
        employee(1, "Žofie", "Šťastná", "7552150012"),
        // A broken number: kept, with a diagnostic.
        employee(2, "Eva", "Malá", "12345"),
    ]
    .concat();
    for (encoding, declare) in [
        (ISO_8859_2, true),
        (ISO_8859_2, false),
        (UTF_8, false),
        (WINDOWS_1250, true),
    ] {
        let mut text = String::new();
        if declare {
            text.push_str(&format!(
                "<?xml version=\"1.0\" encoding=\"{}\"?>\n",
                encoding.name()
            ));
        }
        text.push_str(&format!(
            "<z:odpoved xmlns:z=\"{}\"><z:hlavicka><z:ico>12345678</z:ico></z:hlavicka><z:data>\n{employees}</z:data></z:odpoved>",
            zamestnanci::NAMESPACE
        ));
        let name = format!(
            "zamestnanci-{}{}",
            encoding.name().to_ascii_lowercase(),
            if declare { "-declared" } else { "" }
        );
        put_read(
            corpus,
            "vzp_files",
            &name,
            &vzp_input(2, &encode(&text, encoding)?),
        )?;
    }
    let registered = format!(
        "<?xml version=\"1.0\" encoding=\"ISO-8859-2\"?><r:seznamRegistrovanychPojistencu xmlns:r=\"{}\">\
         <r:icz>12345000</r:icz>\
         <r:pojistenec><r:cisloPojistence>8001010006</r:cisloPojistence><r:prijmeni>Dvořák</r:prijmeni>\
         <r:jmeno>Jiří</r:jmeno><r:datumNarozeni>1980-01-01</r:datumNarozeni><r:icp>12345678</r:icp>\
         <r:odbornost>001</r:odbornost><r:registraceOd>2016-03-01</r:registraceOd></r:pojistenec>\
         <r:pojistenec><r:cisloPojistence>7552150012</r:cisloPojistence><r:odbornost>014</r:odbornost>\
         <r:nove>an element the description does not know</r:nove></r:pojistenec>\
         </r:seznamRegistrovanychPojistencu>",
        registrovani::NAMESPACE
    );
    put_read(
        corpus,
        "vzp_files",
        "registrovani-iso-8859-2-declared",
        &vzp_input(0, &encode(&registered, ISO_8859_2)?),
    )?;
    let histories = format!(
        "<p:prubehPojisteniSoubor xmlns:p=\"{}\"><p:pojistenec><p:cisloPojistence>7552150012</p:cisloPojistence>\
         <p:nalezen>true</p:nalezen><p:obdobi><p:kodPojistovny>111</p:kodPojistovny><p:pojistenOd>1975-02-15</p:pojistenOd>\
         <p:pojistenDo>2019-12-31</p:pojistenDo></p:obdobi><p:obdobi><p:kodPojistovny>201</p:kodPojistovny>\
         <p:pojistenOd>2020-01-01</p:pojistenOd></p:obdobi></p:pojistenec>\
         <p:pojistenec><p:cisloPojistence>8001010017</p:cisloPojistence><p:nalezen>false</p:nalezen></p:pojistenec>\
         </p:prubehPojisteniSoubor>",
        prubeh::NAMESPACE
    );
    put_read(
        corpus,
        "vzp_files",
        "prubeh-utf-8",
        &vzp_input(1, histories.as_bytes()),
    )?;
    // VZPkontrol protocols: the type model's samples of the protocol schema.
    let spec_dir = workspace().join("wsdl/vzp");
    let xsd = "soubory/VZPkontrolProtokol.xsd";
    let module = codegen::generate_schema_module_with(
        &spec_dir.join(xsd),
        xsd,
        &codegen::locate::Locations::new(),
    )
    .map_err(|e| format!("{xsd}: {e}"))?;
    for (i, sample) in codegen::xml_samples::samples(&module.model, &module.elements)
        .iter()
        .enumerate()
    {
        let is_protocol = module
            .elements
            .get(sample.root)
            .is_some_and(|r| r.name.local == "protokol");
        if is_protocol {
            put_read(
                corpus,
                "vzp_files",
                &format!("protokol-{}", i + 1),
                &vzp_input(3, sample.xml.as_bytes()),
            )?;
        }
    }
    Ok(())
}

/// `as2_mime`: messages from the fuzz sender to the fuzz receiver built by the runtime's own
/// `message::build` with every packing an agreement can ask for, and receipts built by
/// `mdn::build` (signed and not, processed and failed). Their `Message-ID` is fixed; those made
/// with a signing time, a content key or a boundary of their own are kept as they are while the
/// target reads them.
fn as2(corpus: &mut Corpus) -> Result<(), String> {
    use sdk_fuzz::as2::{RECEIVER, SENDER, certificate, input, signing_identity};
    use sdk_runtime::as2::message::{self, MdnRequest};
    use sdk_runtime::as2::{Cipher, Digest, LocalParty, MdnMode, Partner, mdn, mime::Headers};
    let target = sdk_fuzz::target("as2_mime").ok_or("no target as2_mime")?;
    let identity = signing_identity()?;
    let cert = certificate()?;
    let sender = LocalParty::new(SENDER).signing(identity.clone());
    let receiver = LocalParty::new(RECEIVER).signing(identity);
    let fixed_id = |headers: &mut Headers, id: &str| {
        for (k, v) in &mut headers.0 {
            if k.eq_ignore_ascii_case("Message-ID") {
                *v = format!("<{id}@seed.fuzz>");
            }
        }
    };
    let payload = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<davka xmlns=\"urn:x-b2b-sdk:fuzz\">\
                   <veta typ=\"D\">D01 0000001 111 12345678</veta><veta typ=\"A\">Dvořák</veta></davka>\n";
    let asynchronous = MdnMode::Async {
        url: "https://fuzz-sender.example/as2/mdn".into(),
    };
    // The agreement the sender packs for: signed, encrypted (with this cipher), compressed,
    // the receipt asked for and whether signed.
    let agreement = |sign: bool, encrypt: Option<Cipher>, compress: bool, mdn, signed_mdn| {
        let mut partner = Partner::new(RECEIVER, cert.clone());
        partner.sign = sign;
        partner.encrypt = encrypt;
        partner.compress = compress;
        partner.mdn = mdn;
        partner.signed_mdn = signed_mdn;
        partner
    };
    let (aes128, aes192, aes256) = (
        Some(Cipher::Aes128Cbc),
        Some(Cipher::Aes192Cbc),
        Some(Cipher::Aes256Cbc),
    );
    let kinds = [
        ("plain", agreement(false, None, false, MdnMode::None, false)),
        (
            "plain-unsigned-receipt",
            agreement(false, None, false, MdnMode::Sync, false),
        ),
        (
            "compressed",
            agreement(false, None, true, MdnMode::Sync, false),
        ),
        ("signed", agreement(true, None, false, MdnMode::Sync, true)),
        (
            "encrypted-aes128",
            agreement(false, aes128, false, MdnMode::None, false),
        ),
        (
            "signed-encrypted",
            agreement(true, aes256, false, MdnMode::Sync, true),
        ),
        (
            "compressed-signed-encrypted-async-receipt",
            agreement(true, aes192, true, asynchronous, true),
        ),
        (
            "compressed-signed",
            agreement(true, None, true, MdnMode::Sync, false),
        ),
    ];
    let mut signed_mic = None;
    for (name, partner) in kinds {
        let mut out = message::build(
            payload.as_bytes(),
            "application/xml",
            Some("davka.xml"),
            &sender,
            &partner,
        )
        .map_err(|e| format!("as2 {name}: {e}"))?;
        if name == "signed" {
            signed_mic = out.mic.clone();
        }
        fixed_id(&mut out.headers, &format!("seed-{name}"));
        let seed = input(&out.headers, &out.body);
        if (target.run)(&seed) != sdk_fuzz::Outcome::Read {
            return Err(format!("as2_mime: the message {name} is not opened"));
        }
        corpus.put_kept(target, &format!("message-{name}"), &seed)?;
    }
    let receipts = [
        ("processed-signed", true, mdn::Disposition::Processed),
        ("processed-unsigned", false, mdn::Disposition::Processed),
        (
            "warning-signed",
            true,
            mdn::Disposition::Warning("duplicate-document".into()),
        ),
        (
            "error-unsigned",
            false,
            mdn::Disposition::Error("decryption-failed".into()),
        ),
    ];
    for (name, signed, disposition) in receipts {
        let request = MdnRequest {
            to: SENDER.into(),
            signed,
            micalg: Some(Digest::Sha256),
            async_url: None,
        };
        let mut out = mdn::build(
            "seed-signed@fuzz-sender",
            SENDER,
            signed_mic.as_ref(),
            &request,
            &disposition,
            &receiver,
        )
        .map_err(|e| format!("as2 receipt {name}: {e}"))?;
        fixed_id(&mut out.headers, &format!("seed-receipt-{name}"));
        let seed = input(&out.headers, &out.body);
        if (target.run)(&seed) != sdk_fuzz::Outcome::Read {
            return Err(format!("as2_mime: the receipt {name} is not read"));
        }
        corpus.put_kept(target, &format!("receipt-{name}"), &seed)?;
    }
    Ok(())
}

/// `chongqing`: the sandbox's answers (the library's output buffer, GBK) to a session that runs
/// every transaction — a person read, a visit registered, charge lines added, pre-settled and
/// settled, the settlement reversed, the raw transactions echoed — and its refusals (status
/// `-1`), kept as `…-refused`.
fn chongqing(corpus: &mut Corpus) -> Result<(), String> {
    use sdk_chongqing::jiaoyi::PROTOCOL;
    use sdk_chongqing::sandbox::Sandbox;
    use sdk_fuzz::chongqing::{RESPONSES, input};
    let sandbox = Sandbox::new();
    sandbox.init();
    let mut ask = |name: &str, line: &str| -> Result<(), String> {
        let code = line.split('|').next().unwrap_or_default();
        let index = RESPONSES
            .iter()
            .position(|(c, _)| *c == code)
            .ok_or_else(|| format!("chongqing: no transaction {code}"))?;
        let (bytes, _, _) = PROTOCOL.encoding.encode(line);
        let (status, answer) = sandbox.business_handle(&bytes);
        let seed = input(index, &answer);
        let refused = status != 0 || answer.starts_with(b"-1|");
        if refused {
            corpus.put("chongqing", &format!("{code}-{name}-refused"), &seed)
        } else {
            put_read(corpus, "chongqing", &format!("{code}-{name}"), &seed)
        }
    };
    ask("person", "01|A1234567")?;
    ask("person-blocked", "01|B7654321")?;
    ask("unknown-person", "01|X0000000")?;
    ask("visit", "02|V0001||A1234567||11|20260701|||")?;
    ask("visit-blocked", "02|V0002||B7654321||11|20260701|||")?;
    ask("update", "03|V0001|||||||||||")?;
    ask(
        "line",
        "04|V0001|1|1|86900001|阿莫西林胶囊|0.25g*24|12.5000|盒|2|||||||25.0000",
    )?;
    ask(
        "line-self-paid",
        "04|V0001|1|2|Z0000001|自费项目|次|30.0000|次|1|||||||30.0000",
    )?;
    ask("pre-settlement", "06|V0001")?;
    ask("diseases", "07|A1234567")?;
    ask("institution", "11")?;
    ask("settlement", "05|V0001||||")?;
    ask(
        "settled-line",
        "04|V0001|1|3|86900001|阿莫西林胶囊|0.25g*24|12.5000|盒|1|||||||12.5000",
    )?;
    ask("reversal", "99|JS000004|")?;
    ask("withdraw", "10|V0001|")?;
    for code in [
        "08", "09", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23", "24",
        "25", "26", "27", "28", "29", "30",
    ] {
        ask("echo", &format!("{code}|A1234567|20260701|重庆|12.50"))?;
    }
    Ok(())
}
