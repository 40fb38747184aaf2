//! Namespaces of the local elements of model groups used from another schema document.
//!
//! A local element declared inside `<xs:group name="G">` belongs to the namespace of the schema
//! document that declares G (when that document's `elementFormDefault`, or the element's own
//! `form`, makes it qualified), wherever G is used. xsd-parser 1.5.2 copies a referenced
//! group's particles into the referencing type and gives them the referencing type's namespace
//! and its document's `elementFormDefault`. This module works out, from the parsed (not yet
//! interpreted) schemas, which local element names of which namespace xsd-parser so misplaces,
//! and where each really belongs.
//!
//! The interpreted types keep no trace of the group an element came from, so the correction is
//! by (namespace of the referencing type, local name). When the same name in the same namespace
//! belongs to different namespaces in different places, no correction is made and a warning
//! says so.

use std::collections::{BTreeSet, HashMap};

use xsd_parser::models::schema::xs::{
    ComplexBaseType, ComplexBaseTypeContent, ComplexContentContent, ElementType,
    ElementTypeContent, ExtensionTypeContent, FormChoiceType, GroupType, GroupTypeContent,
    RestrictionTypeContent, SchemaContent,
};

/// Corrections of local element namespaces, by (namespace xsd-parser gave, local name): the
/// namespace the element belongs to (`""` for unqualified).
#[derive(Debug, Default)]
pub struct GroupForms {
    overrides: HashMap<(String, String), String>,
    /// Names that could not be corrected (several namespaces for one name).
    pub warnings: Vec<String>,
}

impl GroupForms {
    /// The namespace a local element named `local`, which xsd-parser placed in `ns`, belongs
    /// to, when it differs.
    pub fn corrected(&self, ns: &str, local: &str) -> Option<&str> {
        self.overrides
            .get(&(ns.to_owned(), local.to_owned()))
            .map(String::as_str)
    }
}

struct Doc<'s> {
    own_ns: String,
    qualified: bool,
    content: &'s [SchemaContent],
}

#[derive(Default)]
struct Seen {
    /// Where occurrences of the name belong.
    belongs: BTreeSet<String>,
    /// An occurrence that xsd-parser places elsewhere.
    misplaced: bool,
}

/// The referencing context of a walk: the referencing type's namespace and its document's
/// `elementFormDefault` (what xsd-parser applies), and the document declaring the particles.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    ref_ns: &'a str,
    ref_qualified: bool,
    decl: usize,
}

struct Walker<'s> {
    docs: Vec<Doc<'s>>,
    groups: HashMap<(String, String), (usize, &'s GroupType)>,
    seen: HashMap<(String, String), Seen>,
    /// Groups being expanded (a group may not contain itself, but a broken spec may try).
    active: Vec<(String, String)>,
}

