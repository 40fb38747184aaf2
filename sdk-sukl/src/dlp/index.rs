//! A local index of the medicinal products of `dlp_lecivepripravky.csv` by kód SÚKL, in one
//! SQLite file, so that a pharmacy looks a code up without network.
//!
//! Each product is stored as the fields its row has in the file (decoded text), and read back
//! through the same conversion as the file: a lookup returns exactly the [`LecivyPripravek`]
//! reading the file gives. A rebuild writes a new file next to the index and renames it over the
//! old one only once it is complete and on disk, so a rebuild that fails (a missing or damaged
//! file, too many bad rows, a full disk, a crash) leaves the old index as it was; on Unix, an
//! index already open keeps reading the edition it opened.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use sdk_runtime::tabular::{Error, Fields, Options, Record, Row};

use super::{Dlp, DlpError, LecivyPripravek, Platnost};
use crate::lek13::KodSukl;

/// The index's schema version (`PRAGMA user_version`).
const VERSION: i64 = 1;

/// Between the stored fields of a row: a control character, which no field can hold (the reader
/// refuses them).
const SEPARATOR: char = '\u{1f}';

const SCHEMA: &str = "
CREATE TABLE dlp_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE dlp_lecivepripravky (
  kod_sukl TEXT PRIMARY KEY,
  line INTEGER NOT NULL,
  fields TEXT NOT NULL
);
";

/// How a build treats bad rows and reads files.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct BuildOptions {
    /// Rows that may be refused (each reported in [`BuildReport::rejected`]) before the build
    /// fails; 0 by default: one bad row fails the build and the old index stays.
    pub max_rejected: usize,
    /// How the files are read.
    pub read: Options,
}

impl BuildOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`BuildOptions::max_rejected`].
    pub fn max_rejected(mut self, rows: usize) -> Self {
        self.max_rejected = rows;
        self
    }

    /// Sets [`BuildOptions::read`].
    pub fn read(mut self, options: Options) -> Self {
        self.read = options;
        self
    }
}

/// Why a row was not indexed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// The row could not be read.
    #[error(transparent)]
    Row(Error),
    /// The row's kód SÚKL is on an earlier row too (the first is indexed).
    #[error("line {line}: kód SÚKL {kod_sukl} is on line {first_line} already")]
    Duplicate {
        /// The row's line.
        line: u64,
        /// The code.
        kod_sukl: String,
        /// The line of its first row.
        first_line: u64,
    },
}

/// A row not indexed, with its file.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {reason}")]
#[non_exhaustive]
pub struct Rejected {
    /// The file's name.
    pub file: &'static str,
    /// Why.
    pub reason: Rejection,
}

/// What a build did.
#[derive(Debug)]
#[non_exhaustive]
pub struct BuildReport {
    /// Products indexed.
    pub products: u64,
    /// Rows refused in all (at most [`BuildOptions::max_rejected`]).
    pub rejected_rows: u64,
    /// The first of them (at most [`BuildReport::KEPT`]).
    pub rejected: Vec<Rejected>,
    /// The edition's validity (`dlp_platnost.csv`), when the folder has it.
    pub platnost: Option<(time::Date, time::Date)>,
}

impl BuildReport {
    /// Rejected rows kept for the report (and in [`IndexError::TooManyRejected`]); all are
    /// counted.
    pub const KEPT: usize = 100;
}

/// Why an index could not be built or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// A file of the folder could not be opened or its header is wrong.
    #[error("{0}")]
    File(#[from] DlpError),
    /// More rows were refused than allowed; the old index is unchanged.
    #[error(
        "{rejected_rows} rows refused, at most {allowed} allowed; the index was not replaced (first: {})",
        first.first().map(ToString::to_string).unwrap_or_default()
    )]
    TooManyRejected {
        /// Rows refused, all counted.
        rejected_rows: u64,
        /// Rows allowed.
        allowed: usize,
        /// The first of them (at most [`BuildReport::KEPT`]).
        first: Vec<Rejected>,
    },
    /// Reading a file failed part-way; the old index is unchanged.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The error.
        source: Error,
    },
    /// A file system operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// SQLite failed.
    #[error("{}: {source}", path.display())]
    Sqlite {
        /// The index file.
        path: PathBuf,
        /// The error.
        source: rusqlite::Error,
    },
    /// The file is not an index of this version of the SDK (or of the DLP layout it reads):
    /// build it again.
    #[error("{}: not a DLP index of this SDK ({why}); build it again", path.display())]
    NotAnIndex {
        /// The file.
        path: PathBuf,
        /// What differs.
        why: String,
    },
    /// A stored row no longer reads as a product (the index was changed by something else).
    #[error("{}: stored row of kód SÚKL {kod_sukl}: {source}", path.display())]
    Stored {
        /// The index file.
        path: PathBuf,
        /// The code looked up.
        kod_sukl: String,
        /// Why it does not read.
        source: Box<Error>,
    },
}

