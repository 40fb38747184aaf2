//! Locating stage: where a document a spec refers to lives on disk. Used by every front end
//! (WSDL imports, XSD imports and includes, OpenAPI `$ref`s across files) and by the
//! conformance run's discovery, so that all of them find the same file for the same reference.
//!
//! * **Never the network.** A reference by `http://`/`https://` URL is looked up in the
//!   [`Locations`]: OASIS XML catalogs (`uri`, `system`, `rewriteURI`, `rewriteSystem`,
//!   `uriSuffix`, `systemSuffix`, `nextCatalog`, `group`, `xml:base`; the entries xmllint and
//!   wsdl2java read), a simple URL → file mapping (`[locations]` in `codegen.toml`; a URL ending
//!   in `/` maps a prefix onto a folder), and last the few W3C schemas that are fixed for good
//!   and written by us into the generator ([`BUILTIN`]). A URL none of them knows is refused,
//!   naming the URL and how to map it.
//! * **Names differing only in case.** Specs written on Windows include `basisschema.xsd`
//!   where the file is `Basisschema.xsd`. A path that does not exist is matched component by
//!   component against its folder ignoring case: one match is used, with a warning naming both
//!   ([`Locations::warnings`]); several matches fail, naming them all.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::Error;

/// Namespace of OASIS XML catalogs (1.1).
pub const CATALOG_NS: &str = "urn:oasis:names:tc:entity:xmlns:xml:catalog";

/// Namespace of `xml:base`.
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Schemas the generator carries itself, by the URL specs import them from: documents fixed by
/// the W3C for good, written for this project from their recommendations (not copied).
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "http://www.w3.org/2001/xml.xsd",
        include_str!("w3c-xml.xsd"),
    ),
    (
        "http://www.w3.org/2001/03/xml.xsd",
        include_str!("w3c-xml.xsd"),
    ),
    (
        "https://www.w3.org/2001/xml.xsd",
        include_str!("w3c-xml.xsd"),
    ),
];

/// Where a referenced document was found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Located {
    /// A file on disk.
    File(PathBuf),
    /// A schema the generator carries ([`BUILTIN`]), served under its URL.
    Builtin {
        /// The URL it was asked for.
        url: String,
        /// Its text.
        text: &'static str,
    },
}

/// One rule of a catalog or mapping.
#[derive(Debug, Clone)]
enum Rule {
    /// The exact URL (or system id) → a file.
    Exact(String, PathBuf),
    /// URLs starting with the prefix → the folder (or file prefix) with the rest appended.
    Prefix(String, PathBuf),
    /// URLs ending with the suffix → a file.
    Suffix(String, PathBuf),
}

/// Catalogs, mappings and the case-insensitive file lookup; see the module docs.
///
/// Clones share their warnings, so that a copy handed to a parser reports into the original.
#[derive(Debug, Default, Clone)]
pub struct Locations {
    rules: Vec<Rule>,
    /// Catalog files already read (a `nextCatalog` cycle reads each once).
    catalogs: BTreeSet<PathBuf>,
    warnings: Arc<Mutex<Vec<String>>>,
    /// Paths that did not exist → the file differing only in case that was used instead.
    case_fixes: Arc<Mutex<Vec<(PathBuf, PathBuf)>>>,
}

impl Locations {
    /// No catalog and no mapping: only files and the [`BUILTIN`] schemas.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the rules of an OASIS XML catalog file (and of the catalogs it chains to).
    pub fn add_catalog(&mut self, path: &Path) -> Result<(), Error> {
        let canonical = path.canonicalize().map_err(|e| Error::io(path, e))?;
        if !self.catalogs.insert(canonical.clone()) {
            return Ok(());
        }
        let root = crate::xsd::read_spec_file(&canonical)?;
        if !root.is(CATALOG_NS, "catalog") {
            return Err(Error::spec(
                path,
                format!(
                    "not an OASIS XML catalog: root is {{{}}}{} (expected {{{CATALOG_NS}}}catalog)",
                    root.namespace(),
                    root.local_name()
                ),
            ));
        }
        let base = canonical.parent().unwrap_or(Path::new("/")).to_path_buf();
        let mut next = Vec::new();
        self.read_entries(path, &root, &base, &mut next)?;
        for n in next {
            self.add_catalog(&n)?;
        }
        Ok(())
    }

