//! A strict, minimal XML writer.
//!
//! Hand-written rather than built on `quick_xml::Writer` because what we need is namespace-prefix
//! bookkeeping (declare a namespace once, where it is first used or where the caller pins it, e.g.
//! on `soap:Body` as VZP's working client does), which quick-xml's writer leaves to the caller.
//! Escaping follows XML 1.0: `&`, `<`, `>` in text; additionally `"` and whitespace controls in
//! attribute values so they survive attribute-value normalisation.

/// The namespace of `xml:lang` and friends, bound to `xml` in every document.
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Writes an XML document into a `String`, declaring namespace prefixes as they are needed.
#[derive(Debug)]
pub struct XmlWriter {
    out: String,
    /// Namespace bindings in scope, innermost last.
    bindings: Bindings,
    /// The qualified names of the open elements, one after another (no allocation per element).
    names: String,
    /// The open elements' names: where each starts in `names`, or its prefix (a range of the
    /// bindings' buffer) and static local name.
    open: Vec<OpenName>,
    /// Recent namespace lookups of static names: (address, length) of the namespace name and
    /// the range of its prefix in the bindings' buffer. A `&'static str` never changes, so its
    /// address identifies its text; emptied whenever a binding is made or ends (only the first
    /// `ns_cache_len` entries are valid).
    ns_cache: [(usize, usize, Held); 4],
    ns_cache_len: usize,
    ns_cache_next: usize,
    /// The last start tag is not closed yet (`>` not written), so attributes may still be added.
    tag_open: bool,
    prefix_base: std::borrow::Cow<'static, str>,
    next_prefix: usize,
    /// The outermost open element written with [`XmlWriter::start`]: namespaces first needed
    /// below it are declared on it, once, instead of on every element that uses them (a list
    /// of 300 records would otherwise declare its namespace 300 times).
    anchor: Option<Anchor>,
    /// Generated modules' namespace tables in effect, innermost last (see [`NsTable`]).
    tables: Vec<TableScope>,
    /// Whether tags pre-built with a table's prefixes may be written (not when the caller
    /// chose its own prefixes).
    tables_on: bool,
    /// The first capacity of the thread's next document: this one's size once finished.
    size_hint: usize,
}

/// A generated module's namespace table in effect below an element.
#[derive(Debug, Clone, Copy)]
struct TableScope {
    /// Depth of the element it was declared on (or found in effect at).
    depth: usize,
    /// The table, or `None`: one of its prefixes was bound to another namespace here.
    table: Option<&'static NsTable>,
    /// The table's entries whose prefixes are bound as the table says.
    mask: u64,
}

/// The namespace prefixes of one generated module: entry `i` binds `prefix` to `namespace`.
///
/// Generated code writes an element as one pre-built tag (`<ns2:kDatu>`, [`Tag`]) when the
/// table is in effect: its content type's `write_xml` calls [`XmlWriter::enter`], which declares
/// the entries the content can use (or finds them bound already) on the element just opened.
/// Where a prefix is bound to something else, the table is not entered and the same elements
/// are written through the general path, so the output is always well-formed and means the same.
#[derive(Debug)]
pub struct NsTable {
    entries: &'static [(&'static str, &'static str)],
    /// The entries (of the first 64) whose namespace name needs no escaping in an attribute.
    clean: u64,
}

impl NsTable {
    /// The table of a module that writes no qualified element.
    pub const EMPTY: NsTable = NsTable::new(&[]);

    /// A table of `(prefix, namespace)` entries; only the first 64 are used for tags.
    pub const fn new(entries: &'static [(&'static str, &'static str)]) -> Self {
        let mut clean = 0u64;
        let mut i = 0;
        while i < entries.len() && i < 64 {
            let ns = entries[i].1.as_bytes();
            let mut ok = true;
            let mut j = 0;
            while j < ns.len() {
                if ATTR_ESCAPED[ns[j] as usize] != 0 {
                    ok = false;
                }
                j += 1;
            }
            if ok {
                clean |= 1u64 << i;
            }
            i += 1;
        }
        Self { entries, clean }
    }

    /// The prefix the table gives `ns`, if any.
    pub fn prefix_of(&self, ns: &str) -> Option<&'static str> {
        self.find(ns).map(|(p, _)| p)
    }

    /// The prefix of `ns` and its entry's bit, if `ns` is among the first 64 entries.
    fn find(&self, ns: &str) -> Option<(&'static str, u64)> {
        self.entry(ns).map(|(p, _, bit)| (p, bit))
    }

    /// The entry of `ns` (prefix, the table's own namespace text) and its bit, if `ns` is
    /// among the first 64 entries.
    fn entry(&self, ns: &str) -> Option<(&'static str, &'static str, u64)> {
        self.entries
            .iter()
            .take(64)
            .enumerate()
            .find(|(_, (_, n))| same_name(n, ns))
            .map(|(i, (p, n))| (*p, *n, 1u64 << i))
    }
}

/// An element name of a generated module with its tags pre-built for its [`NsTable`]'s prefix:
/// `open` is `<prefix:local>`, `close` is `</prefix:local>` (`<local>`, `</local>` for an
/// unqualified element). [`Tag::new`] checks them against
/// the table at compile time; a tag that does not match is always written through the general
/// path.
#[derive(Debug)]
pub struct Tag {
    table: &'static NsTable,
    bit: u64,
    unqualified: bool,
    /// Namespace name of the element.
    pub ns: &'static str,
    /// Local name of the element.
    pub local: &'static str,
    open: &'static str,
    close: &'static str,
}

impl Tag {
    /// The element `local` of namespace entry `index` of `table`, with its tags.
    pub const fn new(
        table: &'static NsTable,
        index: usize,
        ns: &'static str,
        local: &'static str,
        open: &'static str,
        close: &'static str,
    ) -> Self {
        let ok = index < 64
            && index < table.entries.len()
            && tag_matches(open, b"<", table.entries[index].0, local)
            && tag_matches(close, b"</", table.entries[index].0, local)
            && bytes_eq(ns.as_bytes(), table.entries[index].1.as_bytes());
        // An unqualified name is written without a prefix whatever is in effect (the writer
        // never binds a default namespace).
        let unqualified = ns.is_empty()
            && tag_matches(open, b"<", "", local)
            && tag_matches(close, b"</", "", local);
        Self {
            table,
            bit: if ok { 1u64 << index } else { 0 },
            unqualified,
            ns,
            local,
            open,
            close,
        }
    }
}

/// Whether two names (prefixes, namespace names) are the same: the same text at the same
/// address (static names), else length and last byte first (namespace names share long
/// beginnings), then short names byte by byte (a call to `memcmp` costs more than a prefix).
#[inline]
fn same_name(a: &str, b: &str) -> bool {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() != y.len() {
        return false;
    }
    if std::ptr::eq(x.as_ptr(), y.as_ptr()) || x.is_empty() {
        return true;
    }
    if x.last() != y.last() {
        return false;
    }
    if x.len() <= 8 {
        return x.iter().zip(y).all(|(p, q)| p == q);
    }
    x == y
}

/// Whether `tag` is `{lead}{prefix}:{local}>` (compile-time check of a pre-built tag).
const fn tag_matches(tag: &str, lead: &[u8], prefix: &str, local: &str) -> bool {
    let (t, p, l) = (tag.as_bytes(), prefix.as_bytes(), local.as_bytes());
    // `:` after a prefix; none without one.
    let colon = if p.is_empty() { 0 } else { 1 };
    if l.is_empty() || t.len() != lead.len() + p.len() + colon + l.len() + 1 {
        return false;
    }
    let mut i = 0;
    while i < t.len() {
        let expected = if i < lead.len() {
            lead[i]
        } else if i < lead.len() + p.len() {
            p[i - lead.len()]
        } else if colon == 1 && i == lead.len() + p.len() {
            b':'
        } else if i < t.len() - 1 {
            l[i - lead.len() - p.len() - colon]
        } else {
            b'>'
        };
        if t[i] != expected {
            return false;
        }
        i += 1;
    }
    true
}

const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Where hoisted namespace declarations go.
#[derive(Debug, Clone, Copy)]
struct Anchor {
    /// Depth of the anchor element (1 = the document element).
    depth: usize,
    /// Byte position in the output just before the `>` of its start tag, once written.
    insert_at: Option<usize>,
}