/// The products of one DLP edition by kód SÚKL, in a local SQLite file (see the module). Reads
/// block: from async code, call it on a blocking thread.
#[derive(Debug)]
pub struct DlpIndex {
    conn: Connection,
    path: PathBuf,
}

impl DlpIndex {
    /// Builds the index at `index_path` from the DLP files in `folder` (at least
    /// `dlp_lecivepripravky.csv`; `dlp_platnost.csv` when present), replacing an index there
    /// only when the build succeeds. One bad row fails the build (see
    /// [`DlpIndex::build_with`] to allow some).
    pub fn build(
        folder: impl AsRef<Path>,
        index_path: impl AsRef<Path>,
    ) -> Result<BuildReport, IndexError> {
        Self::build_with(folder, index_path, &BuildOptions::default())
    }

    /// As [`DlpIndex::build`], with `options`.
    pub fn build_with(
        folder: impl AsRef<Path>,
        index_path: impl AsRef<Path>,
        options: &BuildOptions,
    ) -> Result<BuildReport, IndexError> {
        let index_path = index_path.as_ref();
        let dlp = Dlp::new(folder.as_ref()).with_options(options.read.clone());
        let temp = TempFile::next_to(index_path)?;
        let report = fill(&temp.path, &dlp, options)?;
        sync(&temp.path)?;
        std::fs::rename(&temp.path, index_path).map_err(|source| IndexError::Io {
            path: index_path.to_path_buf(),
            source,
        })?;
        temp.disarm();
        if let Some(dir) = index_path.parent() {
            sync_dir(dir);
        }
        Ok(report)
    }

    /// Opens the index at `path` read-only.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, IndexError> {
        let path = path.as_ref().to_path_buf();
        if let Err(source) = std::fs::metadata(&path) {
            return Err(IndexError::Io { path, source });
        }
        let sql = |source| IndexError::Sqlite {
            path: path.clone(),
            source,
        };
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql)?;
        let not_index = |why: String| IndexError::NotAnIndex {
            path: path.clone(),
            why,
        };
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| not_index(e.to_string()))?;
        if version != VERSION {
            return Err(not_index(format!(
                "schema version {version}, this SDK writes {VERSION}"
            )));
        }
        let header: Option<String> = conn
            .query_row("SELECT value FROM dlp_meta WHERE key = 'header'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| not_index(e.to_string()))?;
        let expected = LecivyPripravek::LAYOUT.header();
        if header.as_deref() != Some(expected.as_str()) {
            return Err(not_index(
                "built for another layout of dlp_lecivepripravky.csv".to_owned(),
            ));
        }
        Ok(Self { conn, path })
    }

    /// The product with kód SÚKL `kod`, if the edition has it.
    pub fn lookup(&self, kod: &KodSukl) -> Result<Option<LecivyPripravek>, IndexError> {
        let stored: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT line, fields FROM dlp_lecivepripravky WHERE kod_sukl = ?1",
                params![kod.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|source| self.sqlite(source))?;
        let Some((line, text)) = stored else {
            return Ok(None);
        };
        let fields = Fields::from_texts(text.split(SEPARATOR));
        let row = Row::new(
            u64::try_from(line).unwrap_or(0),
            LecivyPripravek::LAYOUT,
            &fields,
        );
        LecivyPripravek::from_row(&row)
            .map(Some)
            .map_err(|source| IndexError::Stored {
                path: self.path.clone(),
                kod_sukl: kod.as_str().to_owned(),
                source: Box::new(source),
            })
    }

    /// The number of products.
    pub fn len(&self) -> Result<u64, IndexError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM dlp_lecivepripravky", [], |r| r.get(0))
            .map_err(|source| self.sqlite(source))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// `true` when the index holds no product.
    pub fn is_empty(&self) -> Result<bool, IndexError> {
        Ok(self.len()? == 0)
    }

    /// The edition's validity (`dlp_platnost.csv`), when the folder it was built from had it.
    pub fn platnost(&self) -> Result<Option<(time::Date, time::Date)>, IndexError> {
        let get = |key: &str| -> Result<Option<String>, IndexError> {
            self.conn
                .query_row(
                    "SELECT value FROM dlp_meta WHERE key = ?1",
                    params![key],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|source| self.sqlite(source))
        };
        let (Some(od), Some(dd)) = (get("platnost_od")?, get("platnost_do")?) else {
            return Ok(None);
        };
        let format = time::macros::format_description!("[year]-[month]-[day]");
        match (
            time::Date::parse(&od, format),
            time::Date::parse(&dd, format),
        ) {
            (Ok(a), Ok(b)) => Ok(Some((a, b))),
            _ => Err(IndexError::NotAnIndex {
                path: self.path.clone(),
                why: format!("validity `{od}`–`{dd}` is not two dates"),
            }),
        }
    }

    /// The index file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sqlite(&self, source: rusqlite::Error) -> IndexError {
        IndexError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }
}

