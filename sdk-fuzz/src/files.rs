//! Files read streaming: SÚKL's DLP open-data CSV files, CeR's initial-load CSV, and the XML
//! files VZP delivers outside its SOAP answers.

use sdk_runtime::tabular::{Error, Layout, Options, Reader, Record};

use crate::Outcome;

/// Bit of a `tabular_dlp` input's first byte that reads leniently: columns after the layout's
/// allowed, text lengths not checked.
pub const DLP_LENIENT: u8 = 0x40;
/// Bit of a `tabular_dlp` input's first byte that caps records at [`DLP_SHORT_RECORD`] bytes
/// (the default cap, 1 MiB, is beyond any fuzz input).
pub const DLP_SHORT: u8 = 0x80;
/// The record cap of [`DLP_SHORT`].
pub const DLP_SHORT_RECORD: usize = 256;

/// Reads `file` as a file of `T` records with `options`, every row to the end: the number of
/// rows read, or the first error (the header's, or the first bad row's after reading them
/// all).
fn read_all<T: Record>(file: &[u8], options: Options) -> Result<u64, Error> {
    let mut reader = Reader::<_, T>::with_options(file, options)?;
    let _ = reader.extra_columns().len() + reader.fields().len();
    let mut first = None;
    let mut rows = 0;
    for row in reader.by_ref() {
        rows += 1;
        if let Err(e) = row {
            let _ = (e.to_string(), e.line());
            first.get_or_insert(e);
        }
    }
    let _ = (reader.line(), reader.encoding().name());
    first.map_or(Ok(rows), Err)
}

/// A typed reader of one DLP layout.
pub type DlpReader = fn(&[u8], Options) -> Result<u64, Error>;

macro_rules! dlp_readers {
    ($($record:ident),* $(,)?) => {
        /// The typed reader of every record type of `sdk_sukl::dlp`, in the order of
        /// [`sdk_sukl::dlp::LAYOUTS`] (a test holds the two lists together).
        pub const DLP_READERS: &[(&Layout, DlpReader)] = &[
            $((
                <sdk_sukl::dlp::$record as Record>::LAYOUT,
                read_all::<sdk_sukl::dlp::$record> as DlpReader,
            ),)*
        ];
    };
}

dlp_readers!(
    AtcSkupina,
    Cesta,
    Doping,
    Forma,
    IndikacniSkupina,
    Jednotka,
    Latka,
    LecivaLatka,
    LecivyPripravek,
    Narvla,
    NazvyDokumentu,
    Obal,
    Organizace,
    RegistracniProcedura,
    Slozeni,
    Sul,
    Splp,
    StavRegistrace,
    Synonymum,
    SlozeniPriznak,
    Vpois,
    Vydej,
    Zavislost,
    Zdroj,
    Zeme,
    PravniZakladRegistrace,
    ZrusenaRegistrace,
    Platnost,
    TypLp,
    DopingLp,
    SloupecRozhrani,
    Lek13Agregat,
    Dis13Agregat,
    Reg13Agregat,
);

/// A `tabular_dlp` input: the file of the layout at `index` in
/// [`sdk_sukl::dlp::LAYOUTS`], read with the default options.
pub fn dlp_input(index: usize, file: &[u8]) -> Vec<u8> {
    let mut out = vec![u8::try_from(index).unwrap_or(0) & 0x3f];
    out.extend_from_slice(file);
    out
}

/// `tabular_dlp`: the first byte picks the layout (its low six bits, modulo the number of
/// layouts) and the options ([`DLP_LENIENT`], [`DLP_SHORT`]); the rest is the file, read by
/// that layout's typed reader to the end, bad rows included.
pub fn tabular_dlp(data: &[u8]) -> Outcome {
    let [first, file @ ..] = data else {
        return Outcome::Refused;
    };
    let Some(n) = usize::from(first & 0x3f).checked_rem(DLP_READERS.len()) else {
        return Outcome::Refused;
    };
    let mut options = Options::new();
    if first & DLP_LENIENT != 0 {
        options = options.allow_extra_columns(true).check_lengths(false);
    }
    if first & DLP_SHORT != 0 {
        options = options.max_record_bytes(DLP_SHORT_RECORD);
    }
    let (_, read) = DLP_READERS[n];
    let read = read(file, options);
    if let Err(e) = &read {
        let _ = e.to_string();
    }
    Outcome::of(&read)
}

