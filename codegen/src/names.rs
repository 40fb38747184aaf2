//! Rust names from XML names: deterministic, acronym-preserving, keyword-safe.
//!
//! Hand-written instead of using `heck`: heck splits `B2B` into `B2_B` and turns `ICP_ICPP`
//! into `IcpIcpp` for types, while we want `prubeh_pojisteni_druh_b2b` and readable type names.

/// Words of an identifier: split at `_`, `-`, `.`, spaces, at lower→upper changes, and before the
/// last capital of an acronym followed by a lower-case letter (`XMLParser` → `XML`, `Parser`).
/// Digits stay with the word before them.
fn words(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut words = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(&prev) = i.checked_sub(1).and_then(|j| chars.get(j)) {
            let next = chars.get(i + 1).copied();
            let boundary = c.is_uppercase()
                && (prev.is_lowercase()
                    || (prev.is_uppercase() && next.is_some_and(char::is_lowercase)));
            if boundary && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// `snake_case` for fields, modules and methods.
pub fn snake(s: &str) -> String {
    let w: Vec<String> = words(s).into_iter().map(|w| w.to_lowercase()).collect();
    let mut out = w.join("_");
    if out.is_empty() {
        out.push_str("value");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    escape_keyword(out)
}

/// `UpperCamelCase` for types and variants; acronyms are kept (`ICPICPP` stays readable as
/// `IcpIcpp` only when the whole name is upper case, which clippy would flag).
pub fn camel(s: &str) -> String {
    let ws = words(s);
    let all_upper = ws.iter().all(|w| w.chars().all(|c| !c.is_lowercase()));
    let mut out = String::new();
    for w in ws {
        let mut cs = w.chars();
        if let Some(first) = cs.next() {
            out.extend(first.to_uppercase());
            if all_upper {
                out.extend(cs.flat_map(char::to_lowercase));
            } else {
                out.push_str(cs.as_str());
            }
        }
    }
    if out.is_empty() {
        out.push_str("Value");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    match out.as_str() {
        "Self" | "Option" | "Vec" | "String" | "Result" | "Box" | "Error" | "Client" => {
            out.push('_');
            out
        }
        _ => out,
    }
}

fn escape_keyword(s: String) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
        "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait",
        "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do",
        "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
    ];
    if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// Makes `name` unique among `taken` by appending `2`, `3`, …
pub fn unique(name: String, taken: &mut std::collections::BTreeSet<String>) -> String {
    if taken.insert(name.clone()) {
        return name;
    }
    for n in 2.. {
        let candidate = format!("{name}{n}");
        if taken.insert(candidate.clone()) {
            return candidate;
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake("PrubehPojisteniDruhB2B"), "prubeh_pojisteni_druh_b2b");
        assert_eq!(snake("stavSmlouvyICPICPPB2B"), "stav_smlouvy_icpicppb2b");
        assert_eq!(snake("ICP_ICPP"), "icp_icpp");
        assert_eq!(snake("kDatu"), "k_datu");
        assert_eq!(snake("nazevZZ"), "nazev_zz");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("XMLParser"), "xml_parser");
        assert_eq!(
            camel("prubehPojisteniDruhB2BPozadavek"),
            "PrubehPojisteniDruhB2BPozadavek"
        );
        assert_eq!(camel("ICP_ICPP"), "IcpIcpp");
        assert_eq!(camel("nepojisten"), "Nepojisten");
        assert_eq!(camel("1 - A"), "V1A");
        assert_eq!(camel("dm-info"), "DmInfo");
    }
}
