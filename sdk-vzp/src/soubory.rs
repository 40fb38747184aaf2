//! Files VZP delivers outside SOAP answers, read streaming: one record at a time, in memory
//! bounded by the largest record however long the file (a large employer's list runs to
//! hundreds of thousands of employees).

use std::io::BufRead;

use sdk_runtime::xml::{ElementName, RecordReader, Records, Utf8Reader};

/// The encoding of a VZP file: its XML declaration's, else its byte-order mark's, else UTF-8 when
/// the start of the file is valid UTF-8, else ISO-8859-2 (what VZP's files are written in, facts
/// §4.4). `start` is the first buffer of the file.
pub fn encoding_of(start: &[u8]) -> Result<&'static sdk_runtime::encoding_rs::Encoding, String> {
    use sdk_runtime::encoding_rs as enc;
    if let Some((encoding, _)) = enc::Encoding::for_bom(start) {
        return Ok(encoding);
    }
    if let Some(label) = sdk_runtime::xml::declared_encoding(start) {
        return enc::Encoding::for_label(label.as_bytes())
            .ok_or_else(|| format!("the XML declaration names an unknown encoding `{label}`"));
    }
    // A multi-byte character cut at the end of the buffer is still UTF-8.
    let valid = match std::str::from_utf8(start) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    };
    Ok(if valid { enc::UTF_8 } else { enc::ISO_8859_2 })
}

/// The typed `record` elements of the file `reader`, wherever they are in it (see
/// [`encoding_of`] for its encoding): what every reader of this module does.
pub fn records<R: BufRead, T: sdk_runtime::xml::XmlRead>(
    mut reader: R,
    record: ElementName,
) -> std::io::Result<Records<Utf8Reader<R>, T>> {
    let encoding = encoding_of(reader.fill_buf()?)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    Ok(Records::new(RecordReader::anywhere(
        Utf8Reader::new(reader, encoding),
        record,
    )))
}

/// "Seznam registrovaných pojištěnců": the insured persons registered with a provider's
/// facility (the answer of VZP's asynchronous service of that name).
///
/// **Provenance: reconstructed.** Nothing of this file's format is public; see
/// `wsdl/vzp/soubory/SeznamRegistrovanychPojistencu.xsd` for what was assumed. Records are
/// found wherever they are and read leniently, so a different envelope still reads.
pub mod registrovani {
    use super::*;

    pub use crate::generated::soubor_registrovani::types::{
        RegistrovanyPojistenec, SeznamRegistrovanychPojistencu,
    };

    /// The file's namespace.
    pub const NAMESPACE: &str = "http://xmlns.gemsystem.cz/RSZP/SeznamRegistrovanychPojistencu/1.0";
    /// The record element.
    pub const RECORD: ElementName = ElementName::new(NAMESPACE, "pojistenec");

    /// The registered insured persons of the file `reader`, one at a time.
    pub fn read<R: BufRead>(
        reader: R,
    ) -> std::io::Result<Records<Utf8Reader<R>, RegistrovanyPojistenec>> {
        records(reader, RECORD)
    }
}

/// "Průběh pojištění podle čísel pojištěnců v souboru": the insurance history of the persons
/// whose numbers a provider filed (the answer of VZP's asynchronous service of that name).
///
/// **Provenance: reconstructed.** Nothing of this file's format is public; see
/// `wsdl/vzp/soubory/PrubehPojisteniSoubor.xsd` (its periods reuse the wire-verified field names
/// of the synchronous Průběh pojištění). Records are found wherever they are, read leniently.
pub mod prubeh {
    use super::*;

    pub use crate::generated::soubor_prubeh::types::{
        ObdobiPojisteni, PrubehPojistence, PrubehPojisteniSoubor,
    };

    /// The file's namespace.
    pub const NAMESPACE: &str = "http://xmlns.gemsystem.cz/RSZP/PrubehPojisteniSoubor/1.0";
    /// The record element.
    pub const RECORD: ElementName = ElementName::new(NAMESPACE, "pojistenec");

    /// The insurance histories of the file `reader`, one person at a time.
    pub fn read<R: BufRead>(
        reader: R,
    ) -> std::io::Result<Records<Utf8Reader<R>, PrubehPojistence>> {
        records(reader, RECORD)
    }
}

/// "Zaměstnanci pojištění u VZP": an employer's employees insured with VZP.
///
/// **Provenance: reconstructed.** The namespace and the record's fields were transcribed from a
/// public parser of the file VZP delivers; the root element is not known, so records are found
/// wherever they are in the file ([`RecordReader::anywhere`]). See
/// `wsdl/vzp/soubory/ZamestnanciPojisteniUVZP.xsd`.
///
/// ```no_run
/// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let file = std::io::BufReader::new(std::fs::File::open("zamestnanci.xml")?);
/// let mut records = sdk_vzp::soubory::zamestnanci::read(file)?;
/// for z in records.by_ref() {
///     let z = z?;
///     println!("{:?} {:?}", z.cislo_pojistence, z.zamestnani_od);
/// }
/// for d in records.diagnostics() {
///     eprintln!("deviation: {d}");
/// }
/// # Ok(()) }
/// ```
pub mod zamestnanci {
    use super::*;

    pub use crate::generated::soubor_zamestnanci::types::{
        StatniKategorie, StatniKategorieZamestnanec, Stavy, ZamestnanciPojisteniUVZP, Zamestnanec,
    };

    /// The file's namespace.
    pub const NAMESPACE: &str = "http://xmlns.gemsystem.cz/RSZP/ZamestnanciPojisteniUVZP/1.0";
    /// The record element.
    pub const RECORD: ElementName = ElementName::new(NAMESPACE, "zamestnanec");

    /// The employees of the file `reader` (see [`encoding_of`] for its encoding), decoded one at
    /// a time; [`Records::diagnostics`] lists deviations from the description with their paths.
    /// An unknown declared encoding is an error before anything is read.
    pub fn read<R: BufRead>(reader: R) -> std::io::Result<Records<Utf8Reader<R>, Zamestnanec>> {
        records(reader, RECORD)
    }
}
