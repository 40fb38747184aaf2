//! Descriptions from specs (OpenAPI descriptions, `xs:documentation`, `wsdl:documentation`) →
//! rustdoc that neither breaks the build nor runs as doctests.
//!
//! Service descriptions carry Markdown, HTML fragments, JSON examples and indented text. In
//! rustdoc an indented block or a plain code fence is Rust code that `cargo test` compiles, `<x>`
//! is an unclosed HTML tag, `[x]` an intra-doc link and a bare URL a lint warning. So: every fence
//! becomes a `text` fence, indentation outside fences is dropped, brackets and angle brackets are
//! escaped outside code spans, and bare URLs get angle brackets.

/// Sanitized Markdown for one paragraph group.
pub(crate) fn sanitize(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = Vec::new();
    let mut in_fence = false;
    let mut list_indent: Option<usize> = None;
    for line in text.trim().lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            if in_fence {
                out.push("```".to_owned());
            } else {
                out.push("```text".to_owned());
            }
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(line.trim_end().to_owned());
            continue;
        }
        let trimmed = trimmed.trim_end();
        if trimmed.is_empty() {
            list_indent = None;
            out.push(String::new());
        } else if let Some(width) = list_marker(trimmed) {
            list_indent = Some(width);
            out.push(escape_line(trimmed));
        } else if let Some(width) = list_indent {
            // A continuation of a list item: indented under its text, never 4+ spaces deep
            // outside a list (that would be a code block).
            out.push(format!("{}{}", " ".repeat(width), escape_line(trimmed)));
        } else {
            out.push(escape_line(trimmed));
        }
    }
    if in_fence {
        out.push("```".to_owned());
    }
    out.join("\n")
}

/// Width of a list marker with its space (`- `, `* `, `+ `, `12. `), if the line starts one.
fn list_marker(line: &str) -> Option<usize> {
    if line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ") {
        return Some(2);
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    (digits > 0 && digits < 10 && line[digits..].starts_with(". ")).then_some(digits + 2)
}

fn escape_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut in_code = false;
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c == '`' {
            in_code = !in_code;
            out.push(c);
            i += 1;
            continue;
        }
        if in_code {
            out.push(c);
            i += 1;
            continue;
        }
        let rest: String = chars[i..].iter().take(8).collect();
        if rest.starts_with("http://") || rest.starts_with("https://") {
            let mut end = i;
            while let Some(&d) = chars.get(end) {
                if d.is_whitespace() || matches!(d, '<' | '>' | '"' | '\'' | '`' | '[' | ']') {
                    break;
                }
                end += 1;
            }
            while end > i
                && matches!(
                    chars.get(end - 1),
                    Some('.' | ',' | ';' | ':' | ')' | '!' | '?')
                )
            {
                end -= 1;
            }
            let url: String = chars[i..end].iter().collect();
            out.push('<');
            out.push_str(&url);
            out.push('>');
            i = end;
            continue;
        }
        match c {
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '*' if i == 0 && chars.get(1) != Some(&' ') => out.push_str("\\*"),
            _ => out.push(c),
        }
        i += 1;
    }
    if in_code {
        // An unmatched backtick would swallow the following lines into a code span.
        out.push('`');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_never_becomes_a_doctest() {
        let s = sanitize("Example:\n\n    let x = 1;\n\n```\n{\"a\": 1}\n```\n```json\n[]\n");
        assert!(!s.lines().any(|l| l.starts_with("    ")));
        assert_eq!(s.matches("```text").count(), 2);
        assert_eq!(s.matches("```").count(), 4);
    }

    #[test]
    fn html_links_and_urls_are_escaped() {
        assert_eq!(
            sanitize("Use <b>x</b> [see] https://a.example/p."),
            "Use &lt;b&gt;x&lt;/b&gt; \\[see\\] <https://a.example/p>."
        );
        assert_eq!(sanitize("`<T>` stays"), "`<T>` stays");
        assert_eq!(sanitize("odd ` tick"), "odd ` tick`");
    }
}