impl Default for XmlWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl XmlWriter {
    /// A writer that names generated prefixes `ns1`, `ns2`, …
    pub fn new() -> Self {
        Self::build(std::borrow::Cow::Borrowed("ns"), 1, true)
    }

    /// A writer whose generated prefixes are `{base}{first}`, `{base}{first + 1}`, … (a server
    /// that answers with `ns0:` is imitated with `with_prefixes("ns", 0)`).
    pub fn with_prefixes(base: &str, first: usize) -> Self {
        if base == "ns" {
            Self::build(std::borrow::Cow::Borrowed("ns"), first, first == 1)
        } else {
            Self::build(std::borrow::Cow::Owned(base.to_owned()), first, false)
        }
    }

    fn build(prefix_base: std::borrow::Cow<'static, str>, first: usize, tables_on: bool) -> Self {
        let scratch = Scratch::take();
        Self {
            // Sized like the thread's last document (a client writes the same few messages over
            // and over): growing the output showed as a fifth of encoding small messages.
            out: String::with_capacity(scratch.size_hint),
            bindings: scratch.bindings,
            names: scratch.names,
            open: scratch.open,
            tables: scratch.tables,
            tables_on,
            ns_cache: [(0, 0, Held::NONE); 4],
            ns_cache_len: 0,
            ns_cache_next: 0,
            tag_open: false,
            prefix_base,
            next_prefix: first,
            anchor: None,
            size_hint: scratch.size_hint,
        }
    }

    /// Writes the XML declaration (`<?xml version="1.0" encoding="UTF-8"?>`).
    pub fn declaration(&mut self) {
        self.out
            .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    }

    fn close_start_tag(&mut self) {
        if self.tag_open {
            if let Some(anchor) = &mut self.anchor
                && anchor.depth == self.open.len()
                && anchor.insert_at.is_none()
            {
                anchor.insert_at = Some(self.out.len());
            }
            self.out.push('>');
            self.tag_open = false;
        }
    }

    fn fresh_prefix(&mut self) -> String {
        loop {
            let mut candidate = String::with_capacity(self.prefix_base.len() + 4);
            candidate.push_str(&self.prefix_base);
            push_decimal(&mut candidate, self.next_prefix);
            self.next_prefix += 1;
            if !self.bindings.has_prefix(&candidate) {
                return candidate;
            }
        }
    }

    /// Binds a new prefix (`preferred` when it is free, else a fresh one) for `ns`, for an
    /// element at `depth` whose start tag is being written: declared on the anchor when the
    /// element lies below it (the anchor's start tag is complete then), else on the element
    /// itself (`local` is `true`; the caller writes the declaration).
    fn bind(&mut self, ns: &str, preferred: Option<&str>, depth: usize) -> (String, bool) {
        let prefix = match preferred {
            Some(p) if !self.bindings.has_prefix(p) => p.to_owned(),
            _ => self.fresh_prefix(),
        };
        if let Some(Anchor {
            depth: at,
            insert_at: Some(pos),
        }) = self.anchor
            && at < depth
        {
            let mut decl = String::with_capacity(prefix.len() + ns.len() + 10);
            decl.push_str(" xmlns:");
            decl.push_str(&prefix);
            decl.push_str("=\"");
            escape_attr_into(&mut decl, ns);
            decl.push('"');
            if self.out.is_char_boundary(pos) {
                self.out.insert_str(pos, &decl);
                if let Some(anchor) = &mut self.anchor {
                    anchor.insert_at = Some(pos + decl.len());
                }
                self.bindings.insert_at_depth(&prefix, ns, at);
                self.forget_lookups();
                return (prefix, false);
            }
        }
        self.bindings.push(&prefix, ns, depth);
        self.forget_lookups();
        (prefix, true)
    }

    /// Opens an element. `ns` is the namespace name; the empty string means "no namespace"
    /// (an unqualified local element). A prefix is declared on this element if `ns` is not bound.
    pub fn start(&mut self, ns: &str, local: &str) {
        self.start_with_prefix(ns, local, "");
    }

    /// [`start`](Self::start), binding `ns` to `preferred` (when it is free and not empty)
    /// if it is not bound.
    fn start_with_prefix(&mut self, ns: &str, local: &str, preferred: &str) {
        self.close_start_tag();
        let depth = self.open.len() + 1;
        self.anchor_here();
        let mark = self.names.len();
        let fresh = if ns.is_empty() {
            None
        } else if let Some(prefix) = self.bindings.lookup(ns) {
            self.names.push_str(prefix);
            self.names.push(':');
            None
        } else {
            let preferred = Some(preferred).filter(|p| !p.is_empty());
            let (prefix, local_decl) = self.bind(ns, preferred, depth);
            self.names.push_str(&prefix);
            self.names.push(':');
            local_decl.then_some(prefix)
        };
        self.names.push_str(local);
        self.out.push('<');
        self.out
            .push_str(self.names.get(mark..).unwrap_or_default());
        if let Some(prefix) = fresh {
            self.write_xmlns(&prefix, ns);
        }
        self.open.push(OpenName::Buffered(mark));
        self.tag_open = true;
    }

    /// [`start`](Self::start) for names known at compile time (generated code): the
    /// namespace's prefix is found by the name's address after the first lookup, and the name
    /// is not copied for the end tag.
    pub fn start_static(&mut self, ns: &'static str, local: &'static str) {
        if ns.is_empty() {
            self.close_start_tag();
            self.anchor_here();
            self.out.push('<');
            self.out.push_str(local);
            self.open.push(OpenName::Static {
                prefix: Held::NONE,
                local,
            });
            self.tag_open = true;
            return;
        }
        let Some(prefix) = self.static_prefix(ns) else {
            // Not bound yet: the general path declares it.
            return self.start(ns, local);
        };
        self.close_start_tag();
        self.anchor_here();
        self.out.push('<');
        self.push_static_name(prefix, local);
        self.open.push(OpenName::Static { prefix, local });
        self.tag_open = true;
    }

    /// Puts `table` in effect for the content of the element just opened, for the entries in
    /// `mask` (the namespaces the content can use): each is declared on that element unless
    /// its prefix is bound to its namespace already. Nothing changes when one of them is bound
    /// to another namespace, or when the element has content already; its elements are then
    /// written through the general path. Generated `write_xml` calls this first.
    pub fn enter(&mut self, table: &'static NsTable, mask: u64) {
        if !self.tables_on || mask == 0 {
            return;
        }
        if let Some(s) = self.tables.last()
            && s.table.is_some_and(|t| std::ptr::eq(t, table))
            && s.mask & mask == mask
        {
            return;
        }
        let depth = self.open.len();
        let mut bound = 0u64;
        let mut missing = 0u64;
        for (i, (prefix, ns)) in table.entries.iter().take(64).enumerate() {
            let bit = 1u64 << i;
            if mask & bit == 0 {
                continue;
            }
            match self.bindings.bound_to(prefix) {
                Some(b) if same_name(b, ns) => bound |= bit,
                Some(_) => return,
                None => missing |= bit,
            }
        }
        if missing != 0 {
            if !self.tag_open || depth == 0 {
                return;
            }
            for (i, (prefix, ns)) in table.entries.iter().take(64).enumerate() {
                let bit = 1u64 << i;
                if missing & bit != 0 {
                    self.write_xmlns_as(prefix, ns, table.clean & bit != 0);
                    self.bindings.push_static(prefix, ns, depth);
                }
            }
            self.forget_lookups();
        }
        self.push_table(table, depth, bound | missing);
    }

    /// Puts `table` in effect from the element at `depth` on, with the entries of `mask` bound
    /// as it says; entries the table in effect had bound stay usable too.
    fn push_table(&mut self, table: &'static NsTable, depth: usize, mask: u64) {
        let inherited = match self.tables.last() {
            Some(s) if s.table.is_some_and(|t| std::ptr::eq(t, table)) => s.mask,
            _ => 0,
        };
        self.tables.push(TableScope {
            depth,
            table: Some(table),
            mask: mask | inherited,
        });
    }