/// Collects the corrections for a set of parsed schemas.
pub fn collect(parsed: &xsd_parser::Schemas) -> GroupForms {
    let mut docs = Vec::new();
    for (_, info) in parsed.schemas() {
        docs.push(Doc {
            own_ns: super::schema_namespace(parsed, info),
            qualified: info.schema.element_form_default == FormChoiceType::Qualified,
            content: &info.schema.content,
        });
    }
    let mut groups = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        for c in d.content {
            if let SchemaContent::Group(g) = c
                && let Some(name) = &g.name
            {
                groups
                    .entry((d.own_ns.clone(), name.clone()))
                    .or_insert((i, g));
            }
        }
    }
    let mut w = Walker {
        docs,
        groups,
        seen: HashMap::new(),
        active: Vec::new(),
    };
    for i in 0..w.docs.len() {
        let ns = w.docs[i].own_ns.clone();
        let ctx = Ctx {
            ref_ns: &ns,
            ref_qualified: w.docs[i].qualified,
            decl: i,
        };
        let content = w.docs[i].content;
        for c in content {
            match c {
                SchemaContent::ComplexType(ct) => w.complex(ct, ctx),
                SchemaContent::Element(e) => w.inline(e, ctx),
                _ => {}
            }
        }
    }
    let mut out = GroupForms::default();
    let mut keys: Vec<_> = w.seen.into_iter().filter(|(_, s)| s.misplaced).collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    for ((ns, local), s) in keys {
        if s.belongs.len() == 1 {
            if let Some(to) = s.belongs.into_iter().next() {
                out.overrides.insert((ns, local), to);
            }
        } else {
            out.warnings.push(format!(
                "local elements named `{local}` in types of namespace `{ns}` belong to several \
                 namespaces ({}) through model groups of other schema documents; they are \
                 written in `{ns}`",
                s.belongs
                    .iter()
                    .map(|b| if b.is_empty() {
                        "none".to_owned()
                    } else {
                        format!("`{b}`")
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    out
}

impl<'s> Walker<'s> {
    fn complex(&mut self, ct: &'s ComplexBaseType, ctx: Ctx<'_>) {
        for c in &ct.content {
            match c {
                ComplexBaseTypeContent::Sequence(g)
                | ComplexBaseTypeContent::Choice(g)
                | ComplexBaseTypeContent::All(g) => self.particles(&g.content, ctx),
                ComplexBaseTypeContent::Group(g) => self.group_ref(g, ctx),
                ComplexBaseTypeContent::ComplexContent(cc) => {
                    for c in &cc.content {
                        match c {
                            ComplexContentContent::Extension(x) => {
                                for c in &x.content {
                                    match c {
                                        ExtensionTypeContent::Sequence(g)
                                        | ExtensionTypeContent::Choice(g)
                                        | ExtensionTypeContent::All(g) => {
                                            self.particles(&g.content, ctx)
                                        }
                                        ExtensionTypeContent::Group(g) => self.group_ref(g, ctx),
                                        _ => {}
                                    }
                                }
                            }
                            ComplexContentContent::Restriction(r) => {
                                for c in &r.content {
                                    match c {
                                        RestrictionTypeContent::Sequence(g)
                                        | RestrictionTypeContent::Choice(g)
                                        | RestrictionTypeContent::All(g) => {
                                            self.particles(&g.content, ctx)
                                        }
                                        RestrictionTypeContent::Group(g) => self.group_ref(g, ctx),
                                        _ => {}
                                    }
                                }
                            }
                            ComplexContentContent::Annotation(_) => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// The anonymous complex type of an element declared in the document being walked.
    fn inline(&mut self, e: &'s ElementType, ctx: Ctx<'_>) {
        for c in &e.content {
            if let ElementTypeContent::ComplexType(ct) = c {
                self.complex(ct, ctx);
            }
        }
    }

    fn particles(&mut self, content: &'s [GroupTypeContent], ctx: Ctx<'_>) {
        for c in content {
            match c {
                GroupTypeContent::Element(e) => {
                    if e.ref_.is_some() {
                        continue;
                    }
                    let Some(name) = &e.name else { continue };
                    self.record(name, e.form, ctx);
                    // Anonymous types of elements declared where the walk started are read
                    // in that document; those inside another document's group are left as
                    // xsd-parser reads them.
                    if ctx.decl_is_ref_doc(self) {
                        self.inline(e, ctx);
                    }
                }
                GroupTypeContent::Group(g) => self.group_ref(g, ctx),
                GroupTypeContent::Sequence(g)
                | GroupTypeContent::Choice(g)
                | GroupTypeContent::All(g) => self.particles(&g.content, ctx),
                GroupTypeContent::Any(_) | GroupTypeContent::Annotation(_) => {}
            }
        }
    }

    fn group_ref(&mut self, g: &'s GroupType, ctx: Ctx<'_>) {
        let Some(r) = &g.ref_ else {
            self.particles(&g.content, ctx);
            return;
        };
        let ns = r
            .namespace()
            .map_or_else(|| self.docs[ctx.decl].own_ns.clone(), ToString::to_string);
        let key = (ns, String::from_utf8_lossy(r.local_name()).into_owned());
        let Some(&(decl, def)) = self.groups.get(&key) else {
            return;
        };
        if self.active.contains(&key) || self.active.len() > 64 {
            return;
        }
        self.active.push(key);
        self.particles(&def.content, Ctx { decl, ..ctx });
        self.active.pop();
    }

    fn record(&mut self, local: &str, form: Option<FormChoiceType>, ctx: Ctx<'_>) {
        let doc = &self.docs[ctx.decl];
        let belongs = if form.map_or(doc.qualified, |f| f == FormChoiceType::Qualified) {
            doc.own_ns.clone()
        } else {
            String::new()
        };
        let placed = if form.map_or(ctx.ref_qualified, |f| f == FormChoiceType::Qualified) {
            ctx.ref_ns
        } else {
            ""
        };
        let seen = self
            .seen
            .entry((ctx.ref_ns.to_owned(), local.to_owned()))
            .or_default();
        seen.misplaced |= belongs != placed;
        seen.belongs.insert(belongs);
    }
}

impl Ctx<'_> {
    /// Whether the particles being walked are declared in the referencing type's document.
    fn decl_is_ref_doc(&self, w: &Walker<'_>) -> bool {
        w.docs[self.decl].own_ns == self.ref_ns && w.docs[self.decl].qualified == self.ref_qualified
    }
}
