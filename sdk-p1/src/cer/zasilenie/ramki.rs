//! A reader between the input and the `csv` parser that caps the size of a record.
//!
//! The `csv` crate grows its record buffer to fit any record, so one runaway quoted field
//! (a missing closing quote) would make it buffer the rest of the file. This reader follows the
//! same record boundaries as `csv_core` (RFC 4180 quoting with `"`, `;` between fields, `\r`,
//! `\n` or `\r\n` ending a record, blank lines skipped) and, once a record passes the limit,
//! passes none of its further bytes: the parser gets the first `limit` bytes, a closing quote
//! if it was inside a quoted field, and the record's end. The offset (in what the parser saw)
//! where a record was cut is queued, so the validator can tell which record it was.
//!
//! It also drops a UTF-8 byte order mark at the very start, and notes the physical line each
//! record starts on (`\n`, `\r\n` and a lone `\r` each end a line).

use std::collections::VecDeque;
use std::io::{self, Read};

const BOM: &[u8; 3] = b"\xEF\xBB\xBF";

/// The position of the first byte of `b` that is one of `szukane` (`b.len()` if none): eight
/// bytes at a time (the "has a zero byte" bit trick on `word ^ broadcast(byte)`).
fn pierwszy_z(b: &[u8], szukane: [u8; 3]) -> usize {
    const JEDYNKI: u64 = 0x0101_0101_0101_0101;
    const GORNE: u64 = 0x8080_8080_8080_8080;
    let wzorce = szukane.map(|s| JEDYNKI * u64::from(s));
    let mut kawalki = b.chunks_exact(8);
    let mut pozycja = 0;
    for kawalek in &mut kawalki {
        let slowo = u64::from_le_bytes(kawalek.try_into().unwrap_or_default());
        let trafienia = wzorce.iter().fold(0, |acc, w| {
            let x = slowo ^ w;
            // The lowest set high bit marks the first zero byte of `x` (higher ones may be
            // false positives from the borrow, hence only the lowest is used).
            acc | (x.wrapping_sub(JEDYNKI) & !x & GORNE)
        });
        if trafienia != 0 {
            return pozycja + (trafienia.trailing_zeros() / 8) as usize;
        }
        pozycja += 8;
    }
    let reszta = kawalki.remainder();
    pozycja
        + reszta
            .iter()
            .position(|c| szukane.contains(c))
            .unwrap_or(reszta.len())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stan {
    /// Between records (line ends here are blank lines).
    PoczatekRekordu,
    PoczatekPola,
    WPolu,
    WCudzyslowie,
    /// A `"` inside a quoted field: either the closing quote or the first of `""`.
    CudzyslowWCudzyslowie,
}

pub(crate) struct Ramki<R> {
    wejscie: R,
    limit: usize,
    stan: Stan,
    /// Bytes of the current record so far (its terminator not counted).
    w_rekordzie: usize,
    /// Cutting the current record: its bytes are dropped until its end.
    tnie: bool,
    /// Bytes handed to the parser.
    wyjscie: u64,
    /// Bytes read from the input.
    przeczytane: u64,
    /// Where (in bytes handed to the parser) each record that was cut was cut, oldest first.
    ciecia: VecDeque<u64>,
    bom_sprawdzony: bool,
    /// The physical line of the next byte (1-based).
    linia: u64,
    poprzedni_cr: bool,
    /// Where (in bytes handed to the parser) each record starts and on which line, oldest
    /// first; only records the parser has not finished are kept.
    poczatki: VecDeque<(u64, u64)>,
}

impl<R: Read> Ramki<R> {
    /// `limit` is at least 1 (the first byte of a record always reaches the parser).
    pub(crate) fn new(wejscie: R, limit: usize) -> Self {
        Self {
            wejscie,
            limit: limit.max(1),
            stan: Stan::PoczatekRekordu,
            w_rekordzie: 0,
            tnie: false,
            wyjscie: 0,
            przeczytane: 0,
            ciecia: VecDeque::new(),
            bom_sprawdzony: false,
            linia: 1,
            poprzedni_cr: false,
            poczatki: VecDeque::new(),
        }
    }

    pub(crate) fn przeczytane(&self) -> u64 {
        self.przeczytane
    }

    /// `true` when a record that the parser saw in `[poczatek, koniec)` was cut; forgets the
    /// cuts before `koniec`.
    pub(crate) fn obciety(&mut self, poczatek: u64, koniec: u64) -> bool {
        let mut obciety = false;
        while let Some(&c) = self.ciecia.front() {
            if c >= koniec {
                break;
            }
            obciety |= c >= poczatek;
            self.ciecia.pop_front();
        }
        obciety
    }

    /// The line on which the record the parser saw in `[poczatek, koniec)` starts (0 if
    /// unknown); forgets the starts before `koniec`.
    pub(crate) fn linia_rekordu(&mut self, poczatek: u64, koniec: u64) -> u64 {
        let mut linia = 0;
        while let Some(&(p, l)) = self.poczatki.front() {
            if p >= koniec {
                break;
            }
            if p >= poczatek && linia == 0 {
                linia = l;
            }
            self.poczatki.pop_front();
        }
        linia
    }

    fn czytaj_wejscie(&mut self, bufor: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.wejscie.read(bufor) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => return r,
            }
        }
    }

    /// The first read: fills at least 3 bytes (when there are) and drops a BOM.
    fn czytaj_poczatek(&mut self, bufor: &mut [u8]) -> io::Result<usize> {
        self.bom_sprawdzony = true;
        let mut n = 0;
        while n < BOM.len().min(bufor.len()) {
            let m = self.czytaj_wejscie(bufor.get_mut(n..).unwrap_or_default())?;
            if m == 0 {
                break;
            }
            n += m;
        }
        self.przeczytane += n as u64;
        if bufor.get(..BOM.len()) == Some(BOM.as_slice()) && n >= BOM.len() {
            bufor.copy_within(BOM.len()..n, 0);
            n -= BOM.len();
        }
        Ok(n)
    }

    /// Runs the record state machine over `bufor[..n]`, dropping the bytes of a record past the
    /// limit; returns how many bytes remain (moved to the front).
    fn ramkuj(&mut self, bufor: &mut [u8], n: usize) -> usize {
        let mut zapis = 0usize;
        let mut czytaj = 0usize;
        while czytaj < n {
            // Fast path: inside a record, not cutting, nothing dropped before in this chunk:
            // skip the bytes that cannot end the record, open or close a quote or end a line,
            // up to the limit, in one go. Outside quotes `;` needs no stop: a field starts
            // quoted only if its first byte is `"`, so the byte before the run's end decides.
            let poza_cudzyslowem = matches!(self.stan, Stan::WPolu | Stan::PoczatekPola);
            if !self.tnie
                && zapis == czytaj
                && (poza_cudzyslowem || self.stan == Stan::WCudzyslowie)
            {
                let koniec = n.min(czytaj + self.limit.saturating_sub(self.w_rekordzie));
                let zwykle = bufor
                    .get(czytaj..koniec)
                    .map_or(0, |b| pierwszy_z(b, *b"\"\r\n"));
                if zwykle > 0 {
                    czytaj += zwykle;
                    if poza_cudzyslowem {
                        self.stan = if bufor.get(czytaj - 1) == Some(&b';') {
                            Stan::PoczatekPola
                        } else {
                            Stan::WPolu
                        };
                    }
                    self.w_rekordzie += zwykle;
                    self.poprzedni_cr = false;
                    zapis = czytaj;
                    continue;
                }
            }
            let Some(&b) = bufor.get(czytaj) else { break };
            czytaj += 1;
            let przed = self.stan;
            let linia = self.linia;
            if b == b'\n' {
                self.linia += u64::from(!self.poprzedni_cr);
            } else if b == b'\r' {
                self.linia += 1;
            }
            self.poprzedni_cr = b == b'\r';
            let koniec_rekordu = self.krok(b);
            if przed == Stan::PoczatekRekordu && self.stan != Stan::PoczatekRekordu {
                self.poczatki
                    .push_back((self.wyjscie + zapis as u64, linia));
            }
            let mut wynik = Some(b);
            if self.tnie {
                if koniec_rekordu {
                    self.tnie = false;
                } else {
                    wynik = None;
                }
            } else if przed != Stan::PoczatekRekordu || self.stan != Stan::PoczatekRekordu {
                if koniec_rekordu {
                    self.w_rekordzie = 0;
                } else {
                    self.w_rekordzie += 1;
                    if self.w_rekordzie > self.limit {
                        self.tnie = true;
                        self.ciecia.push_back(self.wyjscie + zapis as u64);
                        // Close a quoted field so the parser sees the record end that follows.
                        wynik = (przed == Stan::WCudzyslowie).then_some(b'"');
                    }
                }
            }
            if let Some(w) = wynik {
                if let Some(cel) = bufor.get_mut(zapis) {
                    *cel = w;
                }
                zapis += 1;
            }
        }
        zapis
    }

    /// One byte through the machine; `true` when it ends a record.
    fn krok(&mut self, b: u8) -> bool {
        let konczy = b == b'\n' || b == b'\r';
        let (stan, koniec) = match self.stan {
            Stan::PoczatekRekordu if konczy => (Stan::PoczatekRekordu, false),
            Stan::PoczatekRekordu | Stan::PoczatekPola => match b {
                b'"' => (Stan::WCudzyslowie, false),
                b';' => (Stan::PoczatekPola, false),
                _ if konczy => (Stan::PoczatekRekordu, true),
                _ => (Stan::WPolu, false),
            },
            Stan::WPolu => match b {
                b';' => (Stan::PoczatekPola, false),
                _ if konczy => (Stan::PoczatekRekordu, true),
                _ => (Stan::WPolu, false),
            },
            Stan::WCudzyslowie => match b {
                b'"' => (Stan::CudzyslowWCudzyslowie, false),
                _ => (Stan::WCudzyslowie, false),
            },
            Stan::CudzyslowWCudzyslowie => match b {
                b'"' => (Stan::WCudzyslowie, false),
                b';' => (Stan::PoczatekPola, false),
                _ if konczy => (Stan::PoczatekRekordu, true),
                _ => (Stan::WPolu, false),
            },
        };
        self.stan = stan;
        if koniec {
            self.w_rekordzie = 0;
        }
        koniec
    }
}

