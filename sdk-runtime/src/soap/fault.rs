//! SOAP faults: read from either protocol version, written by sandbox servers.

use std::fmt;

use bytes::Bytes;

use super::envelope::{Envelope, SoapVersion};
use crate::xml::{Element, ElementRef, XmlWriter};

/// A namespace-qualified fault code such as `{http://schemas.xmlsoap.org/soap/envelope/}Client`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct FaultCode {
    /// Namespace the code's prefix was bound to (empty if it had none or it was unbound).
    pub ns: String,
    /// Local part of the code, e.g. `Client`, `Server`, `Sender`, `Receiver`.
    pub local: String,
}

impl FaultCode {
    /// A fault code.
    pub fn new(ns: impl Into<String>, local: impl Into<String>) -> Self {
        Self {
            ns: ns.into(),
            local: local.into(),
        }
    }
}

impl fmt::Display for FaultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ns.is_empty() {
            f.write_str(&self.local)
        } else {
            write!(f, "{{{}}}{}", self.ns, self.local)
        }
    }
}

/// A SOAP fault as received: code, message, actor, detail, and the raw response bytes.
#[derive(Clone)]
#[non_exhaustive]
pub struct SoapFault {
    /// Protocol version of the envelope that carried the fault.
    pub version: SoapVersion,
    /// `faultcode` (1.1) or `Code/Value` (1.2).
    pub code: FaultCode,
    /// SOAP 1.2 `Subcode/Value` chain, outermost first. Empty for SOAP 1.1.
    pub subcodes: Vec<FaultCode>,
    /// `faultstring` (1.1) or the first `Reason/Text` (1.2): the server's words.
    pub message: String,
    /// `faultactor` (1.1) or `Role` (1.2).
    pub actor: Option<String>,
    /// The `detail` / `Detail` element, if any.
    pub detail: Option<Element>,
    /// HTTP status the fault came with (500 for a conforming server).
    pub http_status: u16,
    /// The whole response as received.
    pub raw: Bytes,
}

impl fmt::Debug for SoapFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The detail and raw bytes may echo personal data from the request; they stay out.
        f.debug_struct("SoapFault")
            .field("version", &self.version)
            .field("code", &self.code)
            .field("subcodes", &self.subcodes)
            .field("message", &self.message)
            .field("actor", &self.actor)
            .field("has_detail", &self.detail.is_some())
            .field("http_status", &self.http_status)
            .field("raw_len", &self.raw.len())
            .finish()
    }
}

impl fmt::Display for SoapFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SOAP fault {}", self.code.local)?;
        for s in &self.subcodes {
            write!(f, "/{}", s.local)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for SoapFault {}

impl SoapFault {
    /// Reads the fault of a parsed envelope, if its body is one.
    pub fn from_envelope(env: &Envelope, http_status: u16, raw: Bytes) -> Option<Self> {
        let fault = env.fault_element()?;
        let scopes = [env.root(), env.body(), fault];
        // Fault children are unqualified in SOAP 1.1 and qualified in 1.2; servers get this wrong
        // both ways, so children are matched by local name.
        let text = |e: Option<ElementRef<'_>>| e.map(|e| e.deep_text().trim().to_owned());
        Some(match env.version {
            SoapVersion::V11 => {
                let code_el = child(fault, "faultcode");
                let code = code_el
                    .map(|c| resolve_qname(c.text().trim(), &scopes, c))
                    .unwrap_or_else(|| FaultCode::new("", ""));
                Self {
                    version: env.version,
                    code,
                    subcodes: Vec::new(),
                    message: text(child(fault, "faultstring")).unwrap_or_default(),
                    actor: text(child(fault, "faultactor")),
                    detail: child(fault, "detail").map(|d| d.to_element()),
                    http_status,
                    raw,
                }
            }
            SoapVersion::V12 => {
                let mut code = FaultCode::new("", "");
                let mut subcodes = Vec::new();
                let mut level = child(fault, "Code");
                let mut first = true;
                while let Some(c) = level {
                    if let Some(v) = child(c, "Value") {
                        let q = resolve_qname(v.text().trim(), &scopes, v);
                        if first {
                            code = q;
                        } else {
                            subcodes.push(q);
                        }
                    }
                    first = false;
                    level = child(c, "Subcode");
                }
                let message = child(fault, "Reason")
                    .and_then(|r| child(r, "Text"))
                    .map(|t| t.text().trim().to_owned())
                    .unwrap_or_default();
                Self {
                    version: env.version,
                    code,
                    subcodes,
                    message,
                    actor: text(child(fault, "Role")),
                    detail: child(fault, "Detail").map(|d| d.to_element()),
                    http_status,
                    raw,
                }
            }
        })
    }

    /// `true` for faults blaming the request (`Client` in 1.1, `Sender` in 1.2).
    pub fn is_client_fault(&self) -> bool {
        matches!(self.code.local.as_str(), "Client" | "Sender")
    }

    /// The first element inside the detail, which typed faults are declared by.
    pub fn detail_entry(&self) -> Option<&Element> {
        self.detail.as_ref().and_then(|d| d.child_elements().next())
    }

    /// The detail as XML text.
    pub fn detail_xml(&self) -> Option<String> {
        self.detail.as_ref().map(Element::to_xml)
    }
}

fn child<'d>(e: ElementRef<'d>, name: &str) -> Option<ElementRef<'d>> {
    e.child_elements().find(|c| c.local_name() == name)
}