    /// Whether `table` is in effect with the entries of `bits` bound as it says.
    fn table_has(&self, table: &'static NsTable, bits: u64) -> bool {
        matches!(self.tables.last(), Some(TableScope { table: Some(t), mask, .. })
            if std::ptr::eq(*t, table) && mask & bits == bits)
    }

    /// Whether `tag` can be written as it was pre-built: its table is in effect with its
    /// prefix bound, and the caller did not choose its own prefixes.
    fn tag_ready(&self, tag: &Tag) -> bool {
        tag.unqualified
            || matches!(self.tables.last(), Some(TableScope { table: Some(t), mask, .. })
            if std::ptr::eq(*t, tag.table) && mask & tag.bit != 0)
    }

    /// Marks the prefix about to be bound on the element at `depth` as no longer the table's
    /// (a caller-chosen prefix that one of the table's entries uses).
    fn shadow_table_prefix(&mut self, prefix: &str, ns: &str, depth: usize) {
        if let Some(TableScope {
            table: Some(t),
            mask,
            ..
        }) = self.tables.last()
            && t.entries.iter().take(64).enumerate().any(|(i, (p, n))| {
                mask & (1u64 << i) != 0 && same_name(p, prefix) && !same_name(n, ns)
            })
        {
            self.tables.push(TableScope {
                depth,
                table: None,
                mask: 0,
            });
        }
    }

    /// Opens an element whose content `v` will write: with the prefix of `v`'s namespace table
    /// when `ns` is in it (the table is then in effect at once, its entries declared here), else
    /// as [`start_static`](Self::start_static) does. Used for message parts and header blocks.
    pub fn start_for<T: super::XmlWrite + ?Sized>(
        &mut self,
        ns: &'static str,
        local: &'static str,
        v: &T,
    ) {
        if self.tables_on
            && !ns.is_empty()
            && let Some((table, mask)) = v.namespaces()
            && let Some((prefix, bit)) = table.find(ns)
            && (self.table_has(table, bit)
                || self.bindings.bound_to(prefix).is_none_or(|b| b == ns))
        {
            self.close_start_tag();
            self.anchor_here();
            self.out.push('<');
            self.out.push_str(prefix);
            self.out.push(':');
            self.out.push_str(local);
            self.open.push(OpenName::Fixed {
                prefix,
                local,
                close: None,
            });
            self.tag_open = true;
            self.enter(table, mask | bit);
            return;
        }
        if self.tables_on
            && !ns.is_empty()
            && self.bindings.lookup(ns).is_none()
            && let Some((table, mask)) = v.namespaces()
        {
            // A namespace outside the table: a prefix the table does not use, so that the
            // table can be entered below.
            let prefix = self.fresh_prefix_outside(table);
            self.start_with_prefix(ns, local, &prefix);
            self.enter(table, mask);
            return;
        }
        self.start_static(ns, local);
    }

    /// A prefix bound nowhere in scope that `table` does not use either.
    fn fresh_prefix_outside(&mut self, table: &NsTable) -> String {
        loop {
            let candidate = self.fresh_prefix();
            if !table.entries.iter().any(|(p, _)| *p == candidate) {
                return candidate;
            }
        }
    }

    /// [`start_static`](Self::start_static) for a generated module's element: its pre-built
    /// tag when its table is in effect.
    pub fn start_tag(&mut self, tag: &'static Tag) {
        if !self.tag_ready(tag) {
            return self.start_static(tag.ns, tag.local);
        }
        self.close_start_tag();
        self.anchor_here();
        let open = tag
            .open
            .get(..tag.open.len().saturating_sub(1))
            .unwrap_or_default();
        self.out.push_str(open);
        self.open.push(OpenName::Tag(tag));
        self.tag_open = true;
    }

    /// [`leaf_static`](Self::leaf_static) for a generated module's element: its pre-built tags
    /// when its table is in effect.
    pub fn leaf_tag(&mut self, tag: &'static Tag, content: impl FnOnce(&mut Self)) {
        if !self.tag_ready(tag) || self.anchor.is_none() {
            return self.leaf_static(tag.ns, tag.local, content);
        }
        self.close_start_tag();
        self.out.push_str(tag.open);
        let empty_at = self.out.len();
        content(self);
        self.close_start_tag();
        if self.out.len() == empty_at {
            self.out.pop();
            self.out.push_str("/>");
            return;
        }
        self.out.push_str(tag.close);
    }

    /// The prefix bound to the static namespace `ns` (as the bindings hold it), found
    /// by the name's address after the first lookup; `None` when it is not bound.
    fn static_prefix(&mut self, ns: &'static str) -> Option<Held> {
        let key = (ns.as_ptr() as usize, ns.len());
        if let Some((_, _, r)) = self
            .ns_cache
            .get(..self.ns_cache_len)
            .unwrap_or_default()
            .iter()
            .find(|(p, l, _)| (*p, *l) == key)
        {
            return Some(*r);
        }
        let r = self.bindings.lookup_held(ns)?;
        let slot = self.ns_cache_next % self.ns_cache.len();
        if let Some(c) = self.ns_cache.get_mut(slot) {
            *c = (key.0, key.1, r);
        }
        self.ns_cache_next = self.ns_cache_next.wrapping_add(1);
        self.ns_cache_len = (self.ns_cache_len + 1).min(self.ns_cache.len());
        Some(r)
    }

    /// An element with a static name and no attributes whose content `content` writes
    /// (generated code, for simple-typed elements): the same bytes as
    /// [`start_static`](Self::start_static), `content`, [`end`](Self::end), written without
    /// the bookkeeping of an open element when its namespace is already bound (most elements
    /// of a message are such leaves).
    pub fn leaf_static(
        &mut self,
        ns: &'static str,
        local: &'static str,
        content: impl FnOnce(&mut Self),
    ) {
        let prefix = if ns.is_empty() {
            Some(Held::NONE)
        } else {
            self.static_prefix(ns)
        };
        let Some(prefix) = prefix.filter(|_| self.anchor.is_some()) else {
            self.start_static(ns, local);
            content(self);
            self.end();
            return;
        };
        self.close_start_tag();
        self.out.push('<');
        self.push_static_name(prefix, local);
        self.out.push('>');
        let empty_at = self.out.len();
        content(self);
        // Whatever `content` opened, it closed (its own elements are on the open stack); a tag
        // it left open is closed here.
        self.close_start_tag();
        if self.out.len() == empty_at {
            // No content: `<x/>`, as `end` writes it.
            self.out.pop();
            self.out.push_str("/>");
            return;
        }
        self.out.push_str("</");
        self.push_static_name(prefix, local);
        self.out.push('>');
    }

    /// Writes `prefix:local` (`local` alone for an empty prefix range).
    fn push_static_name(&mut self, prefix: Held, local: &str) {
        let prefix = self.bindings.text(prefix);
        if !prefix.is_empty() {
            self.out.push_str(prefix);
            self.out.push(':');
        }
        self.out.push_str(local);
    }

    /// Makes the element about to open the anchor when none is open.
    fn anchor_here(&mut self) {
        if self.anchor.is_none() {
            self.anchor = Some(Anchor {
                depth: self.open.len() + 1,
                insert_at: None,
            });
        }
    }

    fn forget_lookups(&mut self) {
        self.ns_cache_len = 0;
        self.ns_cache_next = 0;
    }

    fn write_xmlns(&mut self, prefix: &str, ns: &str) {
        self.write_xmlns_as(prefix, ns, false);
    }

    /// ` xmlns:prefix="ns"`; `clean`: `ns` is known to need no escaping.
    fn write_xmlns_as(&mut self, prefix: &str, ns: &str, clean: bool) {
        self.out.push_str(" xmlns:");
        self.out.push_str(prefix);
        self.out.push_str("=\"");
        if clean {
            self.out.push_str(ns);
        } else {
            escape_attr_into(&mut self.out, ns);
        }
        self.out.push('"');
    }

    /// The prefix of the innermost open element's name ("" for none).
    fn open_prefix(&self) -> &str {
        let qname = match self.open.last() {
            Some(OpenName::Buffered(mark)) => self.names.get(*mark..).unwrap_or_default(),
            Some(OpenName::Fixed { prefix, .. }) => return prefix,
            Some(OpenName::Static { prefix, .. }) => return self.bindings.text(*prefix),
            Some(OpenName::Tag(tag)) => tag.open.get(1..).unwrap_or_default(),
            None => return "",
        };
        qname.split_once(':').map_or("", |(p, _)| p)
    }