impl<R: Read> Read for Ramki<R> {
    fn read(&mut self, bufor: &mut [u8]) -> io::Result<usize> {
        if bufor.is_empty() {
            return Ok(0);
        }
        loop {
            let n = if self.bom_sprawdzony {
                let n = self.czytaj_wejscie(bufor)?;
                self.przeczytane += n as u64;
                n
            } else {
                self.czytaj_poczatek(bufor)?
            };
            if n == 0 {
                if self.tnie {
                    // The file ended inside a record that was cut: end it for the parser.
                    self.tnie = false;
                    self.stan = Stan::PoczatekRekordu;
                    self.w_rekordzie = 0;
                    if let Some(b) = bufor.first_mut() {
                        *b = b'\n';
                    }
                    self.wyjscie += 1;
                    return Ok(1);
                }
                return Ok(0);
            }
            let zostalo = self.ramkuj(bufor, n);
            if zostalo > 0 {
                self.wyjscie += zostalo as u64;
                return Ok(zostalo);
            }
            // Every byte was dropped; returning 0 would mean the end of the input.
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn przez(wejscie: &[u8], limit: usize) -> (Vec<u8>, Vec<u64>) {
        let mut r = Ramki::new(wejscie, limit);
        let mut out = Vec::new();
        let mut buf = [0u8; 7];
        loop {
            let n = r.read(&mut buf).unwrap_or(0);
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        (out, r.ciecia.iter().copied().collect())
    }

    #[test]
    fn short_records_pass_unchanged() {
        let dane = b"a;\"b\nc\";d\r\n\r\n\"x\"\"y\";z\n";
        assert_eq!(przez(dane, 100), (dane.to_vec(), vec![]));
    }

    #[test]
    fn quotes_open_only_at_a_field_start() {
        // `a"b` is a literal quote; `;"` opens a quoted field whose `\n` is not a record end.
        let dane = b"xxxxxxxxa\"b;cccccccc;\"dd\ndddddddd\";e\nf\n";
        let mut r = Ramki::new(&dane[..], 100);
        let mut out = Vec::new();
        let _ = r.read_to_end(&mut out);
        assert_eq!(out, dane);
        let starts: Vec<(u64, u64)> = r.poczatki.iter().copied().collect();
        assert_eq!(starts, vec![(0, 1), (37, 3)]);
        // The same with a limit that cuts the first record inside its quoted field.
        let (out, ciecia) = przez(dane, 25);
        assert_eq!(out, b"xxxxxxxxa\"b;cccccccc;\"dd\n\"\nf\n");
        assert_eq!(ciecia, vec![25]);
    }

    #[test]
    fn record_lines() {
        let mut r = Ramki::new(&b"a\r\nb\n\n\"c\nd\";e\rf"[..], 100);
        let mut out = Vec::new();
        let _ = r.read_to_end(&mut out);
        let starts: Vec<(u64, u64)> = r.poczatki.iter().copied().collect();
        assert_eq!(starts, vec![(0, 1), (3, 2), (6, 4), (14, 6)]);
        assert_eq!(r.linia_rekordu(5, 14), 4);
        assert_eq!(r.linia_rekordu(14, 15), 6);
    }

    /// Random inputs over the bytes that matter: every record the `csv` parser returns holds
    /// exactly one record start as this reader saw it, and no record passes the limit.
    #[test]
    fn record_boundaries_agree_with_the_csv_parser() {
        let mut ziarno = 0x2545_f491_4f6c_dd1du64;
        let mut losowy = move || {
            ziarno ^= ziarno << 13;
            ziarno ^= ziarno >> 7;
            ziarno ^= ziarno << 17;
            ziarno
        };
        for proba in 0..400 {
            let dlugosc = (losowy() % 300) as usize;
            let dane: Vec<u8> = (0..dlugosc)
                .map(|_| b"aab;;\"\"\r\n\xC5"[(losowy() % 10) as usize])
                .collect();
            let limit = if proba % 2 == 0 {
                1 << 20
            } else {
                1 + (losowy() % 20) as usize
            };
            let mut czytnik = csv::ReaderBuilder::new()
                .delimiter(b';')
                .has_headers(false)
                .flexible(true)
                .buffer_capacity(16)
                .from_reader(Ramki::new(&dane[..], limit));
            let mut rekord = csv::ByteRecord::new();
            while czytnik.read_byte_record(&mut rekord).unwrap_or(false) {
                let poczatek = rekord.position().map_or(0, csv::Position::byte);
                let koniec = czytnik.position().byte();
                let ramki = czytnik.get_mut();
                let w_zakresie = ramki
                    .poczatki
                    .iter()
                    .filter(|(p, _)| (poczatek..koniec).contains(p))
                    .count();
                assert_eq!(w_zakresie, 1, "{dane:?} limit {limit}");
                assert!(ramki.linia_rekordu(poczatek, koniec) > 0);
                let _ = ramki.obciety(poczatek, koniec);
                assert!(rekord.as_slice().len() <= limit, "{dane:?} limit {limit}");
            }
            if limit > 1000 {
                assert_eq!(czytnik.get_ref().przeczytane(), dane.len() as u64);
            }
        }
    }

    #[test]
    fn bom_is_dropped() {
        assert_eq!(przez(b"\xEF\xBB\xBFa;b\n", 100).0, b"a;b\n");
    }

    #[test]
    fn finds_the_first_special_byte() {
        let tekst = b"abcdefgh;ijklmnopqrstu\nvwxyz";
        for start in 0..tekst.len() {
            let oczekiwane = tekst[start..]
                .iter()
                .position(|c| b";\r\n".contains(c))
                .unwrap_or(tekst.len() - start);
            assert_eq!(
                pierwszy_z(&tekst[start..], *b";\r\n"),
                oczekiwane,
                "{start}"
            );
        }
        assert_eq!(
            pierwszy_z(b"\x80\x81;\xFF\xFF\xFF\xFF\xFF\xFF", *b";\r\n"),
            2
        );
        assert_eq!(pierwszy_z(b"", *b";\r\n"), 0);
    }

    #[test]
    fn the_fast_path_cuts_at_the_limit() {
        let mut dane = b"x;".to_vec();
        dane.extend(std::iter::repeat_n(b'a', 100));
        dane.extend_from_slice(b"\r\n\"");
        dane.extend(std::iter::repeat_n(b'b', 100));
        dane.extend_from_slice(b"\";c\nok\n");
        let (out, ciecia) = przez(&dane, 10);
        assert_eq!(out, b"x;aaaaaaaa\r\n\"bbbbbbbbb\"\nok\n");
        assert_eq!(ciecia, vec![10, 22]);
        // Under the limit nothing changes, whatever the read sizes.
        assert_eq!(przez(&dane, 1000).0, dane);
    }

    #[test]
    fn long_records_are_cut_and_closed() {
        // Record 2 is a runaway quoted field: cut after 5 bytes, closed, ended at its real end.
        let (out, ciecia) = przez(b"ab\n\"cdefghij\nk\";l\nmn\n", 5);
        assert_eq!(out, b"ab\n\"cdef\"\nmn\n");
        assert_eq!(ciecia, vec![8]);
        // An unquoted long record at the end of the input without a line end.
        let (out, ciecia) = przez(b"ab\nabcdefgh", 5);
        assert_eq!(out, b"ab\nabcde\n");
        assert_eq!(ciecia, vec![8]);
    }
}
