//! SÚKL's open data as typed records (feature `dlp`): the DLP drug code lists ("Databáze
//! léčivých přípravků", the `dlp_*.csv` files of `DLPAKTUALNI.zip`), SÚKL's dictionary of them,
//! and the monthly LEK-13, DIS-13 and REG-13 aggregates.
//!
//! The record types are generated from `csv/sukl/dlp.toml`, our description of the files,
//! which a test proves matches SÚKL's published dictionary (`DLP_datove_rozhrani20250601.csv`)
//! column by column. Each type documents its columns; the table of all is in
//! [`crate::generated::dlp`]. The files are windows-1250 with `;` between fields; the
//! reader checks the header, streams the rows with bounded memory, and gives every row either
//! as a record or as an error naming its line and column — nothing is skipped silently.
//!
//! ```no_run
//! use sdk_sukl::dlp::{Dlp, LecivyPripravek};
//!
//! let dlp = Dlp::new("/data/DLP20260227");
//! for row in dlp.read::<LecivyPripravek>()? {
//!     match row {
//!         Ok(p) => println!("{} {}", p.kod_sukl, p.nazev.unwrap_or_default()),
//!         Err(e) => eprintln!("dlp_lecivepripravky.csv: {e}"), // "line 812, column NAZEV (3): …"
//!     }
//! }
//! # Ok::<(), sdk_sukl::dlp::DlpError>(())
//! ```
//!
//! For lookups without network, [`DlpIndex`] (feature `sqlite`, on by default) keeps the
//! products of `dlp_lecivepripravky.csv` in a local SQLite file by kód SÚKL, rebuilt atomically
//! from each new edition.

#[cfg(feature = "sqlite")]
mod index;

use std::fs::File;
use std::path::{Path, PathBuf};

pub use crate::generated::dlp::*;
use crate::lek13::KodSukl;
#[cfg(feature = "sqlite")]
pub use index::{BuildOptions, BuildReport, DlpIndex, IndexError, Rejected, Rejection};
pub use sdk_runtime::tabular::{
    DateFormat, Error, FieldError, Fields, HeaderMismatch, Options, Reader, Record,
};

/// Why a file could not be opened or its header read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DlpError {
    /// The file could not be opened.
    #[error("{}: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is empty, its header does not match, or it could not be read.
    #[error("{}: {source}", path.display())]
    Header {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: Error,
    },
}

/// Opens a file of `T` records and checks its header (default [`Options`]): the rows follow
/// as an iterator of `Result<T, Error>`.
pub fn read<T: Record>(path: impl AsRef<Path>) -> Result<Reader<File, T>, DlpError> {
    read_with(path, Options::default())
}

/// As [`read`], with `options` (a record-length limit, extra columns allowed).
pub fn read_with<T: Record>(
    path: impl AsRef<Path>,
    options: Options,
) -> Result<Reader<File, T>, DlpError> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|source| DlpError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    Reader::with_options(file, options).map_err(|source| DlpError::Header {
        path: path.to_path_buf(),
        source,
    })
}

/// A folder holding one edition of the DLP files (an unpacked `DLPAKTUALNI.zip`).
#[derive(Debug, Clone)]
pub struct Dlp {
    folder: PathBuf,
    options: Options,
}

impl Dlp {
    /// The files in `folder`.
    pub fn new(folder: impl Into<PathBuf>) -> Self {
        Self {
            folder: folder.into(),
            options: Options::default(),
        }
    }

    /// Reads with `options` instead of the defaults.
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// The folder.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// The path of `T`'s file in the folder (`dlp_lecivepripravky.csv` for
    /// [`LecivyPripravek`]).
    pub fn path<T: Record>(&self) -> PathBuf {
        self.folder.join(T::LAYOUT.file)
    }

    /// Opens `T`'s file in the folder and checks its header.
    pub fn read<T: Record>(&self) -> Result<Reader<File, T>, DlpError> {
        read_with(self.path::<T>(), self.options.clone())
    }

    /// Opens `dlp_lecivepripravky.csv`, the medicinal products.
    pub fn lecive_pripravky(&self) -> Result<Reader<File, LecivyPripravek>, DlpError> {
        self.read()
    }
}

/// A kód SÚKL as the open-data aggregates write it, without its leading zeros (`53907`), as
/// the 7-digit code of the DLP files and of LEK-13 reports (`0053907`).
pub fn kod_sukl(text: &str) -> Result<KodSukl, sdk_runtime::xml::ValidationError> {
    let t = text.trim();
    if !t.is_empty() && t.len() < KodSukl::DIGITS && t.bytes().all(|b| b.is_ascii_digit()) {
        KodSukl::parse(&format!("{t:0>width$}", width = KodSukl::DIGITS))
    } else {
        KodSukl::parse(t)
    }
}
