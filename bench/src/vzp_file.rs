//! VZP's files at the size of a large client: the employer file ("Zaměstnanci pojištění u VZP"),
//! the registered insured persons of a facility, and the insurance histories of a filed list of
//! numbers. Each a real file on disk in ISO-8859-2, written first, then read by its
//! `sdk_vzp::soubory` reader in a child process of its own (so that its peak RSS is the
//! reading's alone), against the floor: a quick-xml scan of the same file converted to UTF-8 the
//! same way.

use std::io::{BufReader, BufWriter, Write as _};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use sdk_runtime::encoding_rs::ISO_8859_2;
use sdk_runtime::xml::{Records, Utf8Reader, XmlRead};

use crate::stream::{StreamResult, floor_scan};

/// The files measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// "Zaměstnanci pojištění u VZP".
    Zamestnanci,
    /// "Seznam registrovaných pojištěnců".
    Registrovani,
    /// "Průběh pojištění podle čísel pojištěnců v souboru".
    Prubeh,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Zamestnanci, Kind::Registrovani, Kind::Prubeh];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Zamestnanci => "zamestnanci",
            Kind::Registrovani => "registrovani",
            Kind::Prubeh => "prubeh",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::Zamestnanci => "employer file (Zaměstnanci pojištění u VZP)",
            Kind::Registrovani => "registered insured persons (Seznam registrovaných pojištěnců)",
            Kind::Prubeh => "insurance histories by file (Průběh pojištění podle čísel v souboru)",
        }
    }

    fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    fn head_tail(self) -> (String, &'static str) {
        let decl = "<?xml version=\"1.0\" encoding=\"ISO-8859-2\"?>\n";
        match self {
            Kind::Zamestnanci => (
                format!(
                    "{decl}<z:zamestnanciPojisteniUVZP xmlns:z=\"{}\">\n",
                    sdk_vzp::soubory::zamestnanci::NAMESPACE
                ),
                "</z:zamestnanciPojisteniUVZP>\n",
            ),
            Kind::Registrovani => (
                format!(
                    "{decl}<z:seznamRegistrovanychPojistencu xmlns:z=\"{}\"><z:icz>12345000</z:icz>\n",
                    sdk_vzp::soubory::registrovani::NAMESPACE
                ),
                "</z:seznamRegistrovanychPojistencu>\n",
            ),
            Kind::Prubeh => (
                format!(
                    "{decl}<z:prubehPojisteniSoubor xmlns:z=\"{}\">\n",
                    sdk_vzp::soubory::prubeh::NAMESPACE
                ),
                "</z:prubehPojisteniSoubor>\n",
            ),
        }
    }

    fn record(self, i: u64) -> String {
        let names = [
            ("Jiří", "Dvořák"),
            ("Žofie", "Šťastná"),
            ("Ondřej", "Čermák"),
        ];
        let (jmeno, prijmeni) = names[(i % 3) as usize];
        // Ten-digit numbers divisible by 11.
        let cislo = 8_001_010_006u64 + 11 * (i % 1_000_000);
        let month = 1 + i % 9;
        match self {
            Kind::Zamestnanci => format!(
                "  <z:zamestnanec><z:cisloPojistence>{cislo}</z:cisloPojistence><z:jmeno>{jmeno}</z:jmeno>\
                 <z:prijmeni>{prijmeni}</z:prijmeni><z:zamestnaniOd>2019-0{month}-01</z:zamestnaniOd>\
                 <z:kodPojisteni>1</z:kodPojisteni><z:stavy><z:stav>A</z:stav></z:stavy>\
                 <z:statniKategorie><z:statniKategorieZamestnanec><z:kod>S</z:kod>\
                 <z:statniKategorieOd>2021-01-01</z:statniKategorieOd></z:statniKategorieZamestnanec>\
                 </z:statniKategorie></z:zamestnanec>\n"
            ),
            Kind::Registrovani => format!(
                "  <z:pojistenec><z:cisloPojistence>{cislo}</z:cisloPojistence><z:prijmeni>{prijmeni}</z:prijmeni>\
                 <z:jmeno>{jmeno}</z:jmeno><z:datumNarozeni>1980-0{month}-01</z:datumNarozeni>\
                 <z:icp>12345678</z:icp><z:odbornost>001</z:odbornost>\
                 <z:registraceOd>2016-0{month}-01</z:registraceOd></z:pojistenec>\n"
            ),
            Kind::Prubeh => format!(
                "  <z:pojistenec><z:cisloPojistence>{cislo}</z:cisloPojistence><z:nalezen>true</z:nalezen>\
                 <z:obdobi><z:kodPojistovny>111</z:kodPojistovny><z:druhPojisteni>1</z:druhPojisteni>\
                 <z:pojistenOd>1980-01-01</z:pojistenOd><z:pojistenDo>2019-12-31</z:pojistenDo></z:obdobi>\
                 <z:obdobi><z:kodPojistovny>201</z:kodPojistovny><z:druhPojisteni>1</z:druhPojisteni>\
                 <z:pojistenOd>2020-0{month}-01</z:pojistenOd></z:obdobi></z:pojistenec>\n"
            ),
        }
    }
}

