//! Serves inline WSDL schemas to xsd-parser as if they were files next to the WSDL, so that their
//! relative `schemaLocation`s resolve against the WSDL's folder; everything else is read from disk.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use url::Url;
use xsd_parser::pipeline::parser::resolver::{ResolveRequest, ResolveResult, Resolver};

use crate::Error;

#[derive(Debug, Default)]
pub(super) struct VirtualResolver {
    documents: BTreeMap<String, String>,
}

impl VirtualResolver {
    /// Registers an inline schema and returns the URL it is served under.
    pub(super) fn add(&mut self, wsdl: &Path, index: usize, text: String) -> Result<Url, Error> {
        let canonical = wsdl.canonicalize().map_err(|e| Error::io(wsdl, e))?;
        let mut url = Url::from_file_path(&canonical)
            .map_err(|()| Error::spec(wsdl, "path cannot be a URL".to_owned()))?;
        // A distinct document per inline schema; joining relative locations drops the fragment.
        url.set_fragment(Some(&format!("types-{index}")));
        self.documents.insert(url.to_string(), text);
        Ok(url)
    }
}

impl Resolver for VirtualResolver {
    type Buffer = Cursor<Vec<u8>>;
    type Error = std::io::Error;

    fn resolve(&mut self, req: &ResolveRequest) -> ResolveResult<Self> {
        let url = match &req.current_location {
            Some(current) => current.join(&req.requested_location),
            None => Url::parse(&req.requested_location),
        };
        let Ok(url) = url else {
            return Ok(None);
        };
        if let Some(text) = self.documents.get(url.as_str()) {
            let name = url.fragment().map(str::to_owned);
            return Ok(Some((name, url, Cursor::new(text.clone().into_bytes()))));
        }
        if url.scheme() != "file" {
            // No network: every spec must be on disk, so a build is reproducible.
            return Err(std::io::Error::other(format!(
                "refusing to fetch `{url}`: schemas must be local files"
            )));
        }
        let Ok(path) = url.to_file_path() else {
            return Ok(None);
        };
        let bytes = std::fs::read(&path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        let name = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned);
        Ok(Some((name, url, Cursor::new(bytes))))
    }
}