    /// Declares `prefix` for `ns` on the element just opened, so that it and its descendants use
    /// that prefix. Has no effect once content was written into the element, when the element
    /// declares `prefix` already, or when its own name uses `prefix` for another namespace
    /// (elements are always written with a prefix bound to their namespace, whatever was
    /// declared).
    pub fn declare(&mut self, prefix: &str, ns: &str) {
        if !self.tag_open {
            return;
        }
        let depth = self.open.len();
        if self
            .bindings
            .list
            .iter()
            .rev()
            .take_while(|b| b.depth == depth)
            .any(|b| same_name(self.bindings.prefix(b), prefix))
        {
            return;
        }
        // Nor may it rebind the prefix of the element's own name.
        if self.open_prefix() == prefix && self.bindings.bound_to(prefix).is_some_and(|b| b != ns) {
            return;
        }
        self.declare_here(prefix, ns);
    }

    /// [`declare`](Self::declare) for a namespace of `table` with the prefix the table gives
    /// it (`fallback` when it has none): a message part's namespace, declared on `soap:Body`.
    ///
    /// Declared this way, the entry is in effect for the table below the element, as if
    /// [`enter`](Self::enter) had declared it there: the message part written next finds it
    /// bound without looking it up again.
    pub fn declare_for(&mut self, table: Option<&'static NsTable>, ns: &str, fallback: &str) {
        let Some(table) = table else {
            return self.declare(fallback, ns);
        };
        match table.entry(ns) {
            Some((prefix, ns, bit))
                if self.tag_open && self.bindings.bound_to(prefix).is_none() =>
            {
                let depth = self.open.len();
                self.shadow_table_prefix(prefix, ns, depth);
                self.write_xmlns_as(prefix, ns, table.clean & bit != 0);
                self.bindings.push_static(prefix, ns, depth);
                self.forget_lookups();
                if self.tables_on && depth > 0 {
                    self.push_table(table, depth, bit);
                }
            }
            Some((prefix, ..)) => self.declare(prefix, ns),
            None => self.declare(fallback, ns),
        }
    }

    /// Binds `prefix` to `ns` on the element just opened.
    fn declare_here(&mut self, prefix: &str, ns: &str) {
        self.shadow_table_prefix(prefix, ns, self.open.len());
        self.write_xmlns(prefix, ns);
        self.bindings.push(prefix, ns, self.open.len());
        self.forget_lookups();
    }

    /// Opens an element with a fixed prefix, declaring it on this element (used for envelope
    /// elements whose prefix is part of a profile, such as `soap:` or `wsse:`).
    pub fn start_prefixed(&mut self, prefix: &'static str, ns: &str, local: &'static str) {
        self.close_start_tag();
        let bound = self.bindings.bound_to(prefix) == Some(ns);
        self.out.push('<');
        self.out.push_str(prefix);
        self.out.push(':');
        self.out.push_str(local);
        self.open.push(OpenName::Fixed {
            prefix,
            local,
            close: None,
        });
        self.tag_open = true;
        if !bound {
            self.declare_here(prefix, ns);
        }
    }

    /// [`start_prefixed`](Self::start_prefixed) with the tags pre-built: `start_tag` is
    /// `<{prefix}:{local}` (no `>`), `close_tag` is `</{prefix}:{local}>`, written in one piece
    /// when the innermost binding made is `prefix` for `ns` (`soap:Body` inside
    /// `soap:Envelope`; its tags are checked by a test); else the general path.
    pub(crate) fn start_prefixed_tags(
        &mut self,
        prefix: &'static str,
        ns: &'static str,
        local: &'static str,
        start_tag: &'static str,
        close_tag: &'static str,
    ) {
        let bound = self.bindings.list.last().is_some_and(|b| {
            same_name(self.bindings.prefix(b), prefix) && same_name(self.bindings.ns(b), ns)
        });
        if !bound {
            return self.start_prefixed(prefix, ns, local);
        }
        self.open_prebuilt(prefix, local, start_tag, close_tag);
    }

    /// Writes a pre-built start tag (without its `>`) and opens its element.
    fn open_prebuilt(
        &mut self,
        prefix: &'static str,
        local: &'static str,
        start_tag: &'static str,
        close_tag: &'static str,
    ) {
        self.close_start_tag();
        self.out.push_str(start_tag);
        self.open.push(OpenName::Fixed {
            prefix,
            local,
            close: Some(close_tag),
        });
        self.tag_open = true;
    }

    /// [`start_prefixed`](Self::start_prefixed) for the document element, with its start tag
    /// pre-built: `start_tag` is `<{prefix}:{local} xmlns:{prefix}="{ns}"` (no `>`; attributes
    /// may follow) and `close_tag` `</{prefix}:{local}>`, each written in one piece (the SOAP
    /// envelope; its tags are checked by a test).
    /// Anywhere but at the start of a document, the general path.
    pub(crate) fn start_prefixed_prebuilt(
        &mut self,
        prefix: &'static str,
        ns: &'static str,
        local: &'static str,
        start_tag: &'static str,
        close_tag: &'static str,
    ) {
        if !self.open.is_empty() || !self.bindings.list.is_empty() {
            return self.start_prefixed(prefix, ns, local);
        }
        self.open_prebuilt(prefix, local, start_tag, close_tag);
        self.bindings.push_static(prefix, ns, self.open.len());
        self.forget_lookups();
    }

    /// Adds an attribute to the element just opened. `ns` empty means an unqualified attribute.
    pub fn attr(&mut self, ns: &str, local: &str, value: &str) {
        if !self.tag_open {
            return;
        }
        let prefix = if ns.is_empty() {
            None
        } else {
            Some(match self.bindings.lookup(ns) {
                Some(p) => p.to_owned(),
                None => {
                    // The instance namespace gets its conventional prefix when it is free.
                    let preferred = (ns == super::XSI_NS).then_some("xsi");
                    let (p, local_decl) = self.bind(ns, preferred, self.open.len());
                    if local_decl {
                        self.write_xmlns(&p, ns);
                    }
                    p
                }
            })
        };
        self.out.push(' ');
        if let Some(prefix) = prefix {
            self.out.push_str(&prefix);
            self.out.push(':');
        }
        self.out.push_str(local);
        self.out.push_str("=\"");
        escape_attr_into(&mut self.out, value);
        self.out.push('"');
    }

    /// Adds `xsi:type` naming the type `ns`/`local` to the element just opened, binding a
    /// prefix for `ns` there when none is in scope (the value is a QName).
    pub fn xsi_type(&mut self, ns: &str, local: &str) {
        if !self.tag_open {
            return;
        }
        let value = if ns.is_empty() {
            local.to_owned()
        } else {
            let prefix = match self.bindings.lookup(ns) {
                Some(p) => p.to_owned(),
                None => {
                    let (p, local_decl) = self.bind(ns, None, self.open.len());
                    if local_decl {
                        self.write_xmlns(&p, ns);
                    }
                    p
                }
            };
            format!("{prefix}:{local}")
        };
        self.attr(super::XSI_NS, "type", &value);
    }

