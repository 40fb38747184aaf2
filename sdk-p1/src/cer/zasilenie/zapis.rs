//! Writing initial-load files from typed visits, checked first.

use std::io::{self, Write};

use super::reguly::{Duplikaty, Widok, Zgloszenia, sprawdz_widok, zapisz_date};
use super::uklad::{Pole, Uklad};
use super::{Problem, Wizyta};

/// Writing a file failed, or a visit was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BladZapisu {
    /// The visit breaks local rules (the same ones [`Walidator`](super::Walidator) applies);
    /// nothing was written for it and the writer can go on with the next visit.
    #[error("row {wiersz} refused with {} problem(s): {}", .problemy.len(), pierwszy(.problemy))]
    Odrzucona {
        /// The row number the visit would have had.
        wiersz: u64,
        /// Every problem found, as the validator would report them.
        problemy: Vec<Problem>,
    },
    /// The underlying writer failed; the file is incomplete.
    #[error("writing the file: {0}")]
    Io(#[from] io::Error),
}

fn pierwszy(problemy: &[Problem]) -> String {
    problemy.first().map(Problem::to_string).unwrap_or_default()
}

/// Writes an initial-load file: the header, then one row per [`zapisz`](Self::zapisz)ed visit,
/// UTF-8 without a byte order mark, `;`-separated, quoted only where needed (RFC 4180), CRLF
/// line ends.
///
/// Every visit is checked before it is written, with the validator's rules, including duplicates
/// of the visits already written; a visit with problems is refused whole
/// ([`BladZapisu::Odrzucona`]). So a file this writer completes validates without problems.
///
/// ```
/// use sdk_p1::cer::zasilenie::{RodzajWizyty, Walidator, Wizyta, ZapisCsv};
/// use sdk_p1::Pesel;
/// use time::macros::datetime;
///
/// let mut zapis = ZapisCsv::new(Vec::new())?;
/// let mut wizyta = Wizyta::new(
///     "MUS-1",
///     "02.1450.102.02",
///     datetime!(2026-07-01 09:00),
///     20,
///     RodzajWizyty::Kolejna,
///     Pesel::parse("44051401359")?,
///     datetime!(2026-06-01 10:00:00),
/// );
/// assert!(zapis.zapisz(&wizyta).is_err()); // no e-mail and no phone: refused, not written
/// wizyta.telefon = Some("600 700 800".into());
/// zapis.zapisz(&wizyta)?;
/// let plik = zapis.zakoncz()?;
/// let raport = Walidator::new().sprawdz(plik.as_slice(), |p| panic!("{p}"))?;
/// assert_eq!(raport.wiersze, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ZapisCsv<W: Write> {
    csv: csv::Writer<W>,
    uklad: Uklad,
    duplikaty: Duplikaty,
    /// Rows written, the header included.
    wiersz: u64,
    bufor: String,
}

impl<W: Write> ZapisCsv<W> {
    /// Starts a file in the reconstructed layout ([`KOLUMNY`](super::KOLUMNY)) and writes its
    /// header.
    pub fn new(cel: W) -> Result<Self, BladZapisu> {
        Self::z_ukladem(cel, Uklad::default())
    }

    /// Starts a file in another layout and writes its header.
    pub fn z_ukladem(cel: W, uklad: Uklad) -> Result<Self, BladZapisu> {
        let mut csv = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(cel);
        csv.write_record(uklad.kolumny().iter().map(|k| k.nazwa))
            .map_err(io::Error::from)?;
        Ok(Self {
            csv,
            uklad,
            duplikaty: Duplikaty::default(),
            wiersz: 1,
            bufor: String::new(),
        })
    }

    /// Visit rows written so far.
    pub fn zapisane(&self) -> u64 {
        self.wiersz - 1
    }

    /// Checks `wizyta` and writes it as the next row, or refuses it (nothing written).
    pub fn zapisz(&mut self, wizyta: &Wizyta) -> Result<(), BladZapisu> {
        let wiersz = self.wiersz + 1;
        let mut problemy = Vec::new();
        let mut widok = Widok::z_wizyty(wizyta, &self.uklad);
        let klucze = {
            let mut cel = |p: Problem| problemy.push(p);
            let mut z = Zgloszenia::new(wiersz, wiersz, &mut cel);
            sprawdz_widok(&mut widok, &self.uklad, &mut z);
            let klucze = Duplikaty::klucze(&widok);
            self.duplikaty.sprawdz(klucze, &self.uklad, &mut z);
            klucze
        };
        if !problemy.is_empty() {
            return Err(BladZapisu::Odrzucona { wiersz, problemy });
        }
        for k in self.uklad.kolumny() {
            let pole: &[u8] = match k.pole {
                Pole::IdMus => wizyta.id_mus.as_bytes(),
                Pole::KodSwiadczenia => wizyta.kod_swiadczenia.as_bytes(),
                Pole::IdSlotu => opcja(&wizyta.id_slotu),
                Pole::DataWizyty => {
                    zapisz_date(&mut self.bufor, wizyta.data_wizyty, false);
                    self.bufor.as_bytes()
                }
                Pole::CzasTrwaniaMin => {
                    self.bufor.clear();
                    self.bufor.push_str(&wizyta.czas_trwania_min.to_string());
                    self.bufor.as_bytes()
                }
                Pole::RodzajWizyty => wizyta.rodzaj_wizyty.as_str().as_bytes(),
                Pole::Pesel => wizyta.pesel.as_str().as_bytes(),
                Pole::Email => opcja(&wizyta.email),
                Pole::Telefon => opcja(&wizyta.telefon),
                Pole::KluczSkierowania => opcja(&wizyta.klucz_skierowania),
                Pole::StatusSkierowania => wizyta
                    .status_skierowania
                    .map_or(&b""[..], |s| s.as_str().as_bytes()),
                Pole::IdWystawcySkierowaniaPapierowego => {
                    opcja(&wizyta.id_wystawcy_skierowania_papierowego)
                }
                Pole::DataZapisu => {
                    zapisz_date(&mut self.bufor, wizyta.data_zapisu, true);
                    self.bufor.as_bytes()
                }
            };
            self.csv.write_field(pole).map_err(io::Error::from)?;
        }
        self.csv
            .write_record(std::iter::empty::<&[u8]>())
            .map_err(io::Error::from)?;
        self.duplikaty.zapamietaj(klucze, wiersz);
        self.wiersz = wiersz;
        Ok(())
    }

    /// Flushes and returns the underlying writer.
    pub fn zakoncz(self) -> Result<W, BladZapisu> {
        self.csv
            .into_inner()
            .map_err(|e| BladZapisu::Io(e.into_error()))
    }
}

fn opcja(o: &Option<String>) -> &[u8] {
    o.as_deref().unwrap_or_default().as_bytes()
}
