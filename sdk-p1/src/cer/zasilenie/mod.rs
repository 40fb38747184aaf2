//! The initial load (*zasilenie inicjalne*) of visits from a CSV file: a typed writer, a
//! streaming validator with the same rules, and CeR's verification codes.
//!
//! A provider joining Centralna e-Rejestracja loads its existing visits once, from a CSV file,
//! optionally first in verification-only mode ("WERYFIKACJA PLIKU"). CeR answers `SUKCES` or
//! `BŁĄD` with one `REG.WER.*` code per failing visit (NFZ's onboarding deck, seed 001, lines
//! 650–677). [`ZapisCsv`] writes such a file from [`Wizyta`] values and refuses a visit that
//! breaks a rule; [`Walidator`] checks a file of any size before it is sent and reports every
//! [`Problem`] of every row with the code CeR would use ([`KodBledu`]).
//!
//! # The layout is reconstructed
//!
//! **No CeR column layout is public.** The deck only says that the file is CSV and that
//! `REG.WER.8244` checks "the number of columns, their order and types"; the column slide, if
//! there was one, did not survive. The layout below is **ours**, built from the fields the six
//! published codes imply (contact, referral, paper-referral issuer, booking date, visit
//! uniqueness) plus what a visit needs (place, benefit, start, length, kind, patient, slot).
//! Its names and order will differ from CeR's.
//!
//! The column table is data, not code: [`KOLUMNY`] (names, order, which columns are required)
//! is the only place the reader, the writer and the rules learn the layout from. When CeZ
//! publishes the real layout, build it with [`Uklad::nowy`] and pass it to
//! [`Walidator::z_ukladem`] and [`ZapisCsv::z_ukladem`] (or replace [`KOLUMNY`]); each field's
//! format stays attached to its [`Pole`].
//!
//! | # | column | field | required | format | code when wrong |
//! |---|---|---|---|---|---|
//! | 1 | `idMus` | [`Wizyta::id_mus`] place of service (MUŚ) | yes | 1–64 characters, no control characters or surrounding spaces | 8244 |
//! | 2 | `kodSwiadczenia` | [`Wizyta::kod_swiadczenia`] benefit code | yes | `NN.NNNN.NNN.NN`, e.g. `02.1450.102.02` | 8244 |
//! | 3 | `idSlotu` | [`Wizyta::id_slotu`] an existing slot | no | as `idMus` | 8244 |
//! | 4 | `dataWizyty` | [`Wizyta::data_wizyty`] start, Polish local time | yes | `YYYY-MM-DDTHH:MM`, a real date and time | 8244 |
//! | 5 | `czasTrwaniaMin` | [`Wizyta::czas_trwania_min`] | yes | whole minutes, 1–1440 | 8244 |
//! | 6 | `rodzajWizyty` | [`Wizyta::rodzaj_wizyty`] | yes | `PIERWSZORAZOWA`, `KOLEJNA`, `UPRAWNIENIA_SZCZEGOLNE` | 8244 |
//! | 7 | `pesel` | [`Wizyta::pesel`] patient | yes | 11 digits, valid check digit and date of birth ([`Pesel`](crate::Pesel)) | 8244 |
//! | 8 | `email` | [`Wizyta::email`] | no¹ | one `@`, non-empty local part, a domain with a dot, no spaces, ≤ 254 characters | 8361 |
//! | 9 | `telefon` | [`Wizyta::telefon`] | no¹ | 9 digits, or `+` and 8–15 digits; spaces and dashes ignored | 8361 |
//! | 10 | `kluczSkierowania` | [`Wizyta::klucz_skierowania`] e-referral key | no² | 1–64 characters of `0-9 A-Z a-z -` | 8244 |
//! | 11 | `statusSkierowania` | [`Wizyta::status_skierowania`] as known from e-Skierowanie | no | `WYSTAWIONE`, `U_REALIZATORA`, `ZREALIZOWANE`; only with a key | 8244, 9662 |
//! | 12 | `idWystawcySkierowaniaPapierowego` | [`Wizyta::id_wystawcy_skierowania_papierowego`] paper referral issuer's NPWZ | no² | 7 digits, first ≠ 0 and = Σ dᵢ₊₁·i (i = 1..6) mod 11 | 9666 |
//! | 13 | `dataZapisu` | [`Wizyta::data_zapisu`] booking date ("data zapisu na wizytę") | yes | `YYYY-MM-DDTHH:MM:SS`, a real date and time, not after `dataWizyty` | 9667 |
//!
//! ¹ At least one of `email` and `telefon` (`REG.WER.8361`). ² A first visit needs one of the
//! two.
//!
//! The file: UTF-8 (a byte order mark is accepted and skipped), `;` between fields, RFC 4180
//! quoting (`"…"`, `""` for a quote; a quoted field may hold `;` and line breaks, though no
//! field of this layout accepts a line break), `\r\n` or `\n` line ends, blank lines ignored,
//! and a header row with exactly the names above in this order. The writer writes `\r\n`.
//!
//! # The rules and their codes
//!
//! | code | reported when |
//! |---|---|
//! | `REG.WER.8244` ([`KodBledu::UkladKolumn`]) | the header differs from the layout (row 1); a row has another number of columns (the row is not checked further); a required value is missing; a value has the wrong type or format; bytes that are not UTF-8; a referral status without a key; a row longer than [`LIMIT_REKORDU`] (not checked further); an empty file |
//! | `REG.WER.8361` ([`KodBledu::KontaktPacjenta`]) | neither `email` nor `telefon` is given (no column named); a given one is malformed |
//! | `REG.WER.9644` ([`KodBledu::UnikalnoscWizyty`]) | the same (`idMus`, `dataWizyty`, `pesel`) (no column named) or the same `idSlotu` as an earlier row of the file: reported on the later row, naming the first |
//! | `REG.WER.9662` ([`KodBledu::StatusSkierowania`]) | a first visit with neither an e-referral key nor a paper referral issuer (no column named); a first visit on an e-referral `U_REALIZATORA`; a follow-up on an e-referral `WYSTAWIONE`; any visit on an e-referral `ZREALIZOWANE` |
//! | `REG.WER.9666` ([`KodBledu::WystawcaSkierowaniaPapierowego`]) | a malformed NPWZ |
//! | `REG.WER.9667` ([`KodBledu::DataZapisu`]) | `dataZapisu` missing, malformed, or after `dataWizyty` |
//!
//! Every problem of a row is reported, in column order, then the rules across columns, then
//! duplicates. A value with a problem is not used by later rules (a malformed key still counts
//! as a given referral). The seed's referral statuses: "Wystawione – można zapisać na wizytę
//! pierwszorazową; U realizatora – można zapisać na kontynuację leczenia; Zrealizowane –
//! niemożliwe do użycia jako podstawa umawianej wizyty". A status column left empty is not
//! checked (CeR knows the real status); a visit of a patient with special rights
//! (`UPRAWNIENIA_SZCZEGOLNE`) needs no referral but may not use a `ZREALIZOWANE` one.
//!
//! What only CeR can check is not checked here: whether the visit already exists in CeR (9644
//! covers only duplicates within the file), the referral's real status in e-Skierowanie, the
//! issuer in the registers, the 40-day horizon after the MUŚ is activated, and the codes this
//! SDK does not know (kept as [`KodBledu::Inny`] when read from CeR).
//!
//! Row numbers ([`Problem::wiersz`]) count records, the header being row 1; a record with quoted
//! line breaks is one row, and [`Problem::linia`] gives the physical line it starts on.
//!
//! # Memory and speed
//!
//! [`Walidator`] streams: one reused `csv::ByteRecord`, a reader that never buffers more than
//! [`LIMIT_REKORDU`] (64 KiB by default) of one record, and problems handed out as they are
//! found. The only state that grows with the file is duplicate detection: a 128-bit
//! fingerprint (two 64-bit SipHash values with fixed keys: the same file gives the same
//! result on every run of a build) per
//! distinct visit key and per distinct slot, mapped to the row that had it first. An entry is
//! 24 bytes (16 of fingerprint, 8 of row number) in a hash table that is at most 7/8 full,
//! has one control byte per slot and doubles when full: 28–57 bytes per fingerprint, and up
//! to about 1.5 times that while the table doubles (old and new table side by side). Measured
//! (`benches/cer_csv.rs`): a million rows, a tenth of them with `idSlotu`, keep 1.1 million
//! fingerprints in a 50 MiB table, with a peak of 76 MiB above the starting memory during the
//! last doubling. [`Raport::odciski`] says how many were kept. Two different keys share
//! a fingerprint with probability about n²/2¹²⁹ for n rows (10⁻²⁷ for a million): a false
//! duplicate is not a practical concern.
//!
//! Speed (same benchmark, one core, file in the page cache): about 0.75 µs per row, ≈ 190
//! MB/s, some 6 times the time of a bare `csv::ByteRecord` read of the same file; the
//! difference is the checks themselves (PESEL, dates, the two hashes and the table lookup per
//! row).

mod kody;
mod problem;
mod ramki;
mod reguly;
mod uklad;
mod walidator;
mod wizyta;
mod zapis;

pub use kody::KodBledu;
pub use problem::{Problem, Raport};
pub use uklad::{BladUkladu, KOLUMNY, Kolumna, Pole, Uklad};
pub use walidator::{LIMIT_REKORDU, ProblemyPliku, Walidator};
pub use wizyta::{NieznanaWartosc, RodzajWizyty, StatusSkierowania, Wizyta};
pub use zapis::{BladZapisu, ZapisCsv};
