//! The document parser resolves namespaces itself (on quick-xml's plain reader): it must give
//! every element and attribute the namespace quick-xml's `NsReader` gives, and refuse what it
//! refuses for namespace reasons, on every XML file of `../shared` (specs, samples, seeds), on
//! the fuzz seeds, on hand-picked edge cases and on generated documents full of declarations.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use quick_xml::events::Event;
use quick_xml::name::{QName, ResolveResult};
use quick_xml::reader::NsReader;
use sdk_runtime::xml::{Document, ElementRef};

/// What a reader saw of one element, in document order.
#[derive(Debug, PartialEq)]
struct Seen {
    ns: String,
    local: String,
    prefix: Option<String>,
    /// (namespace, local name, value), declarations left out.
    attributes: Vec<(String, String, String)>,
    xsi_type: Option<(String, String)>,
}

/// What quick-xml's `NsReader` resolves; `Err` when it refuses the document (`namespace`:
/// for a namespace reason), `None` when a declared name holds a reference (which the parser
/// resolves and `NsReader` does not).
fn ns_reader(text: &str) -> Option<Result<Vec<Seen>, (bool, String)>> {
    let mut reader = NsReader::from_str(text);
    let mut out = Vec::new();
    loop {
        let event = match reader.read_resolved_event() {
            Ok((_, event)) => event,
            Err(e) => {
                let namespace = matches!(e, quick_xml::Error::Namespace(_));
                return Some(Err((namespace, e.to_string())));
            }
        };
        let start = match event {
            Event::Start(s) | Event::Empty(s) => s,
            Event::Eof => return Some(Ok(out)),
            _ => continue,
        };
        let resolver = reader.resolver();
        let (ns, local) = resolver.resolve_element(start.name());
        let ns = match ns {
            ResolveResult::Bound(ns) => ns.0.to_owned(),
            ResolveResult::Unbound => String::new(),
            ResolveResult::Unknown(p) => return Some(Err((true, format!("unknown prefix {p}")))),
        };
        let name = start.name();
        let mut seen = Seen {
            ns,
            local: local.as_ref().to_owned(),
            prefix: name.prefix().map(|p| p.as_ref().to_owned()),
            attributes: Vec::new(),
            xsi_type: None,
        };
        for attr in start.attributes() {
            let Ok(attr) = attr else {
                return Some(Err((false, "attribute".to_owned())));
            };
            if attr.key.as_namespace_binding().is_some() {
                if attr.value.contains(['&']) {
                    return None;
                }
                continue;
            }
            let Ok(value) = attr.normalized_value(quick_xml::XmlVersion::Implicit1_0) else {
                return Some(Err((false, "attribute value".to_owned())));
            };
            let (ns, local) = resolver.resolve_attribute(attr.key);
            let ns = match ns {
                ResolveResult::Bound(ns) => ns.0.to_owned(),
                ResolveResult::Unbound => String::new(),
                ResolveResult::Unknown(p) => {
                    return Some(Err((true, format!("unknown prefix {p}"))));
                }
            };
            if ns == sdk_runtime::xml::XSI_NS && local.as_ref() == "type" {
                let (type_ns, type_local) = resolver.resolve_element(QName(value.trim()));
                let type_ns = match type_ns {
                    ResolveResult::Bound(ns) => ns.0.to_owned(),
                    _ => String::new(),
                };
                seen.xsi_type = Some((type_ns, type_local.as_ref().to_owned()));
            }
            seen.attributes
                .push((ns, local.as_ref().to_owned(), value.into_owned()));
        }
        out.push(seen);
    }
}

fn walk(e: ElementRef<'_>, out: &mut Vec<Seen>) {
    out.push(Seen {
        ns: e.namespace().to_owned(),
        local: e.local_name().to_owned(),
        prefix: e.prefix().map(str::to_owned),
        attributes: e
            .attributes()
            .map(|a| (a.ns.to_owned(), a.local.to_owned(), a.value.to_owned()))
            .collect(),
        xsi_type: e.xsi_type().map(|(n, l)| (n.to_owned(), l.to_owned())),
    });
    for c in e.child_elements() {
        walk(c, out);
    }
}

