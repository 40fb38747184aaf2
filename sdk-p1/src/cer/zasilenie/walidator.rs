//! The streaming validator of initial-load files.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::iter::FusedIterator;

use super::ramki::Ramki;
use super::reguly::{Duplikaty, Widok, Zgloszenia, sprawdz_widok};
use super::uklad::Uklad;
use super::{KodBledu, Problem, Raport, Wizyta};

/// The default cap on one record (row) of the file, in bytes: 64 KiB. A valid row of the
/// reconstructed layout is under 1 KiB.
pub const LIMIT_REKORDU: usize = 64 * 1024;

/// Checks initial-load files (and single visits) against the local rules, streaming.
///
/// A file is read once, record by record, into one reused `csv::ByteRecord`; nothing of the
/// file is kept except the duplicate-detection fingerprints (see the module documentation for
/// their cost). A record longer than [`limit_rekordu`](Self::limit_rekordu) is not buffered:
/// it is reported (`REG.WER.8244`) and skipped.
///
/// ```
/// use sdk_p1::cer::zasilenie::{KodBledu, Walidator};
///
/// let plik = "idMus;kodSwiadczenia;idSlotu;dataWizyty;czasTrwaniaMin;rodzajWizyty;pesel;email;\
///             telefon;kluczSkierowania;statusSkierowania;idWystawcySkierowaniaPapierowego;\
///             dataZapisu\r\n\
///             MUS-1;02.1450.102.02;;2026-07-01T09:00;20;KOLEJNA;44051401359;;;;;;2026-06-01T10:00:00\r\n";
/// let mut problemy = Vec::new();
/// let raport = Walidator::new().sprawdz(plik.as_bytes(), |p| problemy.push(p))?;
/// assert_eq!(raport.wiersze, 1);
/// assert_eq!(problemy.len(), 1); // no e-mail and no phone
/// assert_eq!((problemy[0].wiersz, problemy[0].kolumna), (2, None));
/// assert_eq!(problemy[0].kod, KodBledu::KontaktPacjenta);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Walidator {
    uklad: Uklad,
    limit_rekordu: usize,
}

impl Default for Walidator {
    fn default() -> Self {
        Self::new()
    }
}

impl Walidator {
    /// A validator for the reconstructed layout ([`KOLUMNY`](super::KOLUMNY)).
    pub fn new() -> Self {
        Self::z_ukladem(Uklad::default())
    }

    /// A validator for another layout.
    pub fn z_ukladem(uklad: Uklad) -> Self {
        Self {
            uklad,
            limit_rekordu: LIMIT_REKORDU,
        }
    }

    /// Sets the longest record accepted, in bytes (default [`LIMIT_REKORDU`]; at least 1).
    pub fn limit_rekordu(mut self, bajty: usize) -> Self {
        self.limit_rekordu = bajty.max(1);
        self
    }

    /// The layout checked against.
    pub fn uklad(&self) -> &Uklad {
        &self.uklad
    }

    /// Checks a whole file, calling `na_problem` for each problem in file order, and returns
    /// the report. Fails only when reading fails (the report of what was read is then lost;
    /// use [`problemy`](Self::problemy) to keep it).
    pub fn sprawdz<R: Read>(
        &self,
        plik: R,
        mut na_problem: impl FnMut(Problem),
    ) -> io::Result<Raport> {
        let mut przebieg = Przebieg::new(self, plik);
        while przebieg.nastepny(&mut na_problem)? {}
        Ok(przebieg.raport())
    }

    /// The problems of a whole file as an iterator (the file is read as the iterator is
    /// advanced); [`ProblemyPliku::raport`] has the report once it returns `None`.
    pub fn problemy<R: Read>(&self, plik: R) -> ProblemyPliku<R> {
        ProblemyPliku {
            przebieg: Przebieg::new(self, plik),
            kolejka: VecDeque::new(),
            koniec: false,
        }
    }

    /// The problems of one visit as the file rules see it, without file state: no duplicate
    /// detection, no header. The rows are numbered 0. The same checks run on every row of a
    /// file and on every visit [`ZapisCsv`](super::ZapisCsv) writes.
    pub fn sprawdz_wiersz(&self, wizyta: &Wizyta) -> Vec<Problem> {
        let mut problemy = Vec::new();
        let mut cel = |p: Problem| problemy.push(p);
        let mut z = Zgloszenia::new(0, 0, &mut cel);
        let mut widok = Widok::z_wizyty(wizyta, &self.uklad);
        sprawdz_widok(&mut widok, &self.uklad, &mut z);
        problemy
    }
}

/// The problems of one file, read as the iterator advances (from
/// [`Walidator::problemy`]). A read error ends it with one `Err`.
pub struct ProblemyPliku<R: Read> {
    przebieg: Przebieg<R>,
    kolejka: VecDeque<Problem>,
    koniec: bool,
}

impl<R: Read> ProblemyPliku<R> {
    /// The report so far; complete once the iterator has returned `None`.
    pub fn raport(&self) -> Raport {
        self.przebieg.raport()
    }
}

