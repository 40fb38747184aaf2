//! Throughput and peak memory of the CeR initial-load validator
//! (`sdk_p1::cer::zasilenie::Walidator`) on a generated file:
//!
//! ```sh
//! cargo bench -p sdk-p1 --features cer --bench cer_csv
//! ```
//!
//! Writes a valid file of 1,000,000 visit rows (`CER_CSV_ROWS` overrides the count) with about
//! 1% planted errors (one problem each, of 8 kinds) to a temporary file, then validates it from
//! disk three times and reports the median wall time, MB/s, the problems found and the peak
//! resident memory of the validation (`VmHWM` from `/proc/self/status`, reset before each run
//! through `/proc/self/clear_refs`; Linux only). As a baseline it times a bare
//! `csv::ByteRecord` read of the same file (same separator and buffer size). The file is read
//! from the page cache after the first run: this measures the validator, not the disk.

use std::error::Error;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sdk_p1::cer::zasilenie::{KodBledu, Raport, Walidator};

const DOMYSLNIE_WIERSZY: u64 = 1_000_000;
const PRZEBIEGI: usize = 3;

/// Removes the temporary file however the benchmark ends.
struct PlikTymczasowy(PathBuf);

impl Drop for PlikTymczasowy {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Valid PESELs (birth dates from 1950 on, varied serials), for a pool of patients.
fn pesele(n: usize) -> Vec<String> {
    (0..n)
        .filter_map(|i| {
            let rok = i32::try_from(1950 + i % 50).ok()?;
            let miesiac = time::Month::try_from(u8::try_from(1 + (i / 50) % 12).ok()?).ok()?;
            let dzien = u8::try_from(1 + (i / 600) % 28).ok()?;
            let urodzony = time::Date::from_calendar_date(rok, miesiac, dzien).ok()?;
            sdk_p1::Pesel::fikcyjny(urodzony, u16::try_from((i * 7919) % 10_000).ok()?)
        })
        .map(|p| p.as_str().to_owned())
        .collect()
}

/// The start of visit `i`: 1000 places of service, then 20 slots of 15 minutes a day from
/// 2026-07-01 08:00, so (`idMus`, `dataWizyty`) is unique per row.
fn termin(i: u64) -> Result<(u64, String), Box<dyn Error>> {
    let mus = i % 1000;
    let t = i / 1000;
    let dzien = time::Date::from_calendar_date(2026, time::Month::July, 1)?
        + time::Duration::days(i64::try_from(t / 20)?);
    let minuty = 8 * 60 + (t % 20) * 15;
    Ok((
        mus,
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}",
            dzien.year(),
            u8::from(dzien.month()),
            dzien.day(),
            minuty / 60,
            minuty % 60
        ),
    ))
}

/// Writes the file; returns the number of planted problems.
fn generuj(sciezka: &Path, wiersze: u64) -> Result<u64, Box<dyn Error>> {
    let pacjenci = pesele(5000);
    let pesel = |i: u64| pacjenci[(i % pacjenci.len() as u64) as usize].as_str();
    let mut w = BufWriter::with_capacity(1 << 20, File::create(sciezka)?);
    w.write_all(
        b"idMus;kodSwiadczenia;idSlotu;dataWizyty;czasTrwaniaMin;rodzajWizyty;pesel;email;telefon;\
          kluczSkierowania;statusSkierowania;idWystawcySkierowaniaPapierowego;dataZapisu\r\n",
    )?;
    let mut zasadzone = 0u64;
    for i in 0..wiersze {
        let (mut mus, mut data) = termin(i)?;
        let mut pacjent = pesel(i);
        let mut rodzaj = ["PIERWSZORAZOWA", "KOLEJNA", "UPRAWNIENIA_SZCZEGOLNE"][(i % 3) as usize];
        let (mut klucz, mut status, mut npwz) = ("", "", "");
        let klucz_tekst = format!("{:044}", i * 7 + 1);
        match i % 6 {
            0 => (klucz, status) = (klucz_tekst.as_str(), "WYSTAWIONE"),
            3 => npwz = "5425740",
            1 => (klucz, status) = (klucz_tekst.as_str(), "U_REALIZATORA"),
            _ => {}
        }
        let email_tekst = format!("pacjent{i}@example.pl");
        let (mut email, mut telefon) = match i % 4 {
            0 => (email_tekst.as_str(), ""),
            1 => ("", "+48 600-700-800"),
            _ => (email_tekst.as_str(), "600700800"),
        };
        let slot = if i % 10 == 0 {
            format!("SLOT-{i}")
        } else {
            String::new()
        };
        let mut zapis = "2026-06-01T10:15:00";
        let mut kolumn_mniej = false;
        if i % 100 == 37 {
            zasadzone += 1;
            match (i / 100) % 8 {
                0 => (email, telefon) = ("", ""),
                1 => email = "pacjent.example.pl",
                2 => data = "2026-02-30T10:00".to_owned(),
                3 => {
                    (mus, data) = termin(i - 1)?;
                    pacjent = pesel(i - 1);
                }
                4 => (rodzaj, klucz, status, npwz) = ("PIERWSZORAZOWA", "", "", "5425741"),
                5 => (rodzaj, klucz, status) = ("KOLEJNA", "K-1", "ZREALIZOWANE"),
                6 => zapis = "2027-01-01T00:00:00",
                _ => kolumn_mniej = true,
            }
        }
        write!(
            w,
            "MUS-{mus:03};02.1450.102.02;{slot};{data};20;{rodzaj};{pacjent};{email};{telefon};\
             {klucz};{status};{npwz}"
        )?;
        if !kolumn_mniej {
            write!(w, ";{zapis}")?;
        }
        w.write_all(b"\r\n")?;
    }
    w.flush()?;
    Ok(zasadzone)
}