/// `cer_csv`: CeR's initial-load file through the streaming validator, every problem of every
/// row (`Read` when the file passes), and again with records capped at 256 bytes.
pub fn cer_csv(data: &[u8]) -> Outcome {
    use sdk_p1::cer::zasilenie::Walidator;
    let walidator = Walidator::new();
    let mut problems = walidator.problemy(data);
    let mut failed = false;
    for p in problems.by_ref() {
        match p {
            Ok(p) => {
                let _ = p.to_string();
            }
            Err(_) => failed = true,
        }
    }
    let report = problems.raport();
    let _ = report.to_string();
    let short = Walidator::new().limit_rekordu(256).sprawdz(data, |p| {
        let _ = p.kod;
    });
    let _ = short.map(|r| r.problemy);
    if !failed && report.sukces() {
        Outcome::Read
    } else {
        Outcome::Refused
    }
}

/// The kinds of file `vzp_files` reads, in the order its first byte picks them.
pub const VZP_FILES: [&str; 4] = ["registrovani", "prubeh", "zamestnanci", "protokol"];

/// A `vzp_files` input: `file` read as the kind at `kind` in [`VZP_FILES`].
pub fn vzp_input(kind: usize, file: &[u8]) -> Vec<u8> {
    let mut out = vec![u8::try_from(kind).unwrap_or(0)];
    out.extend_from_slice(file);
    out
}

/// Every record of `records` (its diagnostics read), then the rest by `finish`.
fn vzp_records<R, T, E>(
    records: std::io::Result<sdk_runtime::xml::Records<R, T>>,
    finish: impl FnOnce(sdk_runtime::xml::Records<R, T>) -> Result<(), E>,
) -> Outcome
where
    R: std::io::BufRead,
    T: sdk_runtime::xml::XmlRead,
{
    let Ok(mut records) = records else {
        return Outcome::Refused;
    };
    let mut failed = false;
    for r in records.by_ref() {
        failed |= r.is_err();
    }
    let _ = records
        .diagnostics()
        .iter()
        .map(ToString::to_string)
        .count();
    let _ = (
        records.dropped_diagnostics(),
        records.records_read(),
        records.memory_held(),
    );
    let rest = finish(records);
    if failed || rest.is_err() {
        Outcome::Refused
    } else {
        Outcome::Read
    }
}

/// `vzp_files`: the first byte picks the kind of file ([`VZP_FILES`], modulo their number);
/// the rest is the file, its encoding found by `encoding_of`, read by the kind's streaming
/// reader record by record to the end, then the rest of the file (the generated root type for
/// the kinds whose root is known, the document for the employer file); a VZPkontrol protocol
/// (VZP's answer to a filing over AS2) is read whole by `sdk_vzp::podani::protokol`.
pub fn vzp_files(data: &[u8]) -> Outcome {
    use sdk_vzp::soubory::{self, prubeh, registrovani, zamestnanci};
    let [first, file @ ..] = data else {
        return Outcome::Refused;
    };
    let _ = soubory::encoding_of(file).map(|e| e.name());
    match usize::from(*first) % VZP_FILES.len() {
        0 => vzp_records(registrovani::read(file), |r| {
            r.finish::<registrovani::SeznamRegistrovanychPojistencu>()
                .map(|_| ())
        }),
        1 => vzp_records(prubeh::read(file), |r| {
            r.finish::<prubeh::PrubehPojisteniSoubor>().map(|_| ())
        }),
        2 => vzp_records(zamestnanci::read(file), |r| r.into_rest().map(|_| ())),
        _ => match sdk_vzp::podani::protokol(file) {
            Ok(p) => {
                let _ = (p.prijato(), p.diagnostics.len());
                Outcome::Read
            }
            Err(_) => Outcome::Refused,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dlp_readers_are_the_layouts_in_order() {
        let readers: Vec<&str> = DLP_READERS.iter().map(|(l, _)| l.dataset).collect();
        let layouts: Vec<&str> = sdk_sukl::dlp::LAYOUTS.iter().map(|l| l.dataset).collect();
        assert_eq!(readers, layouts);
        assert!(
            DLP_READERS.len() <= 0x40,
            "the first byte's six bits pick one"
        );
    }
}