/// Writes a file of `records` records of `kind` to `path`; its size in bytes.
fn write(path: &Path, kind: Kind, records: u64) -> Result<u64, String> {
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let io = |e: std::io::Error| format!("{}: {e}", path.display());
    let (head, tail) = kind.head_tail();
    out.write_all(head.as_bytes()).map_err(io)?;
    for i in 0..records {
        let text = kind.record(i);
        let (bytes, _, _) = ISO_8859_2.encode(&text);
        out.write_all(&bytes).map_err(io)?;
    }
    out.write_all(tail.as_bytes()).map_err(io)?;
    out.flush().map_err(io)?;
    std::fs::metadata(path).map(|m| m.len()).map_err(io)
}

/// Reads every record; how many there were. A deviation from the description is an error
/// (the file is made to match it).
fn read_all<T: XmlRead>(
    mut records: Records<Utf8Reader<BufReader<std::fs::File>>, T>,
) -> Result<u64, String> {
    let mut count = 0u64;
    for r in records.by_ref() {
        let record = r.map_err(|e| format!("record {count}: {e}"))?;
        std::hint::black_box(&record);
        count += 1;
    }
    if let Some(d) = records.diagnostics().first() {
        return Err(format!("deviation: {d}"));
    }
    Ok(count)
}

/// The child: reads the file of `kind` at `path`, prints the result as JSON.
pub fn child(kind: &str, path: &Path) -> Result<(), String> {
    let kind = Kind::parse(kind).ok_or_else(|| format!("unknown file kind `{kind}`"))?;
    let open = || {
        std::fs::File::open(path)
            .map(|f| BufReader::with_capacity(64 * 1024, f))
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    let bytes = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    let started = Instant::now();
    floor_scan(Utf8Reader::new(open()?, ISO_8859_2))?;
    let floor_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let io = |e: std::io::Error| e.to_string();
    let count = match kind {
        Kind::Zamestnanci => read_all(sdk_vzp::soubory::zamestnanci::read(open()?).map_err(io)?)?,
        Kind::Registrovani => read_all(sdk_vzp::soubory::registrovani::read(open()?).map_err(io)?)?,
        Kind::Prubeh => read_all(sdk_vzp::soubory::prubeh::read(open()?).map_err(io)?)?,
    };
    let our_seconds = started.elapsed().as_secs_f64();
    let peak_kib = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_SELF)
        .map(|u| u.max_rss())
        .unwrap_or(0);
    let mb = bytes as f64 / 1e6;
    let result = StreamResult {
        records: count,
        bytes,
        floor_seconds,
        our_seconds,
        vs_floor: floor_seconds / our_seconds,
        floor_mb_per_s: mb / floor_seconds,
        our_mb_per_s: mb / our_seconds,
        peak_rss_mib: peak_kib as f64 / 1024.0,
    };
    println!(
        "{}",
        serde_json::to_string(&result).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// Writes a file of `records` records of `kind` under `dir`, measures it in a child, removes it.
pub fn measure(kind: Kind, records: u64, dir: &Path) -> Result<StreamResult, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(format!("{}.xml", kind.name()));
    write(&path, kind, records)?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe)
        .arg("--vzp-file-child")
        .arg(kind.name())
        .arg(&path)
        .output()
        .map_err(|e| format!("cannot run the VZP file child: {e}"));
    let _ = std::fs::remove_file(&path);
    let out = out?;
    if !out.status.success() {
        return Err(format!(
            "the VZP file child failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let r: StreamResult = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("the VZP file child's answer: {e}"))?;
    if r.records != records {
        return Err(format!("{} records read, {records} written", r.records));
    }
    Ok(r)
}