/// Compares the two readers on `text`; `false` when the document was left out.
fn compare(origin: &str, text: &str) -> bool {
    let Some(expected) = ns_reader(text) else {
        return false;
    };
    match (Document::parse_str(text), expected) {
        (Ok(doc), Ok(expected)) => {
            let mut ours = Vec::new();
            walk(doc.root(), &mut ours);
            assert_eq!(ours.len(), expected.len(), "{origin}: element count");
            for (i, (a, b)) in ours.iter().zip(&expected).enumerate() {
                assert_eq!(a, b, "{origin}: element {i}");
            }
        }
        (Ok(_), Err((namespace, why))) => {
            assert!(
                !namespace,
                "{origin}: NsReader refused it ({why}), the parser did not"
            );
        }
        (Err(e), Ok(_)) => {
            let message = e.to_string();
            assert!(
                !message.contains("namespace"),
                "{origin}: the parser refused it for a namespace reason ({message}), NsReader did not"
            );
        }
        (Err(_), Err(_)) => {}
    }
    true
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn every_shared_document_and_fuzz_seed_resolves_as_ns_reader_resolves_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../../shared");
    assert!(shared.is_dir(), "../shared must be beside the repository");
    let mut paths = Vec::new();
    files(&shared, &mut paths);
    paths.retain(|p| {
        matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("xml" | "xsd" | "wsdl")
        )
    });
    let shared_files = paths.len();
    files(&root.join("../fuzz/corpus"), &mut paths);
    let (mut compared, mut parsed) = (0, 0);
    for path in &paths {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
        else {
            continue;
        };
        if compare(&path.display().to_string(), text) {
            compared += 1;
            parsed += usize::from(Document::parse_str(text).is_ok());
        }
    }
    assert!(shared_files > 100, "{shared_files} XML files in ../shared");
    assert!(parsed > 150, "{parsed} of {compared} documents parsed");
}

#[test]
fn edge_cases_resolve_as_ns_reader_resolves_them() {
    let cases = [
        "<a xmlns='urn:d' xmlns:p='urn:p'><p:b p:x='1' y='2'/><c xmlns=''><d/></c><e/></a>",
        "<p:a xmlns:p='urn:1'><p:b xmlns:p='urn:2'><p:c/></p:b><p:d/></p:a>",
        "<a xmlns:p='urn:p'><b xmlns:p=''><p:c/></b></a>",
        "<a xmlns:p='urn:p'><b xmlns:p=''/><p:c/></a>",
        "<a xml:lang='cs' xmlns:xml='http://www.w3.org/XML/1998/namespace'/>",
        "<a xmlns:xml='urn:x'/>",
        "<a xmlns:xmlns='urn:x'/>",
        "<a xmlns:p='http://www.w3.org/XML/1998/namespace'/>",
        "<a xmlns:p='http://www.w3.org/2000/xmlns/'/>",
        "<a xmlns='http://www.w3.org/2000/xmlns/'/>",
        "<p:a/>",
        "<a p:x='1'/>",
        "<a><b xmlns:p='urn:p'/><p:c/></a>",
        "<a xmlns:p='urn:p' xmlns:p='urn:q'/>",
        "<:a xmlns:='urn:e'/>",
        "<a xmlns:='urn:e'><b/></a>",
        "<a:b:c xmlns:a='urn:a'/>",
        "<xmlns:a/>",
        "<xml:a/>",
        "<a xmlns='urn:d' xmlns:t='urn:t' xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance'>\
         <b xsi:type='t:T'/><b xsi:type=' U '/><b xsi:type='q:V'/><b xsi:type=''/></a>",
        "<a xmlns:p='urn:a&amp;b'><p:b/></a>",
        "<a xmlns='urn:&#x41;'/>",
    ];
    let mut compared = 0;
    for case in cases {
        compared += usize::from(compare(case, case));
    }
    assert_eq!(
        compared,
        cases.len() - 2,
        "all but the two with references compared"
    );
    // The declared names with references: resolved, as attribute values are.
    let doc = Document::parse_str("<a xmlns:p='urn:a&amp;b'><p:b/></a>").unwrap();
    let b = doc.root().child_elements().next().unwrap();
    assert_eq!(b.namespace(), "urn:a&b");
    let doc = Document::parse_str("<a xmlns='urn:&#x41;'/>").unwrap();
    assert_eq!(doc.root().namespace(), "urn:A");
}

