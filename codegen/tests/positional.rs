//! The positional-protocol front end: descriptions that break its rules are refused with the
//! rule named, and a valid one generates a module that parses as Rust.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

const HEAD: &str = r#"
[interface]
name = "Test interface"
version = "1"
library = "test.dll"
encoding = "GBK"
separator = "|"
output_buffer = 1024
"#;

fn write(name: &str, body: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("positional-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("d.toml");
    std::fs::write(&path, format!("{HEAD}{body}")).unwrap();
    path
}

fn refused(name: &str, body: &str, expected: &str) {
    let e = sdk_codegen::positional::read(&write(name, body))
        .unwrap_err()
        .to_string();
    assert!(e.contains(expected), "{name}: {e}");
}

const ONE: &str = r#"
[[transaction]]
code = "01"
name = "查询"
english = "Query"
method = "cha_xun"
provenance = "client-code"
[[transaction.input]]
name = "hao"
label = "号"
english = "Number"
type = "text"
max_bytes = 10
[[transaction.output]]
position = 2
name = "jin_e"
label = "金额"
english = "Amount"
type = "decimal"
[[transaction.output]]
position = 3
name = "zhuang_tai"
label = "状态"
english = "State"
type = "code"
values = [["0", "ZhengChang", "normal"]]
"#;

#[test]
fn a_valid_description_generates_rust() {
    let d = sdk_codegen::positional::read(&write("ok", ONE)).unwrap();
    let code = sdk_codegen::emit::positional_file(&d, "test/d.toml").unwrap();
    assert!(code.starts_with("// @generated"));
    syn::parse_file(&code).unwrap();
    for needle in [
        "pub mod t01",
        "pub enum ZhuangTai",
        "fn cha_xun(",
        "answer.leading::<",
        "f2.decimal(",
        "raw: answer.clone()",
    ] {
        assert!(code.contains(needle), "missing {needle}");
    }
}

#[test]
fn broken_descriptions_are_refused_with_the_rule() {
    refused(
        "dup",
        &format!("{ONE}{}", ONE.replace("cha_xun", "other")),
        "occurs twice",
    );
    refused(
        "order",
        &ONE.replace("position = 3", "position = 1"),
        "positions must start at 1 and rise",
    );
    refused(
        "toc-fields",
        &ONE.replace("client-code", "toc"),
        "only a transaction known from client code describes fields",
    );
    refused(
        "scale",
        &ONE.replace("max_bytes = 10", "scale = 2"),
        "scale applies to decimals",
    );
    refused(
        "code-values",
        &ONE.replace(r#"values = [["0", "ZhengChang", "normal"]]"#, ""),
        "a code has values",
    );
    refused(
        "method",
        &ONE.replace("cha_xun", "ChaXun"),
        "lower-case Rust name",
    );
    refused(
        "list",
        &ONE.replace(r#"type = "decimal""#, r#"type = "list""#),
        "a list output must be the last",
    );
}

#[test]
fn an_unknown_encoding_is_refused() {
    let body = ONE.to_owned();
    let path = write("enc", &body);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"GBK\"", "\"EBCDIC-XYZ\"");
    std::fs::write(&path, text).unwrap();
    let e = sdk_codegen::positional::read(&path)
        .unwrap_err()
        .to_string();
    assert!(e.contains("not a known encoding"), "{e}");
}