    /// Writes character data, escaped.
    pub fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.close_start_tag();
        escape_text_into(&mut self.out, text);
    }

    /// Writes character data made by the runtime of ASCII letters, digits and punctuation that
    /// needs no escaping (a date's `-`, `:`, `.`, `+`), without the escaping search and without
    /// a UTF-8 check. Each byte is taken as the character of its code point, and one that
    /// needs escaping is escaped as [`text`](Self::text) escapes it, so the output stays
    /// well-formed whatever the bytes (the runtime's own texts never need it).
    pub(crate) fn plain_ascii(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.close_start_tag();
        let plain = bytes.iter().fold(0u8, |seen, &b| {
            seen | (b & 0x80) | TEXT_ESCAPED[usize::from(b)]
        }) == 0;
        if plain && let Ok(text) = std::str::from_utf8(bytes) {
            self.out.push_str(text);
            return;
        }
        for &b in bytes {
            let mut utf8 = [0u8; 4];
            escape_text_into(&mut self.out, char::from(b).encode_utf8(&mut utf8));
        }
    }

    /// Writes `bytes` as `xs:base64Binary` character data (padded, no line breaks), encoded
    /// straight into the output: base64 never needs escaping.
    pub fn base64(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.close_start_tag();
        base64_simd::STANDARD.encode_append(bytes, &mut self.out);
    }

    /// Writes checked base64 text as character data, copied as it is (the base64 alphabet
    /// never needs escaping).
    pub fn base64_text(&mut self, text: &super::Base64Text) {
        if text.as_str().is_empty() {
            return;
        }
        self.close_start_tag();
        self.out.push_str(text.as_str());
    }

    /// Closes the innermost open element (as `<x/>` when it got no content).
    pub fn end(&mut self) {
        let Some(name) = self.open.pop() else {
            return;
        };
        let depth = self.open.len() + 1;
        if self.tag_open {
            self.out.push_str("/>");
            self.tag_open = false;
        } else if let OpenName::Tag(tag) = &name {
            self.out.push_str(tag.close);
        } else if let OpenName::Fixed {
            close: Some(close), ..
        } = &name
        {
            self.out.push_str(close);
        } else {
            self.out.push_str("</");
            match &name {
                OpenName::Buffered(mark) => self
                    .out
                    .push_str(self.names.get(*mark..).unwrap_or_default()),
                OpenName::Fixed { prefix, local, .. } => {
                    self.out.push_str(prefix);
                    self.out.push(':');
                    self.out.push_str(local);
                }
                OpenName::Static { prefix, local } => self.push_static_name(*prefix, local),
                OpenName::Tag(_) => {}
            }
            self.out.push('>');
        }
        while self.tables.last().is_some_and(|s| s.depth >= depth) {
            self.tables.pop();
        }
        if let OpenName::Buffered(mark) = name {
            self.names.truncate(mark);
        }
        if self.bindings.pop_from(depth) {
            self.forget_lookups();
        }
        if self.anchor.is_some_and(|a| a.depth >= depth) {
            self.anchor = None;
        }
    }

    /// `start` + `text` + `end`.
    pub fn leaf(&mut self, ns: &str, local: &str, text: &str) {
        self.start(ns, local);
        self.text(text);
        self.end();
    }

    /// Copies an already parsed element (for example a fault detail or an `xs:any` value),
    /// re-declaring the namespaces it uses.
    pub fn element(&mut self, element: &super::Element) {
        self.start(element.namespace(), element.local_name());
        for attr in element.attributes() {
            self.attr(&attr.ns, &attr.local, &attr.value);
        }
        for node in element.nodes() {
            match node {
                super::Node::Element(child) => self.element(child),
                super::Node::Text(text) => self.text(text),
            }
        }
        self.end();
    }

    /// Closes every open element and returns the document.
    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.end();
        }
        self.size_hint = self.out.len().clamp(1024, SIZE_HINT_MAX);
        std::mem::take(&mut self.out)
    }
}

/// The largest first capacity taken from an earlier document (larger ones grow as they go).
const SIZE_HINT_MAX: usize = 1 << 20;

impl Drop for XmlWriter {
    fn drop(&mut self) {
        Scratch {
            bindings: std::mem::take(&mut self.bindings),
            names: std::mem::take(&mut self.names),
            open: std::mem::take(&mut self.open),
            tables: std::mem::take(&mut self.tables),
            size_hint: self.size_hint,
        }
        .give_back();
    }
}

/// A writer's working storage (namespace bindings, open elements), kept per thread between
/// documents: allocating and freeing it was a third of writing a small message.
struct Scratch {
    bindings: Bindings,
    names: String,
    open: Vec<OpenName>,
    tables: Vec<TableScope>,
    /// The size of the last document finished on this thread: the next one's first capacity
    /// (a client writes the same few messages over and over).
    size_hint: usize,
}

thread_local! {
    static SCRATCH: std::cell::Cell<Option<Scratch>> = const { std::cell::Cell::new(None) };
}

/// Storage grown past this many bytes by an unusual document is freed, not kept.
const SCRATCH_KEPT: usize = 16 * 1024;

impl Scratch {
    /// The thread's kept storage, or new storage sized for a typical message.
    fn take() -> Self {
        SCRATCH
            .try_with(std::cell::Cell::take)
            .ok()
            .flatten()
            .unwrap_or_else(|| Self {
                bindings: Bindings {
                    buf: String::with_capacity(256),
                    list: Vec::with_capacity(8),
                },
                names: String::with_capacity(256),
                open: Vec::with_capacity(16),
                tables: Vec::with_capacity(4),
                size_hint: 1024,
            })
    }

    /// Keeps this storage, emptied, for the thread's next writer.
    fn give_back(mut self) {
        let held = self.bindings.buf.capacity()
            + self.bindings.list.capacity() * std::mem::size_of::<Binding>()
            + self.names.capacity()
            + self.open.capacity() * std::mem::size_of::<OpenName>()
            + self.tables.capacity() * std::mem::size_of::<TableScope>();
        if held > SCRATCH_KEPT || self.open.capacity() == 0 {
            return;
        }
        self.bindings.buf.clear();
        self.bindings.list.clear();
        self.names.clear();
        self.open.clear();
        self.tables.clear();
        // A thread being torn down has no storage to keep it in; it is freed then.
        let _ = SCRATCH.try_with(|c| c.set(Some(self)));
    }
}

/// Appends `n` in decimal (prefix numbers; `format!` costs more than the rest of a start tag).
fn push_decimal(out: &mut String, n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        if let Some(d) = digits.get_mut(at) {
            // `n % 10` < 10: the cast cannot truncate.
            #[allow(clippy::cast_possible_truncation)]
            {
                *d = b'0' + (n % 10) as u8;
            }
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(digits.get(at..).unwrap_or_default()).unwrap_or_default());
}