/// `VmHWM` (peak resident set) in KiB; `None` where /proc is not there.
fn szczyt_rss_kib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let linia = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    linia.split_whitespace().nth(1)?.parse().ok()
}

/// Resets `VmHWM` to the current RSS (Linux ≥ 4.0); `false` when not possible.
fn zeruj_szczyt_rss() -> bool {
    fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn mediana(mut czasy: Vec<Duration>) -> Duration {
    czasy.sort();
    czasy.get(czasy.len() / 2).copied().unwrap_or_default()
}

fn kib(v: Option<u64>) -> String {
    v.map_or_else(
        || "n/a".to_owned(),
        |k| format!("{:.1} MiB", k as f64 / 1024.0),
    )
}

fn main() -> Result<(), Box<dyn Error>> {
    let wiersze: u64 = match std::env::var("CER_CSV_ROWS") {
        Ok(v) => v.parse()?,
        Err(_) => DOMYSLNIE_WIERSZY,
    };
    let plik = PlikTymczasowy(
        std::env::temp_dir().join(format!("sdk-p1-cer-csv-bench-{}.csv", std::process::id())),
    );

    let start = Instant::now();
    let zasadzone = generuj(&plik.0, wiersze)?;
    let bajty = fs::metadata(&plik.0)?.len();
    println!(
        "generated: {wiersze} rows, {bajty} bytes ({:.1} MB), {zasadzone} planted problems, in {:.2?}",
        bajty as f64 / 1e6,
        start.elapsed()
    );

    // The baseline: the csv crate alone, same settings, counting fields.
    let mut czasy_csv = Vec::new();
    let mut pola = 0u64;
    for _ in 0..PRZEBIEGI {
        let start = Instant::now();
        let mut czytnik = csv::ReaderBuilder::new()
            .buffer_capacity(64 * 1024)
            .delimiter(b';')
            .has_headers(false)
            .flexible(true)
            .from_reader(File::open(&plik.0)?);
        let mut rekord = csv::ByteRecord::new();
        pola = 0;
        while czytnik.read_byte_record(&mut rekord)? {
            pola += rekord.len() as u64;
        }
        czasy_csv.push(start.elapsed());
    }
    let bazowy = mediana(czasy_csv);

    let walidator = Walidator::new();
    let rss_przed = szczyt_rss_kib();
    let zerowanie = zeruj_szczyt_rss();
    let mut czasy = Vec::new();
    let mut szczyty = Vec::new();
    let mut raport = Raport::default();
    let mut znalezione = 0u64;
    for _ in 0..PRZEBIEGI {
        zeruj_szczyt_rss();
        let rss_start = szczyt_rss_kib();
        let start = Instant::now();
        znalezione = 0;
        raport = walidator.sprawdz(File::open(&plik.0)?, |_| znalezione += 1)?;
        czasy.push(start.elapsed());
        szczyty.push(
            szczyt_rss_kib()
                .zip(rss_start)
                .map(|(s, p)| (s, s.saturating_sub(p))),
        );
    }
    let nasz = mediana(czasy.clone());

    println!("validator ({PRZEBIEGI} runs, median):");
    println!("  rows:            {}", raport.wiersze);
    println!("  bytes:           {}", raport.bajty);
    println!(
        "  wall time:       {:.3} s (runs: {})",
        nasz.as_secs_f64(),
        czasy
            .iter()
            .map(|c| format!("{:.3}", c.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  throughput:      {:.1} MB/s, {:.0} rows/s",
        bajty as f64 / 1e6 / nasz.as_secs_f64(),
        raport.wiersze as f64 / nasz.as_secs_f64()
    );
    println!(
        "  problems found:  {znalezione} (planted {zasadzone}; rows with problems {}; 8244: {}, 8361: {}, 9644: {}, 9662: {}, 9666: {}, 9667: {})",
        raport.wiersze_z_bledami,
        raport.liczba(&KodBledu::UkladKolumn),
        raport.liczba(&KodBledu::KontaktPacjenta),
        raport.liczba(&KodBledu::UnikalnoscWizyty),
        raport.liczba(&KodBledu::StatusSkierowania),
        raport.liczba(&KodBledu::WystawcaSkierowaniaPapierowego),
        raport.liczba(&KodBledu::DataZapisu),
    );
    println!("  fingerprints:    {}", raport.odciski);
    match szczyty.first().copied().flatten() {
        Some((szczyt, przyrost)) if zerowanie => {
            println!(
                "  peak RSS:        {} (VmHWM of the first run; {} above the RSS at its start, i.e. {:.1} bytes per fingerprint)",
                kib(Some(szczyt)),
                kib(Some(przyrost)),
                przyrost as f64 * 1024.0 / raport.odciski.max(1) as f64
            );
            let pozniejsze: Vec<String> = szczyty
                .iter()
                .skip(1)
                .map(|s| kib(s.map(|(szczyt, _)| szczyt)))
                .collect();
            println!(
                "  peak RSS, later runs: {} (the allocator keeps pages freed by earlier runs)",
                pozniejsze.join(", ")
            );
        }
        _ => println!(
            "  peak RSS:        {} (VmHWM of the whole process; could not reset it per run)",
            kib(szczyt_rss_kib())
        ),
    }
    println!("  RSS before the validator runs: {}", kib(rss_przed));
    println!("baseline: bare csv::ByteRecord read ({PRZEBIEGI} runs, median):");
    println!(
        "  wall time:       {:.3} s, {:.1} MB/s, {pola} fields",
        bazowy.as_secs_f64(),
        bajty as f64 / 1e6 / bazowy.as_secs_f64()
    );
    println!(
        "ratio validator / baseline: {:.2}",
        nasz.as_secs_f64() / bazowy.as_secs_f64()
    );
    Ok(())
}
