//! Schema patterns mean what they mean in XSD: every (pattern, value) pair below is judged by
//! `sdk_runtime::xml::pattern_matches` and by xmllint (libxml2's XML Schema validator), which
//! must agree. One schema declares an element per pattern, one document holds every value on a
//! line of its own, and xmllint's errors name the lines it refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

// Text and attribute values alike, with tab, LF and CR as references so that they are kept.
use sdk_runtime::xml::{escape_attr as escape, pattern_matches};

/// Patterns where XSD and the `regex` crate's syntax differ, and ordinary ones.
const CASES: &[(&str, &[&str])] = &[
    // `^` and `$` are characters in XSD, not anchors.
    ("^abc$", &["^abc$", "abc", "^abc", "x^abc$"]),
    ("a$b", &["a$b", "ab", "a"]),
    ("[$^]+", &["$^$", "^", "a"]),
    ("[^^]+", &["abc", "a^c", ""]),
    ("\\^$", &["^$", ""]),
    // `.` is any character but LF and CR.
    (".+", &["abc", "a\rb", "a\nb", "a\tb", "é"]),
    ("a.c", &["abc", "a.c", "a\rc", "ac"]),
    // `\s` is space, tab, LF and CR only.
    ("a\\sb", &["a b", "a\tb", "a\u{a0}b", "a\u{2003}b"]),
    ("\\S+", &["abc", "a\u{a0}b", "a b"]),
    // `\w`: everything but punctuation, separators and other.
    (
        "\\w+",
        &["abc", "a$b", "a+b", "a_b", "a-b", "a b", "x\u{a9}"],
    ),
    ("\\W", &["$", "-", " ", "a"]),
    // XML name characters, and class subtraction (xs:NCName's own pattern).
    ("\\i\\c*", &["kDatu", "_x-1.2", "1abc", "a:b", "a b"]),
    (
        "[\\i-[:]][\\c-[:]]*",
        &["kDatu", "a:b", ":a", "élan", "a-b"],
    ),
    ("[a-z-[aeiou]]+", &["bcd", "bad", "xyz"]),
    ("[\\p{L}-[a-z]]+", &["ABC", "aBC", "Ž"]),
    // Characters that are class operators to the `regex` crate.
    ("[a&&b]+", &["a&b", "&&", "ab", "c"]),
    ("[~a]+", &["~a~", "b"]),
    ("[a-c--]+", &["a-b", "--", "d"]),
    // Ordinary patterns.
    (
        "\\d{6}/?\\d{3,4}",
        &["800101/0006", "8001010006", "80010100", "800101//0006"],
    ),
    ("(CZ|SK)\\d{2}", &["CZ12", "SK99", "PL12", "CZ1"]),
    ("[0-9]{3}", &["201", "2011", "x201", "2ž1"]),
    ("\\p{Lu}\\P{Lu}*", &["Ab", "AB", "a", "Ž1"]),
    (
        "[A-Z]{2}[0-9]{3,5}",
        &["AB123", "AB12", "ab123", "AB123456"],
    ),
    ("\\d{2}", &["12", "١٢", "1a"]),
];

#[test]
fn patterns_agree_with_xmllint() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pattern_xmllint");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut xsd = String::from(
        "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n\
         <xs:element name=\"r\"><xs:complexType><xs:choice minOccurs=\"0\" maxOccurs=\"unbounded\">\n",
    );
    for i in 0..CASES.len() {
        xsd.push_str(&format!("<xs:element ref=\"v{i}\"/>\n"));
    }
    xsd.push_str("</xs:choice></xs:complexType></xs:element>\n");
    for (i, (pattern, _)) in CASES.iter().enumerate() {
        xsd.push_str(&format!(
            "<xs:element name=\"v{i}\"><xs:simpleType><xs:restriction base=\"xs:string\">\
             <xs:pattern value=\"{}\"/></xs:restriction></xs:simpleType></xs:element>\n",
            escape(pattern)
        ));
    }
    xsd.push_str("</xs:schema>\n");
    // Line 1 is `<r>`; each value's line is remembered.
    let mut doc = String::from("<r>\n");
    let mut lines = Vec::new();
    for (i, (pattern, values)) in CASES.iter().enumerate() {
        for value in *values {
            doc.push_str(&format!("<v{i}>{}</v{i}>\n", escape(value)));
            lines.push((lines.len() + 2, *pattern, *value));
        }
    }
    doc.push_str("</r>\n");
    std::fs::write(dir.join("p.xsd"), &xsd).unwrap();
    std::fs::write(dir.join("p.xml"), &doc).unwrap();
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(dir.join("p.xsd"))
        .arg(dir.join("p.xml"))
        .output()
        .expect("xmllint is needed by this test and is missing: run scripts/install-test-tools.sh");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("p.xsd:"),
        "xmllint refused the schema itself:\n{stderr}"
    );
    // `…/p.xml:LINE: element vN: Schemas validity error : …`
    let refused: BTreeSet<usize> = stderr
        .lines()
        .filter(|l| l.contains("Schemas validity error"))
        .filter_map(|l| {
            let rest = l.split("p.xml:").nth(1)?;
            rest.split(':').next()?.parse().ok()
        })
        .collect();
    assert!(
        !refused.is_empty(),
        "xmllint refused no value at all, some are meant to fail:\n{stderr}"
    );
    let mut disagreements = Vec::new();
    for (line, pattern, value) in &lines {
        let xmllint = !refused.contains(line);
        match pattern_matches(pattern, value) {
            Ok(ours) if ours == xmllint => {}
            Ok(ours) => disagreements.push(format!(
                "{pattern:?} on {value:?}: ours {ours}, xmllint {xmllint}"
            )),
            Err(e) => disagreements.push(format!("{pattern:?} on {value:?}: {e}")),
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} judgements differ:\n{}",
        disagreements.len(),
        lines.len(),
        disagreements.join("\n")
    );
}