#[test]
fn generated_documents_full_of_declarations_resolve_as_ns_reader_resolves_them() {
    // A small deterministic generator (xorshift): nested elements whose names, attributes and
    // `xsi:type` values use a few prefixes, declared, redeclared and undeclared at random.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let prefixes = ["", "a", "b", "xml", "xsi", "c"];
    let namespaces = ["urn:1", "urn:2", "", sdk_runtime::xml::XSI_NS, "urn:3"];
    let mut parsed = 0;
    for round in 0..3000 {
        let mut text = String::new();
        let mut open = Vec::new();
        let elements = 1 + next(12);
        for _ in 0..elements {
            let p = prefixes[next(prefixes.len() as u64) as usize];
            let name = if p.is_empty() {
                "e".to_owned()
            } else {
                format!("{p}:e")
            };
            text.push('<');
            text.push_str(&name);
            for _ in 0..next(4) {
                let dp = prefixes[next(prefixes.len() as u64) as usize];
                let ns = namespaces[next(namespaces.len() as u64) as usize];
                if dp.is_empty() {
                    text.push_str(&format!(" xmlns='{ns}'"));
                } else {
                    text.push_str(&format!(" xmlns:{dp}='{ns}'"));
                }
            }
            for i in 0..next(3) {
                let ap = prefixes[next(prefixes.len() as u64) as usize];
                if ap == "xsi" && next(2) == 0 {
                    let tp = prefixes[next(prefixes.len() as u64) as usize];
                    text.push_str(&format!(
                        " xsi:type='{tp}{}T'",
                        if tp.is_empty() { "" } else { ":" }
                    ));
                } else if ap.is_empty() {
                    text.push_str(&format!(" x{i}='v'"));
                } else {
                    text.push_str(&format!(" {ap}:x{i}='v'"));
                }
            }
            if next(3) == 0 {
                text.push_str("/>");
            } else {
                text.push('>');
                open.push(name);
            }
            if next(3) == 0
                && let Some(name) = open.pop()
            {
                text.push_str(&format!("</{name}>"));
            }
        }
        while let Some(name) = open.pop() {
            text.push_str(&format!("</{name}>"));
        }
        let text = if round % 4 == 0 {
            format!("<root xmlns:a='urn:a'>{text}</root>")
        } else {
            format!(
                "<root xmlns:a='urn:a' xmlns:b='urn:b' xmlns:c='urn:c' xmlns:xsi='{}'>{text}</root>",
                sdk_runtime::xml::XSI_NS
            )
        };
        assert!(compare(&format!("generated {round}: {text}"), &text));
        parsed += usize::from(Document::parse_str(&text).is_ok());
    }
    // Both outcomes are exercised.
    assert!(parsed > 300 && parsed < 2700, "{parsed} of 3000 parsed");
}

#[test]
fn duplicate_attributes_are_refused_however_many_a_tag_has() {
    let many = |dup: bool| {
        let mut tag = String::from("<a");
        for i in 0..20 {
            tag.push_str(&format!(" x{i}='{i}'"));
        }
        if dup {
            tag.push_str(" x13='again'");
        }
        tag.push_str("/>");
        tag
    };
    for bad in [
        "<a x='1' x='2'/>".to_owned(),
        "<a xmlns:p='urn:u' xmlns:p='urn:v'/>".to_owned(),
        "<a xmlns='urn:u' xmlns='urn:u'/>".to_owned(),
        "<a xmlns:p='urn:u' p:x='1' p:x='2'/>".to_owned(),
        many(true),
    ] {
        let e = Document::parse_str(&bad).expect_err(&bad);
        assert!(e.to_string().contains("duplicate attribute"), "{bad}: {e}");
    }
    let doc = Document::parse_str(&many(false)).unwrap();
    assert_eq!(doc.root().attributes().count(), 20);
    // Same local name, different prefixes: distinct names (as quick-xml had it).
    let doc = Document::parse_str("<a xmlns:p='urn:u' xmlns:q='urn:v' p:x='1' q:x='2'/>").unwrap();
    assert_eq!(doc.root().attribute("urn:v", "x"), Some("2"));
}