    fn read_entries(
        &mut self,
        file: &Path,
        e: &sdk_runtime::xml::Element,
        base: &Path,
        next: &mut Vec<PathBuf>,
    ) -> Result<(), Error> {
        for c in e.child_elements() {
            if c.namespace() != CATALOG_NS {
                continue;
            }
            let base = match c.attribute(XML_NS, "base") {
                Some(b) => local_target(file, base, b)?,
                None => base.to_path_buf(),
            };
            let attr = |name: &str| {
                c.attribute("", name).ok_or_else(|| {
                    Error::spec(
                        file,
                        format!("catalog entry <{}> has no `{name}`", c.local_name()),
                    )
                })
            };
            match c.local_name() {
                "group" => self.read_entries(file, c, &base, next)?,
                "uri" => {
                    let target = local_target(file, &base, attr("uri")?)?;
                    self.rules
                        .push(Rule::Exact(attr("name")?.to_owned(), target));
                }
                "system" => {
                    let target = local_target(file, &base, attr("uri")?)?;
                    self.rules
                        .push(Rule::Exact(attr("systemId")?.to_owned(), target));
                }
                "rewriteURI" | "rewriteSystem" => {
                    let key = if c.local_name() == "rewriteURI" {
                        "uriStartString"
                    } else {
                        "systemIdStartString"
                    };
                    let target = local_target(file, &base, attr("rewritePrefix")?)?;
                    self.rules.push(Rule::Prefix(attr(key)?.to_owned(), target));
                }
                "uriSuffix" | "systemSuffix" => {
                    let key = if c.local_name() == "uriSuffix" {
                        "uriSuffix"
                    } else {
                        "systemIdSuffix"
                    };
                    let target = local_target(file, &base, attr("uri")?)?;
                    self.rules.push(Rule::Suffix(attr(key)?.to_owned(), target));
                }
                "nextCatalog" => next.push(local_target(file, &base, attr("catalog")?)?),
                // `public`, `delegate*`, `rewriteSystem` for DTDs …: nothing a schema or
                // OpenAPI reference resolves through.
                _ => {}
            }
        }
        Ok(())
    }

    /// Maps `url` (exactly, or every URL under it when it ends in `/`) onto `target`.
    pub fn add_mapping(&mut self, url: &str, target: PathBuf) {
        if url.ends_with('/') {
            let mut folder = target.into_os_string();
            if !folder.to_string_lossy().ends_with('/') {
                folder.push("/");
            }
            self.rules
                .push(Rule::Prefix(url.to_owned(), PathBuf::from(folder)));
        } else {
            self.rules.push(Rule::Exact(url.to_owned(), target));
        }
    }

    /// Where the document at `url` (an absolute URL other than `file:`) is, without network:
    /// exact entries first, then the longest matching prefix, then the longest suffix (the
    /// order of the OASIS specification), then the built-in schemas.
    pub fn resolve_url(&self, url: &str) -> Result<Located, Error> {
        let key = url.split('#').next().unwrap_or(url);
        for r in &self.rules {
            if let Rule::Exact(k, p) = r
                && k == key
            {
                return Ok(Located::File(self.find_file(p)?));
            }
        }
        let best = |rules: &mut dyn Iterator<Item = (&String, &PathBuf)>| {
            rules
                .max_by_key(|(k, _)| k.len())
                .map(|(k, p)| (k.clone(), p.clone()))
        };
        let prefix = best(&mut self.rules.iter().filter_map(|r| match r {
            Rule::Prefix(k, p) if key.starts_with(k.as_str()) => Some((k, p)),
            _ => None,
        }));
        if let Some((k, p)) = prefix {
            // A plain string prefix, as `rewritePrefix` is (folders keep their `/`).
            let mut target = p.into_os_string();
            target.push(&key[k.len()..]);
            let target = PathBuf::from(target);
            return Ok(Located::File(self.find_file(&target)?));
        }
        let suffix = best(&mut self.rules.iter().filter_map(|r| match r {
            Rule::Suffix(k, p) if key.ends_with(k.as_str()) => Some((k, p)),
            _ => None,
        }));
        if let Some((_, p)) = suffix {
            return Ok(Located::File(self.find_file(&p)?));
        }
        if let Some((_, text)) = BUILTIN.iter().find(|(u, _)| *u == key) {
            return Ok(Located::Builtin {
                url: key.to_owned(),
                text,
            });
        }
        Err(Error::Locate(format!(
            "refusing to fetch `{key}`: specs are read from local files only; map the URL to a \
             file with an OASIS XML catalog or a `[locations]` entry in codegen.toml \
             (`cargo xtask conformance --catalog FILE` in a conformance run)"
        )))
    }