/// The name of an open element, for its end tag.
#[derive(Debug)]
enum OpenName {
    /// Copied into `names` from this position.
    Buffered(usize),
    /// A fixed prefix and local name (envelope elements), with the end tag when it was
    /// pre-built (`</prefix:local>`).
    Fixed {
        prefix: &'static str,
        local: &'static str,
        close: Option<&'static str>,
    },
    /// A static local name and its prefix (as the bindings hold it; empty: none).
    Static { prefix: Held, local: &'static str },
    /// A generated module's element written with its pre-built tag.
    Tag(&'static Tag),
}

/// The namespace bindings in scope, innermost last, with their names in one buffer (a binding
/// costs no allocation of its own).
#[derive(Debug, Default)]
struct Bindings {
    buf: String,
    list: Vec<Binding>,
}

#[derive(Debug, Clone, Copy)]
struct Binding {
    prefix: Held,
    ns: Held,
    /// Depth of the element that declared it.
    depth: usize,
}

/// A name the bindings hold: a `'static` text as it is (a generated table's or the envelope's:
/// not copied, and found again by its address), or a range of their buffer (any other).
#[derive(Debug, Clone, Copy)]
enum Held {
    Static(&'static str),
    Buf(usize, usize),
}

impl Held {
    /// No prefix.
    const NONE: Held = Held::Static("");

    /// Where it ends in the buffer (0 for a static text).
    fn end(self) -> usize {
        match self {
            Held::Static(_) => 0,
            Held::Buf(_, end) => end,
        }
    }
}

impl Bindings {
    fn text(&self, h: Held) -> &str {
        match h {
            Held::Static(s) => s,
            Held::Buf(start, end) => self.buf.get(start..end).unwrap_or_default(),
        }
    }

    fn prefix(&self, b: &Binding) -> &str {
        self.text(b.prefix)
    }

    fn ns(&self, b: &Binding) -> &str {
        self.text(b.ns)
    }

    fn copy(&mut self, text: &str) -> Held {
        let start = self.buf.len();
        self.buf.push_str(text);
        Held::Buf(start, self.buf.len())
    }

    fn push(&mut self, prefix: &str, ns: &str, depth: usize) {
        let b = Binding {
            prefix: self.copy(prefix),
            ns: self.copy(ns),
            depth,
        };
        self.list.push(b);
    }

    /// [`push`](Self::push) of static names: kept as they are.
    fn push_static(&mut self, prefix: &'static str, ns: &'static str, depth: usize) {
        self.list.push(Binding {
            prefix: Held::Static(prefix),
            ns: Held::Static(ns),
            depth,
        });
    }

    /// A binding made on the ancestor at `depth`: it goes after that element's own bindings
    /// (the list stays ordered outermost first).
    fn insert_at_depth(&mut self, prefix: &str, ns: &str, depth: usize) {
        let b = Binding {
            prefix: self.copy(prefix),
            ns: self.copy(ns),
            depth,
        };
        let place = self
            .list
            .iter()
            .position(|x| x.depth > depth)
            .unwrap_or(self.list.len());
        self.list.insert(place, b);
    }

    fn has_prefix(&self, prefix: &str) -> bool {
        self.list.iter().any(|b| same_name(self.prefix(b), prefix))
    }

    /// The namespace the innermost binding of `prefix` names.
    fn bound_to(&self, prefix: &str) -> Option<&str> {
        self.list
            .iter()
            .rev()
            .find(|b| same_name(self.prefix(b), prefix))
            .map(|b| self.ns(b))
    }

    /// The innermost binding of `ns` whose prefix is not shadowed by a later binding.
    fn lookup(&self, ns: &str) -> Option<&str> {
        if ns == XML_NS {
            // Bound by definition; declaring it is an error (Namespaces in XML §3).
            return Some("xml");
        }
        self.lookup_held(ns).map(|h| self.text(h))
    }

    /// [`lookup`](Self::lookup) as the prefix held (`None` for the `xml` namespace, which has
    /// no binding).
    fn lookup_held(&self, ns: &str) -> Option<Held> {
        for (i, b) in self.list.iter().enumerate().rev() {
            if !same_name(self.ns(b), ns) {
                continue;
            }
            let prefix = self.prefix(b);
            let later = self.list.get(i + 1..).unwrap_or_default();
            if !later.iter().any(|l| same_name(self.prefix(l), prefix)) {
                return Some(b.prefix);
            }
        }
        None
    }

    /// Ends the bindings made at `depth` or deeper; whether there were any.
    fn pop_from(&mut self, depth: usize) -> bool {
        let mut popped = false;
        while self.list.last().is_some_and(|b| b.depth >= depth) {
            self.list.pop();
            popped = true;
        }
        if popped {
            let end = self
                .list
                .iter()
                .map(|b| b.prefix.end().max(b.ns.end()))
                .max()
                .unwrap_or(0);
            self.buf.truncate(end);
        }
        popped
    }
}

/// Texts shorter than this are checked for bytes to escape with a table, longer ones with
/// memchr.
const SHORT: usize = 64;

/// The bytes element content escapes: `&`, `<`, `>`, CR.
const TEXT_ESCAPED: [u8; 256] = escaped(b"&<>\r");
/// The bytes attribute values escape: also `"`, tab and LF.
const ATTR_ESCAPED: [u8; 256] = escaped(b"&<>\r\"\t\n");

const fn escaped(bytes: &[u8]) -> [u8; 256] {
    let mut table = [0; 256];
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = 1;
        i += 1;
    }
    table
}

/// Whether `b` holds a byte `word` marks: eight bytes at a time as one word, the marks of all
/// words gathered without a branch (a branch per byte held the check to about a byte per cycle,
/// a branch per word to about two; values are mostly short, where memchr's setup costs more
/// than the search). The last few bytes are the last eight again, overlapping (a yes/no answer
/// does not mind seeing a byte twice), or padded with a byte no escaping marks when the text
/// is shorter than a word.
#[inline]
fn any_marked(b: &[u8], word: impl Fn(u64) -> u64) -> bool {
    let mut hits = 0u64;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        hits |= word(u64::from_le_bytes(w));
    }
    if !chunks.remainder().is_empty() {
        let mut w = [b'a'; 8];
        match b.len().checked_sub(8).and_then(|start| b.get(start..)) {
            Some(last) => w.copy_from_slice(last),
            None => {
                for (to, from) in w.iter_mut().zip(b) {
                    *to = *from;
                }
            }
        }
        hits |= word(u64::from_le_bytes(w));
    }
    hits != 0
}

const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Not zero when a byte of `x` is below `n` (`n` at most 0x80; exact as a yes/no answer).
#[inline]
fn below(x: u64, n: u8) -> u64 {
    x.wrapping_sub(LOW_BITS * u64::from(n)) & !x & HIGH_BITS
}

/// Not zero when a byte of `x` equals `b` (exact as a yes/no answer).
#[inline]
fn equal(x: u64, b: u8) -> u64 {
    below(x ^ (LOW_BITS * u64::from(b)), 1)
}

/// Not zero when a byte of `x` is `&`, `<`, `>` or CR (`<` and `>` differ in one bit: one
/// test).
#[inline]
fn text_word(x: u64) -> u64 {
    equal(x | (LOW_BITS * 0x02), b'>') | equal(x, b'&') | equal(x, b'\r')
}

/// Not zero when a byte of `x` is one attribute values escape: any control byte (tab, LF, CR;
/// the others are not XML and take the slow path to be copied as they are), `"` or `&` (one
/// bit apart), `<` or `>`.
#[inline]
fn attr_word(x: u64) -> u64 {
    below(x, 0x20) | equal(x | (LOW_BITS * 0x04), b'&') | equal(x | (LOW_BITS * 0x02), b'>')
}

/// Appends `text` escaped as element content (`&`, `<`, `>`, and CR as `&#13;` so parsing keeps
/// it).
pub(crate) fn escape_text_into(out: &mut String, text: &str) {
    let clean = |b: &[u8]| {
        if b.len() < SHORT {
            // Most values are short: one pass over a table beats two vectorised searches.
            !any_marked(b, text_word)
        } else {
            memchr::memchr3(b'&', b'<', b'>', b).is_none() && memchr::memchr(b'\r', b).is_none()
        }
    };
    escape_into(out, text, clean, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'\r' => Some("&#13;"),
        _ => None,
    });
}

/// `text` escaped as a double-quoted attribute value, for XML written as text (a schema
/// location, a namespace name spliced into a tag): what [`XmlWriter`] writes for an attribute.
pub fn escape_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_attr_into(&mut out, text);
    out
}

/// Appends `text` escaped as a double-quoted attribute value (also `"`, and tab, LF and CR as
/// character references so attribute-value normalisation keeps them).
pub(crate) fn escape_attr_into(out: &mut String, text: &str) {
    let clean = |b: &[u8]| {
        if b.len() < SHORT {
            !any_marked(b, attr_word)
        } else {
            memchr::memchr3(b'&', b'<', b'>', b).is_none()
                && memchr::memchr3(b'"', b'\t', b'\n', b).is_none()
                && memchr::memchr(b'\r', b).is_none()
        }
    };
    escape_into(out, text, clean, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\t' => Some("&#9;"),
        b'\n' => Some("&#10;"),
        b'\r' => Some("&#13;"),
        _ => None,
    });
}