/// Writes a complete index into the new file at `path`.
fn fill(path: &Path, dlp: &Dlp, options: &BuildOptions) -> Result<BuildReport, IndexError> {
    let sql = |source| IndexError::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    let mut conn = Connection::open(path).map_err(sql)?;
    // The file is renamed into place only when complete and synced, so neither a journal nor
    // syncs during the build buy anything.
    conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        .map_err(sql)?;
    conn.execute_batch(SCHEMA).map_err(sql)?;
    conn.pragma_update(None, "user_version", VERSION)
        .map_err(sql)?;
    let tx = conn.transaction().map_err(sql)?;
    let mut report = BuildReport {
        products: 0,
        rejected_rows: 0,
        rejected: Vec::new(),
        platnost: None,
    };
    let file = LecivyPripravek::LAYOUT.file;
    let source = dlp.path::<LecivyPripravek>();
    let mut reader = dlp.lecive_pripravky()?;
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO dlp_lecivepripravky (kod_sukl, line, fields) VALUES (?1, ?2, ?3)
                 ON CONFLICT (kod_sukl) DO NOTHING",
            )
            .map_err(sql)?;
        let mut first_line = tx
            .prepare("SELECT line FROM dlp_lecivepripravky WHERE kod_sukl = ?1")
            .map_err(sql)?;
        let mut joined = String::new();
        while let Some(row) = reader.next() {
            let reason = match row {
                Ok(p) => {
                    joined.clear();
                    for (i, f) in reader.fields().iter().enumerate() {
                        if i > 0 {
                            joined.push(SEPARATOR);
                        }
                        joined.push_str(f);
                    }
                    let line = reader.line();
                    let stored = insert
                        .execute(params![
                            p.kod_sukl,
                            i64::try_from(line).unwrap_or(i64::MAX),
                            joined
                        ])
                        .map_err(sql)?;
                    if stored == 1 {
                        report.products += 1;
                        continue;
                    }
                    let first: i64 = first_line
                        .query_row(params![p.kod_sukl], |r| r.get(0))
                        .map_err(sql)?;
                    Rejection::Duplicate {
                        line,
                        kod_sukl: p.kod_sukl,
                        first_line: u64::try_from(first).unwrap_or(0),
                    }
                }
                Err(e @ Error::Io { .. }) => {
                    return Err(IndexError::Read {
                        path: source,
                        source: e,
                    });
                }
                Err(e) => Rejection::Row(e),
            };
            report.rejected_rows += 1;
            if report.rejected.len() < BuildReport::KEPT {
                report.rejected.push(Rejected { file, reason });
            }
        }
    }
    if report.rejected_rows > options.max_rejected as u64 {
        return Err(IndexError::TooManyRejected {
            rejected_rows: report.rejected_rows,
            allowed: options.max_rejected,
            first: report.rejected,
        });
    }
    let platnost_path = dlp.path::<Platnost>();
    if platnost_path.exists() {
        let mut reader = dlp.read::<Platnost>()?;
        match reader.next() {
            Some(Ok(p)) => {
                let meta = "INSERT INTO dlp_meta (key, value) VALUES (?1, ?2)";
                tx.execute(meta, params!["platnost_od", p.platnost_od.to_string()])
                    .map_err(sql)?;
                tx.execute(meta, params!["platnost_do", p.platnost_do.to_string()])
                    .map_err(sql)?;
                report.platnost = Some((p.platnost_od, p.platnost_do));
            }
            Some(Err(e)) => {
                return Err(IndexError::Read {
                    path: platnost_path,
                    source: e,
                });
            }
            None => {}
        }
    }
    tx.execute(
        "INSERT INTO dlp_meta (key, value) VALUES ('header', ?1)",
        params![LecivyPripravek::LAYOUT.header()],
    )
    .map_err(sql)?;
    tx.commit().map_err(sql)?;
    conn.close().map_err(|(_, e)| sql(e))?;
    Ok(report)
}

/// Flushes a file to disk.
fn sync(path: &Path) -> Result<(), IndexError> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|source| IndexError::Io {
            path: path.to_path_buf(),
            source,
        })
}

/// Flushes a folder's entries (the rename) to disk, where the platform allows it.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = std::fs::File::open(dir) {
            // Best effort: the index is complete either way; this only orders the rename
            // before a power cut.
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The new index while it is built: removed unless it was renamed into place.
struct TempFile {
    path: PathBuf,
    armed: bool,
}

impl TempFile {
    fn next_to(index: &Path) -> Result<Self, IndexError> {
        let name = index
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| IndexError::Io {
                path: index.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "the index path names no file",
                ),
            })?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = index.with_file_name(format!(".{name}.building-{}-{nanos}", std::process::id()));
        Ok(Self { path, armed: true })
    }

    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.armed {
            // Nothing to report if it never came to exist.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