    /// Resolves `reference` (a relative or absolute path, a `file:` URL or another URL) made
    /// in `base_file`.
    pub fn locate(&self, base_file: &Path, reference: &str) -> Result<Located, Error> {
        let reference = reference.split('#').next().unwrap_or(reference);
        if let Some(rest) = reference.strip_prefix("file://") {
            return Ok(Located::File(
                self.find_file(Path::new(&percent_decode(rest)))?,
            ));
        }
        if is_url(reference) {
            return self.resolve_url(reference);
        }
        let p = Path::new(reference);
        let joined = if p.is_absolute() {
            p.to_path_buf()
        } else {
            base_file.parent().unwrap_or(Path::new(".")).join(p)
        };
        Ok(Located::File(self.find_file(&joined)?))
    }

    /// `path` itself when it exists; otherwise the one file whose path differs from it only in
    /// the case of its names (with a warning naming both); an error when none or several do.
    pub fn find_file(&self, path: &Path) -> Result<PathBuf, Error> {
        if path.exists() {
            return Ok(path.to_path_buf());
        }
        let missing = || {
            Error::io(
                path,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            )
        };
        let mut found = PathBuf::new();
        let mut changed = false;
        for c in path.components() {
            match c {
                Component::Normal(name) => {
                    let candidate = found.join(name);
                    if candidate.exists() {
                        found = candidate;
                        continue;
                    }
                    let dir = if found.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        found.as_path()
                    };
                    let wanted = name.to_string_lossy().to_lowercase();
                    let mut matches: Vec<PathBuf> = std::fs::read_dir(dir)
                        .map_err(|_| missing())?
                        .filter_map(Result::ok)
                        .filter(|e| e.file_name().to_string_lossy().to_lowercase() == wanted)
                        .map(|e| found.join(e.file_name()))
                        .collect();
                    matches.sort();
                    match matches.len() {
                        0 => return Err(missing()),
                        1 => {
                            changed = true;
                            found = matches.swap_remove(0);
                        }
                        _ => {
                            return Err(Error::Locate(format!(
                                "{}: no such file, and several differ from it only in case: {}",
                                path.display(),
                                matches
                                    .iter()
                                    .map(|m| m.display().to_string())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )));
                        }
                    }
                }
                other => found.push(other.as_os_str()),
            }
        }
        if changed {
            // Shown absolute, so that the same guess made from two places is one warning.
            let found = found.canonicalize().unwrap_or_else(|_| found.clone());
            let asked = match (found.parent(), path.file_name()) {
                (Some(dir), Some(name))
                    if path
                        .parent()
                        .and_then(|p| p.canonicalize().ok())
                        .is_some_and(|p| p == dir) =>
                {
                    dir.join(name)
                }
                _ => path.to_path_buf(),
            };
            let path = asked.as_path();
            if let Ok(mut fixes) = self.case_fixes.lock()
                && !fixes.iter().any(|(p, _)| p == path)
            {
                fixes.push((path.to_path_buf(), found.clone()));
            }
            self.warn(format!(
                "{} does not exist; using {}, whose name differs only in case",
                path.display(),
                found.display()
            ));
            return Ok(found);
        }
        Ok(found)
    }

    /// Writes these locations as one OASIS XML catalog in `dir` (the built-in schemas as files
    /// beside it), for an external validator (`XML_CATALOG_FILES=… xmllint --nonet`) to
    /// resolve exactly what the generator resolved. Returns the catalog's path.
    pub fn write_catalog(&self, dir: &Path) -> Result<PathBuf, Error> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let esc = sdk_runtime::xml::escape_attr;
        let file_url = |p: &Path| {
            let abs = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
            let mut u = format!("file://{}", abs.display());
            if p.to_string_lossy().ends_with('/') && !u.ends_with('/') {
                u.push('/');
            }
            u
        };
        let mut out = format!(
            "<?xml version=\"1.0\"?>\n<!-- Written by sdk-codegen: what the generator resolved. -->\n<catalog xmlns=\"{CATALOG_NS}\">\n"
        );
        for r in &self.rules {
            let line = match r {
                Rule::Exact(k, p) => format!(
                    "  <uri name=\"{0}\" uri=\"{1}\"/>\n  <system systemId=\"{0}\" uri=\"{1}\"/>\n",
                    esc(k),
                    esc(&file_url(p))
                ),
                Rule::Prefix(k, p) => format!(
                    "  <rewriteURI uriStartString=\"{0}\" rewritePrefix=\"{1}\"/>\n  <rewriteSystem systemIdStartString=\"{0}\" rewritePrefix=\"{1}\"/>\n",
                    esc(k),
                    esc(&file_url(p))
                ),
                Rule::Suffix(k, p) => format!(
                    "  <uriSuffix uriSuffix=\"{0}\" uri=\"{1}\"/>\n  <systemSuffix systemIdSuffix=\"{0}\" uri=\"{1}\"/>\n",
                    esc(k),
                    esc(&file_url(p))
                ),
            };
            out.push_str(&line);
        }
        let fixes = self
            .case_fixes
            .lock()
            .map(|f| f.clone())
            .unwrap_or_default();
        for (wrong, found) in fixes {
            let target = esc(&file_url(&found));
            let wrong = wrong.display().to_string();
            out.push_str(&format!(
                "  <system systemId=\"{0}\" uri=\"{1}\"/>\n  <system systemId=\"file://{0}\" uri=\"{1}\"/>\n  <uri name=\"file://{0}\" uri=\"{1}\"/>\n",
                esc(&wrong),
                target
            ));
        }
        for (i, (url, text)) in BUILTIN.iter().enumerate() {
            let file = dir.join(format!("builtin-{i}.xsd"));
            std::fs::write(&file, text).map_err(|e| Error::io(&file, e))?;
            out.push_str(&format!(
                "  <uri name=\"{0}\" uri=\"{1}\"/>\n  <system systemId=\"{0}\" uri=\"{1}\"/>\n",
                esc(url),
                esc(&file_url(&file))
            ));
        }
        out.push_str("</catalog>\n");
        let path = dir.join("catalog.xml");
        std::fs::write(&path, out).map_err(|e| Error::io(&path, e))?;
        Ok(path)
    }

    /// Records a warning (shown by the caller, e.g. `cargo xtask regen`).
    pub fn warn(&self, message: String) {
        if let Ok(mut w) = self.warnings.lock()
            && !w.contains(&message)
        {
            w.push(message);
        }
    }

    /// The warnings recorded so far, in order, each once.
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.lock().map(|w| w.clone()).unwrap_or_default()
    }
}