impl<R: Read> Iterator for ProblemyPliku<R> {
    type Item = io::Result<Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(p) = self.kolejka.pop_front() {
                return Some(Ok(p));
            }
            if self.koniec {
                return None;
            }
            let kolejka = &mut self.kolejka;
            match self.przebieg.nastepny(&mut |p| kolejka.push_back(p)) {
                Ok(true) => {}
                Ok(false) => self.koniec = true,
                Err(e) => {
                    self.koniec = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

impl<R: Read> FusedIterator for ProblemyPliku<R> {}

/// The parser's read buffer: large reads, few system calls.
const BUFOR: usize = 64 * 1024;

/// One pass over one file.
struct Przebieg<R: Read> {
    csv: csv::Reader<Ramki<R>>,
    rekord: csv::ByteRecord,
    uklad: Uklad,
    limit_rekordu: usize,
    duplikaty: Duplikaty,
    raport: Raport,
    /// Records read, the header included.
    wiersz: u64,
    koniec: bool,
}

impl<R: Read> Przebieg<R> {
    fn new(w: &Walidator, plik: R) -> Self {
        let csv = csv::ReaderBuilder::new()
            .buffer_capacity(BUFOR)
            .delimiter(b';')
            .has_headers(false)
            .flexible(true)
            .from_reader(Ramki::new(plik, w.limit_rekordu));
        Self {
            csv,
            rekord: csv::ByteRecord::new(),
            uklad: w.uklad.clone(),
            limit_rekordu: w.limit_rekordu,
            duplikaty: Duplikaty::default(),
            raport: Raport::default(),
            wiersz: 0,
            koniec: false,
        }
    }

    fn raport(&self) -> Raport {
        let mut r = self.raport.clone();
        r.bajty = self.csv.get_ref().przeczytane();
        r.odciski = self.duplikaty.len();
        r
    }

    /// Reads and checks one record; `false` at the end of the file.
    fn nastepny(&mut self, cel: &mut dyn FnMut(Problem)) -> io::Result<bool> {
        if self.koniec {
            return Ok(false);
        }
        let raport = &mut self.raport;
        let mut licz = |p: Problem| {
            raport.policz(&p.kod);
            cel(p);
        };
        if !self
            .csv
            .read_byte_record(&mut self.rekord)
            .map_err(io::Error::from)?
        {
            self.koniec = true;
            if self.wiersz == 0 {
                let mut z = Zgloszenia::new(1, 1, &mut licz);
                z.zglos(
                    None,
                    KodBledu::UkladKolumn,
                    format!("the file is empty; expected the header `{}`", self.uklad),
                );
            }
            return Ok(false);
        }
        self.wiersz += 1;
        let poczatek = self.rekord.position().map_or(0, csv::Position::byte);
        let koniec = self.csv.position().byte();
        let ramki = self.csv.get_mut();
        let obciety = ramki.obciety(poczatek, koniec);
        let linia = ramki.linia_rekordu(poczatek, koniec);
        let mut z = Zgloszenia::new(self.wiersz, linia, &mut licz);
        if obciety {
            z.zglos(
                None,
                KodBledu::UkladKolumn,
                format!(
                    "the row is longer than {} bytes (a quote not closed?); not checked",
                    self.limit_rekordu
                ),
            );
        } else if self.wiersz == 1 {
            sprawdz_naglowek(&self.rekord, &self.uklad, &mut z);
        } else {
            sprawdz_rekord(
                &self.rekord,
                self.wiersz,
                &self.uklad,
                &mut self.duplikaty,
                &mut z,
            );
        }
        let bledy = z.liczba;
        if self.wiersz == 1 {
            self.raport.naglowek_poprawny = bledy == 0;
        } else {
            self.raport.wiersze += 1;
            self.raport.wiersze_z_bledami += u64::from(bledy > 0);
        }
        Ok(true)
    }
}

fn sprawdz_naglowek(rekord: &csv::ByteRecord, uklad: &Uklad, z: &mut Zgloszenia<'_>) {
    let kolumny = uklad.kolumny();
    let roznica = rekord
        .iter()
        .zip(kolumny)
        .enumerate()
        .find(|(_, (jest, k))| *jest != k.nazwa.as_bytes());
    let opis = match roznica {
        Some((i, (jest, k))) => {
            let jest = String::from_utf8_lossy(jest);
            let jest: String = jest.chars().take(64).collect();
            format!("column {} is `{jest}`, expected `{}`", i + 1, k.nazwa)
        }
        None if rekord.len() != kolumny.len() => {
            format!("{} columns, expected {}", rekord.len(), kolumny.len())
        }
        None => return,
    };
    z.zglos(
        None,
        KodBledu::UkladKolumn,
        format!("the header row does not match the layout `{uklad}`: {opis}"),
    );
}

fn sprawdz_rekord(
    rekord: &csv::ByteRecord,
    wiersz: u64,
    uklad: &Uklad,
    duplikaty: &mut Duplikaty,
    z: &mut Zgloszenia<'_>,
) {
    let kolumny = uklad.kolumny();
    if rekord.len() != kolumny.len() {
        z.zglos(
            None,
            KodBledu::UkladKolumn,
            format!(
                "{} columns, expected {} (separator `;`); the row was not checked further",
                rekord.len(),
                kolumny.len()
            ),
        );
        return;
    }
    let mut widok = Widok::pusty();
    for (k, bajty) in kolumny.iter().zip(rekord.iter()) {
        if !bajty.is_empty() {
            match std::str::from_utf8(bajty) {
                Ok(tekst) => widok.wczytaj(k, tekst, z),
                Err(e) => widok.nie_utf8(k, e, z),
            }
        }
        widok.sprawdz_kolumne(k, z);
    }
    widok.sprawdz_zaleznosci(uklad, z);
    duplikaty.sprawdz_i_zapamietaj(Duplikaty::klucze(&widok), wiersz, uklad, z);
}
