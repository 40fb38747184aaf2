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
    /// Target namespace → URL of the inline schema declaring it.
    by_namespace: BTreeMap<String, Url>,
}

impl VirtualResolver {
    /// Registers an inline schema and returns the URL it is served under.
    pub(super) fn add(&mut self, wsdl: &Path, index: usize, text: String) -> Result<Url, Error> {
        let canonical = wsdl.canonicalize().map_err(|e| Error::io(wsdl, e))?;
        // A distinct virtual file per inline schema, beside the WSDL so that relative locations
        // resolve as they would from the WSDL (xsd-parser identifies documents by URL, ignoring
        // fragments, so `#types-1` would be taken for `#types-0`).
        let name = canonical
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("service.wsdl");
        let virtual_path = canonical.with_file_name(format!("{name}.types-{index}.xsd"));
        let url = Url::from_file_path(&virtual_path)
            .map_err(|()| Error::spec(wsdl, "path cannot be a URL".to_owned()))?;
        if let Ok(root) = sdk_runtime::xml::parse_str(&text)
            && let Some(tns) = root.attribute("", "targetNamespace")
        {
            self.by_namespace
                .entry(tns.to_owned())
                .or_insert_with(|| url.clone());
        }
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
            let name = url
                .path_segments()
                .and_then(|mut s| s.next_back())
                .map(str::to_owned);
            let text = self.link_imports(text, &url);
            return Ok(Some((name, url, Cursor::new(text.into_bytes()))));
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
        let bytes = match sdk_runtime::xml::decode(&bytes) {
            Ok(text) => self.link_imports(&text, &url).into_bytes(),
            Err(_) => bytes,
        };
        Ok(Some((name, url, Cursor::new(bytes))))
    }
}

impl VirtualResolver {
    /// Gives every `xs:import` without `schemaLocation` the URL of the inline WSDL schema with
    /// that namespace: xsd-parser only searches schemas it reached through a location.
    fn link_imports(&self, text: &str, own: &Url) -> String {
        let linked =
            crate::wsdl::rewrite_schema_refs::<std::convert::Infallible>(text, |e, tag| {
                Ok(crate::wsdl::link_import(e, tag, |ns| {
                    self.by_namespace
                        .get(ns)
                        .filter(|url| *url != own)
                        .map(Url::to_string)
                }))
            });
        match linked {
            Ok(t) => t,
            Err(never) => match never {},
        }
    }
}