/// `true` for an absolute URL with a scheme of two letters or more (`C:` is a drive).
pub fn is_url(s: &str) -> bool {
    match s.split_once("://") {
        Some((scheme, _)) => {
            scheme.len() > 1
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => s.starts_with("urn:"),
    }
}

/// A catalog's target (`uri`, `rewritePrefix`, `catalog`, `xml:base`): a relative path or a
/// `file:` URL, resolved against the entry's base folder. Another scheme would mean fetching.
fn local_target(file: &Path, base: &Path, target: &str) -> Result<PathBuf, Error> {
    if let Some(rest) = target.strip_prefix("file://") {
        return Ok(PathBuf::from(percent_decode(rest)));
    }
    if is_url(target) {
        return Err(Error::spec(
            file,
            format!("catalog target `{target}` is not a local file"),
        ));
    }
    let decoded = percent_decode(target);
    let p = Path::new(&decoded);
    Ok(if p.is_absolute() {
        p.to_path_buf()
    } else {
        let mut s = base.join(p).into_os_string();
        // `rewritePrefix="dir/"` keeps its slash.
        if target.ends_with('/') && !s.to_string_lossy().ends_with('/') {
            s.push("/");
        }
        PathBuf::from(s)
    })
}

/// `%20` → ` ` in a path taken from a URL.
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(h, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_drives() {
        assert!(is_url("http://www.w3.org/2001/xml.xsd"));
        assert!(is_url("urn:x"));
        assert!(!is_url("C://x"));
        assert!(!is_url("../a.xsd"));
    }

    #[test]
    fn builtin_xml_schema_is_found_and_others_are_refused() {
        let l = Locations::new();
        assert!(matches!(
            l.resolve_url("http://www.w3.org/2001/xml.xsd"),
            Ok(Located::Builtin { .. })
        ));
        let err = l
            .resolve_url("http://example.org/x.xsd")
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("refusing to fetch `http://example.org/x.xsd`")));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b/c"), "a b/c");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
