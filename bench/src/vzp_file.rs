//! The VZP employer file ("Zaměstnanci pojištění u VZP") at the size of a large employer: a real
//! file on disk in ISO-8859-2, written first, then read by `sdk_vzp::soubory::zamestnanci` in a
//! child process of its own (so that its peak RSS is the reading's alone), against the floor: a
//! quick-xml scan of the same file converted to UTF-8 the same way.

use std::io::{BufReader, BufWriter, Write as _};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use sdk_runtime::encoding_rs::ISO_8859_2;
use sdk_runtime::xml::Utf8Reader;

use crate::stream::{StreamResult, floor_scan};

const NS: &str = sdk_vzp::soubory::zamestnanci::NAMESPACE;

/// Writes a file of `records` employees to `path`; its size in bytes.
fn write(path: &Path, records: u64) -> Result<u64, String> {
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let io = |e: std::io::Error| format!("{}: {e}", path.display());
    let head = format!(
        "<?xml version=\"1.0\" encoding=\"ISO-8859-2\"?>\n<z:zamestnanciPojisteniUVZP xmlns:z=\"{NS}\">\n"
    );
    out.write_all(head.as_bytes()).map_err(io)?;
    let names = [
        ("Jiří", "Dvořák"),
        ("Žofie", "Šťastná"),
        ("Ondřej", "Čermák"),
    ];
    for i in 0..records {
        let (jmeno, prijmeni) = names[(i % 3) as usize];
        // Ten-digit numbers divisible by 11.
        let cislo = 8_001_010_006u64 + 11 * (i % 1_000_000);
        let text = format!(
            "  <z:zamestnanec><z:cisloPojistence>{cislo}</z:cisloPojistence><z:jmeno>{jmeno}</z:jmeno>\
             <z:prijmeni>{prijmeni}</z:prijmeni><z:zamestnaniOd>2019-0{}-01</z:zamestnaniOd>\
             <z:kodPojisteni>1</z:kodPojisteni><z:stavy><z:stav>A</z:stav></z:stavy>\
             <z:statniKategorie><z:statniKategorieZamestnanec><z:kod>S</z:kod>\
             <z:statniKategorieOd>2021-01-01</z:statniKategorieOd></z:statniKategorieZamestnanec>\
             </z:statniKategorie></z:zamestnanec>\n",
            1 + i % 9
        );
        let (bytes, _, _) = ISO_8859_2.encode(&text);
        out.write_all(&bytes).map_err(io)?;
    }
    out.write_all(b"</z:zamestnanciPojisteniUVZP>\n")
        .map_err(io)?;
    out.flush().map_err(io)?;
    std::fs::metadata(path).map(|m| m.len()).map_err(io)
}

/// The child: reads the file at `path`, prints the result as JSON.
pub fn child(path: &Path) -> Result<(), String> {
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
    let mut records = sdk_vzp::soubory::zamestnanci::read(open()?).map_err(|e| e.to_string())?;
    let mut count = 0u64;
    for r in records.by_ref() {
        let z = r.map_err(|e| format!("record {count}: {e}"))?;
        std::hint::black_box(&z);
        count += 1;
    }
    if !records.diagnostics().is_empty() {
        return Err(format!("deviations: {:?}", records.diagnostics().first()));
    }
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

/// Writes a file of `records` employees under `dir`, measures it in a child, removes it.
pub fn measure(records: u64, dir: &Path) -> Result<StreamResult, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join("zamestnanci.xml");
    write(&path, records)?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe)
        .arg("--vzp-file-child")
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