/// Copies `text` into `out` in runs, replacing the bytes `escape` names. Every byte it names is
/// ASCII, so each run ends and starts on a character boundary. A text `clean` finds none of them
/// in (base64, most values; memchr's vectorised search) is one copy.
#[inline]
fn escape_into(
    out: &mut String,
    text: &str,
    clean: impl Fn(&[u8]) -> bool,
    escape: impl Fn(u8) -> Option<&'static str>,
) {
    if clean(text.as_bytes()) {
        out.push_str(text);
        return;
    }
    out.reserve(text.len());
    let mut run = 0;
    for (i, b) in text.bytes().enumerate() {
        if let Some(replacement) = escape(b) {
            out.push_str(text.get(run..i).unwrap_or_default());
            out.push_str(replacement);
            run = i + 1;
        }
    }
    out.push_str(text.get(run..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    /// The escaping as first written, one character at a time: the reference the fast path
    /// must match.
    fn reference(text: &str, attr: bool) -> String {
        let mut out = String::new();
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' if attr => out.push_str("&quot;"),
                '\t' if attr => out.push_str("&#9;"),
                '\n' if attr => out.push_str("&#10;"),
                '\r' => out.push_str("&#13;"),
                c => out.push(c),
            }
        }
        out
    }

    /// Every character class: the escaped ones, other ASCII controls and punctuation, letters,
    /// two-, three- and four-byte UTF-8.
    fn any_text() -> impl Strategy<Value = String> {
        let class = prop_oneof![
            prop::sample::select(vec!['&', '<', '>', '"', '\'', '\t', '\n', '\r', ' ']),
            prop::char::range('\u{0}', '\u{7f}'),
            prop::char::range('\u{80}', '\u{7ff}'),
            prop::char::range('\u{800}', '\u{d7ff}'),
            prop::char::range('\u{e000}', '\u{ffff}'),
            prop::char::range('\u{10000}', '\u{10ffff}'),
        ];
        prop::collection::vec(class, 0..64).prop_map(|v| v.into_iter().collect())
    }

    /// Every ASCII character, alone at every place of a clean text (the word-at-a-time checks
    /// must see it wherever it falls in a word), and beside two- to four-byte characters.
    #[test]
    fn each_character_is_found_at_each_place() {
        for c in (0u8..128).map(char::from).chain(['é', '€', '𝄞']) {
            for len in [1, 7, 8, 9, 16, 23, 40, 70] {
                for at in 0..len {
                    let mut text: String = "aé".repeat(len).chars().take(len).collect();
                    let byte_at = text.char_indices().nth(at).map_or(text.len(), |(i, _)| i);
                    text.insert(byte_at, c);
                    for attr in [false, true] {
                        let mut out = String::new();
                        if attr {
                            escape_attr_into(&mut out, &text);
                        } else {
                            escape_text_into(&mut out, &text);
                        }
                        assert_eq!(out, reference(&text, attr), "{c:?} at {at} of {len}");
                    }
                }
            }
        }
    }

    /// One step of building a document.
    #[derive(Debug, Clone)]
    enum Step {
        Start(usize, usize),
        End,
        Attr(usize),
        Declare(usize, usize),
        Text,
        /// A simple-typed element: empty, plain or escaped text.
        Leaf(usize, usize, usize),
    }

    const LEAF_TEXTS: [&str; 3] = ["", "t", "a&<b>\r"];

    const NAMESPACES: [&str; 5] = ["", "urn:a", "urn:b", "urn:c", crate::xml::XSI_NS];
    const LOCALS: [&str; 3] = ["x", "y", "z"];
    const PREFIXES: [&str; 4] = ["p", "q", "ns1", "ns2"];

    fn steps() -> impl Strategy<Value = Vec<Step>> {
        let step = prop_oneof![
            4 => (0..NAMESPACES.len(), 0..LOCALS.len()).prop_map(|(n, l)| Step::Start(n, l)),
            3 => Just(Step::End),
            1 => (1..NAMESPACES.len()).prop_map(Step::Attr),
            1 => (0..PREFIXES.len(), 1..NAMESPACES.len()).prop_map(|(p, n)| Step::Declare(p, n)),
            1 => Just(Step::Text),
            3 => (0..NAMESPACES.len(), 0..LOCALS.len(), 0..LEAF_TEXTS.len())
                .prop_map(|(n, l, t)| Step::Leaf(n, l, t)),
        ];
        prop::collection::vec(step, 0..60)
    }

    /// How `build` writes elements.
    #[derive(Clone, Copy)]
    enum Path<'a> {
        /// `start`/`end`, names looked up each time.
        General,
        /// `start_static`/`leaf_static`.
        Static,
        /// Pre-built tags of table 0, or of the table an `(at step, table, mask)` entry names
        /// for that step; each element enters its table as generated content types do.
        Tagged(&'a [(usize, usize, u64)]),
    }

    fn build(steps: &[Step], path: Path<'_>) -> String {
        let mut w = XmlWriter::new();
        w.start("", "root");
        // Pinned prefixes are declared right after a start tag, once each (as callers do).
        let mut declared_here: Vec<usize> = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            if !matches!(step, Step::Declare(..)) {
                declared_here.clear();
            }
            let (t, mask) = match path {
                Path::Tagged(enters) => enters
                    .iter()
                    .find(|(at, _, _)| *at == i)
                    .map_or((0, u64::MAX), |(_, t, m)| (*t, *m)),
                _ => (0, 0),
            };
            match step {
                Step::Start(n, l) => {
                    match path {
                        Path::General => w.start(NAMESPACES[*n], LOCALS[*l]),
                        Path::Static => w.start_static(NAMESPACES[*n], LOCALS[*l]),
                        Path::Tagged(_) => {
                            w.start_tag(tag(t, *n, *l));
                            w.enter(&TABLES[t], mask);
                        }
                    }
                    declared_here.push(usize::MAX);
                }
                Step::End => {
                    if w.open.len() > 1 {
                        w.end();
                    }
                }
                // Distinct names: the writer leaves attribute uniqueness to its callers.
                Step::Attr(n) => w.attr(NAMESPACES[*n], &format!("a{i}"), "v"),
                Step::Declare(p, n) => {
                    if declared_here.first() == Some(&usize::MAX) && !declared_here.contains(p) {
                        w.declare(PREFIXES[*p], NAMESPACES[*n]);
                        declared_here.push(*p);
                    }
                }
                Step::Text => w.text("t"),
                Step::Leaf(n, l, x) => match path {
                    Path::General => {
                        w.start(NAMESPACES[*n], LOCALS[*l]);
                        w.text(LEAF_TEXTS[*x]);
                        w.end();
                    }
                    Path::Static => {
                        w.leaf_static(NAMESPACES[*n], LOCALS[*l], |w| w.text(LEAF_TEXTS[*x]));
                    }
                    Path::Tagged(_) => w.leaf_tag(tag(t, *n, *l), |w| w.text(LEAF_TEXTS[*x])),
                },
            }
        }
        w.finish()
    }

    /// Two generated modules' tables: `urn:a` and `urn:b` in one, `urn:c` and `urn:a` (under
    /// another prefix) in the other.
    static TABLES: [NsTable; 2] = [
        NsTable::new(&[("ns1", "urn:a"), ("ns2", "urn:b")]),
        NsTable::new(&[("ns1", "urn:c"), ("ns2", "urn:a")]),
    ];

    /// The tag of `NAMESPACES[n]`/`LOCALS[l]` in table `t` (pre-built where the table has the
    /// namespace or it is none, else one only the general path writes).
    fn tag(t: usize, n: usize, l: usize) -> &'static Tag {
        let table = &TABLES[t];
        let (ns, local) = (NAMESPACES[n], LOCALS[l]);
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        let (index, open, close) = match table.find(ns) {
            Some((p, bit)) => (
                bit.trailing_zeros() as usize,
                leak(format!("<{p}:{local}>")),
                leak(format!("</{p}:{local}>")),
            ),
            None if ns.is_empty() => (64, leak(format!("<{local}>")), leak(format!("</{local}>"))),
            None => (64, "", ""),
        };
        Box::leak(Box::new(Tag::new(table, index, ns, local, open, close)))
    }

    proptest! {
        /// Pre-built tags write a document that means the same as the general path's (the
        /// same names, attributes and text; prefixes and where namespaces are declared may
        /// differ), whatever tables are entered with whatever entries, and whatever prefixes
        /// callers pin in between (a pinned `ns1`/`ns2` would shadow a table's).
        #[test]
        fn pre_built_tags_write_what_the_general_path_means(
            steps in steps(),
            enters in prop::collection::vec((0..60usize, 0..2usize, 0..4u64), 0..10),
        ) {
            let general = build(&steps, Path::General);
            let tagged = build(&steps, Path::Tagged(&enters));
            let a = crate::xml::parse(general.as_bytes());
            let b = crate::xml::parse(tagged.as_bytes());
            prop_assert!(b.is_ok(), "{}", tagged);
            prop_assert_eq!(a.ok(), b.ok(), "{} vs {}", general, tagged);
        }

        /// Static names (and leaves written without open-element bookkeeping) write the same
        /// document as the general path, whatever the sequence of elements, attributes and
        /// declarations (the prefix cache never goes stale).
        #[test]
        fn static_names_write_what_the_general_path_writes(steps in steps()) {
            let general = build(&steps, Path::General);
            prop_assert_eq!(build(&steps, Path::Static), general.clone());
            prop_assert!(crate::xml::parse(general.as_bytes()).is_ok(), "{}", general);
        }

        #[test]
        fn text_escaping_matches_the_reference(text in any_text()) {
            let mut out = String::from("prefix");
            escape_text_into(&mut out, &text);
            prop_assert_eq!(out, format!("prefix{}", reference(&text, false)));
        }

        #[test]
        fn base64_is_written_as_its_escaped_text(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let mut direct = XmlWriter::new();
            direct.start("", "d");
            direct.base64(&bytes);
            direct.end();
            let mut via_text = XmlWriter::new();
            via_text.start("", "d");
            via_text.text(&crate::xml::base64_to_text(&bytes));
            via_text.end();
            prop_assert_eq!(direct.finish(), via_text.finish());
        }

        #[test]
        fn attribute_escaping_matches_the_reference(text in any_text()) {
            let mut out = String::new();
            escape_attr_into(&mut out, &text);
            prop_assert_eq!(out, reference(&text, true));
        }
    }

    /// A pre-built start tag writes what `start_prefixed` writes; it is used only to start a
    /// document.
    #[test]
    fn pre_built_start_tags_write_what_start_prefixed_writes() {
        let write = |tag: Option<&'static str>, body: bool| {
            let mut w = XmlWriter::new();
            match tag {
                Some(t) => {
                    w.start_prefixed_prebuilt("soap", "urn:env", "Envelope", t, "</soap:Envelope>")
                }
                None => w.start_prefixed("soap", "urn:env", "Envelope"),
            }
            for local in ["Header", "Body"] {
                match (tag, local) {
                    (Some(_), "Body") => {
                        w.start_prefixed_tags(
                            "soap",
                            "urn:env",
                            local,
                            "<soap:Body",
                            "</soap:Body>",
                        );
                    }
                    (Some(_), _) => w.start_prefixed_tags(
                        "soap",
                        "urn:env",
                        local,
                        "<soap:Header",
                        "</soap:Header>",
                    ),
                    (None, _) => w.start_prefixed("soap", "urn:env", local),
                }
                if body {
                    w.leaf("", "x", "1");
                }
                w.end();
            }
            w.finish()
        };
        let expected =
            "<soap:Envelope xmlns:soap=\"urn:env\"><soap:Header/><soap:Body/></soap:Envelope>";
        let prebuilt = Some("<soap:Envelope xmlns:soap=\"urn:env\"");
        assert_eq!(write(None, false), expected);
        assert_eq!(write(prebuilt, false), expected);
        let full = "<soap:Envelope xmlns:soap=\"urn:env\"><soap:Header><x>1</x></soap:Header>\
                    <soap:Body><x>1</x></soap:Body></soap:Envelope>";
        assert_eq!(write(None, true), full);
        assert_eq!(write(prebuilt, true), full);
        // Not at the start of a document: the general path.
        let mut w = XmlWriter::new();
        w.start("urn:a", "outer");
        w.start_prefixed_prebuilt("soap", "urn:env", "Envelope", "<unused", "</unused>");
        w.end();
        assert_eq!(
            w.finish(),
            "<ns1:outer xmlns:ns1=\"urn:a\"><soap:Envelope xmlns:soap=\"urn:env\"/></ns1:outer>"
        );
        // Pre-built child tags where the prefix is not the innermost binding made, or is bound
        // to another namespace: the general path, which declares it.
        let mut w = XmlWriter::new();
        w.start_prefixed("soap", "urn:env", "Envelope");
        w.declare("a", "urn:a");
        w.start_prefixed_tags("soap", "urn:env", "Body", "<unused", "</unused>");
        w.start_prefixed_tags("soap", "urn:other", "Body", "<unused", "</unused>");
        assert_eq!(
            w.finish(),
            "<soap:Envelope xmlns:soap=\"urn:env\" xmlns:a=\"urn:a\"><soap:Body>\
             <soap:Body xmlns:soap=\"urn:other\"/></soap:Body></soap:Envelope>"
        );
    }

    /// Plain ASCII text is written as `text` writes it, escapes included.
    #[test]
    fn plain_ascii_writes_what_text_writes() {
        for bytes in [
            &b"2026-12-08"[..],
            b"",
            b"a&b<c>d\re\"f'",
            b"12:00:00.5+01:00",
        ] {
            let mut plain = XmlWriter::new();
            plain.start("", "d");
            plain.plain_ascii(bytes);
            let mut text = XmlWriter::new();
            text.start("", "d");
            text.text(std::str::from_utf8(bytes).unwrap());
            assert_eq!(plain.finish(), text.finish());
        }
        // Bytes above ASCII are the characters of their code points.
        let mut w = XmlWriter::new();
        w.start("", "d");
        w.plain_ascii(&[b'a', 0xE9]);
        assert_eq!(w.finish(), "<d>a\u{e9}</d>");
    }

    #[test]
    fn declares_each_namespace_once_and_escapes() {
        let mut w = XmlWriter::new();
        w.start_prefixed("soap", "urn:env", "Envelope");
        w.start_prefixed("soap", "urn:env", "Body");
        w.declare("ns1", "urn:a");
        w.start("urn:a", "root");
        w.attr("", "id", "a\"b<c");
        w.leaf("urn:a", "x", "1 < 2 & 3");
        w.start("urn:b", "y");
        w.end();
        w.leaf("", "plain", "");
        w.end();
        let xml = w.finish();
        assert_eq!(
            xml,
            "<soap:Envelope xmlns:soap=\"urn:env\"><soap:Body xmlns:ns1=\"urn:a\">\
             <ns1:root id=\"a&quot;b&lt;c\" xmlns:ns2=\"urn:b\"><ns1:x>1 &lt; 2 &amp; 3</ns1:x>\
             <ns2:y/><plain/></ns1:root></soap:Body></soap:Envelope>"
        );
    }

    #[test]
    fn namespaces_first_needed_below_the_outermost_element_are_declared_on_it() {
        let mut w = XmlWriter::with_prefixes("ns", 0);
        w.start("", "r");
        w.attr("", "id", "1");
        for _ in 0..3 {
            w.start("urn:a", "a");
            w.start("urn:b", "b");
            w.attr(crate::xml::XSI_NS, "nil", "true");
            w.end();
            w.end();
        }
        let xml = w.finish();
        // Siblings share the declarations instead of repeating them (and their prefixes).
        assert_eq!(
            xml,
            "<r id=\"1\" xmlns:ns0=\"urn:a\" xmlns:ns1=\"urn:b\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
             <ns0:a><ns1:b xsi:nil=\"true\"/></ns0:a><ns0:a><ns1:b xsi:nil=\"true\"/></ns0:a>\
             <ns0:a><ns1:b xsi:nil=\"true\"/></ns0:a></r>"
        );
        assert!(crate::xml::parse(xml.as_bytes()).is_ok());
    }

    #[test]
    fn each_message_part_declares_its_own_namespaces() {
        let mut w = XmlWriter::new();
        w.start_prefixed("soap", "urn:env", "Envelope");
        w.start_prefixed("soap", "urn:env", "Header");
        w.start("urn:h", "h");
        w.leaf("urn:x", "x", "1");
        w.end();
        w.end();
        w.start_prefixed("soap", "urn:env", "Body");
        w.start("urn:b", "b");
        w.leaf("urn:x", "x", "2");
        w.start("urn:b", "c");
        // A prefix the caller pins below the anchor stays where it is declared.
        w.declare("p", "urn:p");
        w.leaf("urn:p", "d", "3");
        w.end();
        w.leaf("urn:p", "e", "4");
        let xml = w.finish();
        assert_eq!(
            xml,
            "<soap:Envelope xmlns:soap=\"urn:env\"><soap:Header>\
             <ns1:h xmlns:ns1=\"urn:h\" xmlns:ns2=\"urn:x\"><ns2:x>1</ns2:x></ns1:h></soap:Header>\
             <soap:Body><ns3:b xmlns:ns3=\"urn:b\" xmlns:ns4=\"urn:x\" xmlns:ns5=\"urn:p\"><ns4:x>2</ns4:x>\
             <ns3:c xmlns:p=\"urn:p\"><p:d>3</p:d></ns3:c><ns5:e>4</ns5:e></ns3:b></soap:Body></soap:Envelope>"
        );
        let root = crate::xml::parse(xml.as_bytes()).unwrap();
        assert!(root.is("urn:env", "Envelope"));
    }
}