/// Resolves `prefix:local` against the declarations of an element and its ancestors.
fn resolve_qname(text: &str, ancestors: &[ElementRef<'_>], at: ElementRef<'_>) -> FaultCode {
    let (prefix, local) = match text.split_once(':') {
        Some((p, l)) => (p, l),
        None => ("", text),
    };
    let found = std::iter::once(at)
        .chain(ancestors.iter().rev().copied())
        .flat_map(|e| e.namespace_declarations())
        .find(|(p, _)| *p == prefix)
        .map(|(_, ns)| ns.to_owned());
    FaultCode::new(found.unwrap_or_default(), local)
}

/// Writes a fault envelope (for sandbox servers). `detail` is copied into `detail`/`Detail`.
pub fn write_fault(
    version: SoapVersion,
    client_fault: bool,
    message: &str,
    detail: Option<&Element>,
) -> String {
    match detail {
        Some(d) => fault_envelope(version, client_fault, message, Some(&|w| w.element(d))),
        None => fault_envelope(version, client_fault, message, None),
    }
}

/// Writes a fault envelope whose detail is the element `name` with the typed `content` (a
/// fault the service description declares, written by its generated type).
pub fn write_fault_detail<T: crate::xml::XmlWrite + ?Sized>(
    version: SoapVersion,
    client_fault: bool,
    message: &str,
    name: crate::xml::ElementName,
    content: &T,
) -> String {
    let write = |w: &mut XmlWriter| {
        w.start_for(name.ns, name.local, content);
        content.write_xml(w);
        w.end();
    };
    fault_envelope(version, client_fault, message, Some(&write))
}

fn fault_envelope(
    version: SoapVersion,
    client_fault: bool,
    message: &str,
    detail: Option<&dyn Fn(&mut XmlWriter)>,
) -> String {
    let env = version.namespace();
    let mut w = XmlWriter::new();
    w.declaration();
    w.start_prefixed("soap", env, "Envelope");
    w.start_prefixed("soap", env, "Body");
    w.start_prefixed("soap", env, "Fault");
    match version {
        SoapVersion::V11 => {
            w.leaf(
                "",
                "faultcode",
                if client_fault {
                    "soap:Client"
                } else {
                    "soap:Server"
                },
            );
            w.leaf("", "faultstring", message);
            if let Some(d) = detail {
                w.start("", "detail");
                d(&mut w);
                w.end();
            }
        }
        SoapVersion::V12 => {
            w.start_prefixed("soap", env, "Code");
            w.start_prefixed("soap", env, "Value");
            w.text(if client_fault {
                "soap:Sender"
            } else {
                "soap:Receiver"
            });
            w.end();
            w.end();
            w.start_prefixed("soap", env, "Reason");
            w.start_prefixed("soap", env, "Text");
            w.attr("http://www.w3.org/XML/1998/namespace", "lang", "en");
            w.text(message);
            w.end();
            w.end();
            if let Some(d) = detail {
                w.start_prefixed("soap", env, "Detail");
                d(&mut w);
                w.end();
            }
        }
    }
    w.finish()
}

/// The fault's detail entry decoded as `T` when it is the element `name` (a fault the service
/// description declares); `None` for any other detail or one that does not decode.
pub fn decode_detail<T: crate::xml::XmlRead>(
    fault: &SoapFault,
    name: crate::xml::ElementName,
) -> Option<T> {
    let entry = fault.detail_entry()?;
    if !entry.is(name.ns, name.local) {
        return None;
    }
    let doc = crate::xml::Document::from_element(entry);
    crate::xml::ReadContext::new()
        .complex_value(doc.root())
        .ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::soap::SOAP11_NS;

    /// A typed detail, written by `write_fault_detail` as it would be copied by `write_fault`.
    struct Kod(&'static str);

    impl crate::xml::XmlWrite for Kod {
        fn write_xml(&self, w: &mut XmlWriter) {
            w.leaf("urn:e", "kod", self.0);
        }
    }

    #[test]
    fn typed_detail_is_written_as_the_element_it_names() {
        for version in [SoapVersion::V11, SoapVersion::V12] {
            let name = crate::xml::ElementName::new("urn:e", "err");
            let body = write_fault_detail(version, true, "Bad <input>", name, &Kod("E003"));
            let env = Envelope::parse(body.as_bytes()).unwrap();
            let f = SoapFault::from_envelope(&env, 500, Bytes::from(body.clone())).unwrap();
            assert!(f.is_client_fault(), "{body}");
            assert_eq!(f.message, "Bad <input>");
            let entry = f.detail_entry().unwrap();
            assert!(entry.is("urn:e", "err"), "{body}");
            let kod = entry.child_elements().next().unwrap();
            assert!(kod.is("urn:e", "kod") && kod.text() == "E003", "{body}");
        }
    }

    #[test]
    fn soap11_fault_with_server_chosen_prefixes() {
        let raw = br#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode><faultstring>Bad input</faultstring><detail><e:err xmlns:e="urn:e">x</e:err></detail></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>"#;
        let env = Envelope::parse(raw).unwrap();
        let f = SoapFault::from_envelope(&env, 500, Bytes::from_static(raw)).unwrap();
        assert_eq!(f.code, FaultCode::new(SOAP11_NS, "Client"));
        assert!(f.is_client_fault());
        assert_eq!(f.message, "Bad input");
        assert!(f.detail_entry().unwrap().is("urn:e", "err"));
        assert_eq!(f.raw.len(), raw.len());
    }

    #[test]
    fn written_faults_read_back_in_both_versions() {
        for version in [SoapVersion::V11, SoapVersion::V12] {
            let mut d = Element::new("urn:d", "why");
            d.push_text("because");
            let xml = write_fault(version, true, "nope", Some(&d));
            let env = Envelope::parse(xml.as_bytes()).unwrap();
            let f = SoapFault::from_envelope(&env, 500, Bytes::from(xml)).unwrap();
            assert!(f.is_client_fault(), "{version:?}");
            assert_eq!(f.message, "nope");
            assert_eq!(f.detail_entry().unwrap().text(), "because");
        }
    }
}
