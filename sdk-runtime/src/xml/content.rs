//! Table-driven content models: the generated code describes a type's children as a static
//! table of [`Particle`]s and reads or writes each field with one call; matching, ordering,
//! occurrence splitting and diagnostics live here, once, instead of in every generated type.

use smallvec::SmallVec;

use super::Element;
use super::doc::{ElementRef, NodeRef};
use super::read::{DecodeError, DecodeErrorKind, DiagnosticKind, ReadContext, XmlRead, XmlText};
use super::{Tag, XSI_NS, XmlWrite, XmlWriter};

/// One entry of a content-model table.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Particle {
    /// A named child element; `many` when it may repeat.
    Element {
        /// Namespace (empty when unqualified).
        ns: &'static str,
        /// Local name.
        local: &'static str,
        /// `maxOccurs` above 1.
        many: bool,
    },
    /// The elements of a nested model group (a sequence or choice type's own table); `many`
    /// when the group may repeat.
    Group {
        /// The group's own table.
        model: &'static [Particle],
        /// `maxOccurs` above 1.
        many: bool,
        /// An `xs:choice` (otherwise a sequence).
        choice: bool,
    },
    /// `xs:any`: an element no other particle names; `many` when it may repeat.
    Any {
        /// `maxOccurs` above 1.
        many: bool,
    },
}

impl Particle {
    /// A named element that occurs at most once.
    pub const fn one(ns: &'static str, local: &'static str) -> Self {
        Self::Element {
            ns,
            local,
            many: false,
        }
    }

    /// A named element that may repeat.
    pub const fn many(ns: &'static str, local: &'static str) -> Self {
        Self::Element {
            ns,
            local,
            many: true,
        }
    }

    /// A nested model group; `many` when it may repeat, `choice` for an `xs:choice`.
    pub const fn group(model: &'static [Particle], many: bool, choice: bool) -> Self {
        Self::Group {
            model,
            many,
            choice,
        }
    }

    /// Whether an element no particle names has a place here: a wildcard, or a group with
    /// one.
    fn has_wildcard(&self) -> bool {
        match self {
            Self::Any { .. } => true,
            Self::Group { model, .. } => model.iter().any(Particle::has_wildcard),
            Self::Element { .. } => false,
        }
    }

    /// A wildcard (`xs:any`); `many` when it may repeat.
    pub const fn any(many: bool) -> Self {
        Self::Any { many }
    }

    fn matches(&self, ns: &str, local: &str, exact: bool) -> bool {
        match self {
            Self::Element {
                ns: n, local: l, ..
            } => same_name(l, local) && (!exact || *n == ns),
            Self::Group { model, .. } => model.iter().any(|p| p.matches(ns, local, exact)),
            Self::Any { .. } => false,
        }
    }

    fn expected_ns(&self, local: &str) -> &'static str {
        match self {
            Self::Element { ns, .. } => ns,
            Self::Group { model: inner, .. } => inner
                .iter()
                .find(|p| p.matches("", local, false))
                .map_or("", |p| p.expected_ns(local)),
            Self::Any { .. } => "",
        }
    }

    fn repeats(&self) -> bool {
        match self {
            Self::Element { many, .. } | Self::Any { many } | Self::Group { many, .. } => *many,
        }
    }
}

/// `a == b` for element names, most of which differ in length or last byte: those are told
/// apart without calling `memcmp` (a child's slot is found by comparing its name with the
/// model's, and the comparisons showed in profiles of decoding).
#[inline]
fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().last() == b.as_bytes().last() && a == b
}

/// A model group (`xs:sequence` or `xs:choice`) used as a field: a repeated or nested
/// sequence, or a choice. Generated for group types; they have no element of their own.
pub trait XmlGroup: Sized {
    /// The group's own content model.
    const MODEL: &'static [Particle];
    /// `true` for a choice: each occurrence is one branch.
    const CHOICE: bool;
    /// Reads one occurrence from its child elements.
    fn read_group(children: &[ElementRef<'_>], cx: &mut ReadContext) -> Result<Self, DecodeError>;
    /// Writes one occurrence.
    fn write_group(&self, w: &mut XmlWriter);
}

/// The children of an element sorted into the slots of a content model.
#[derive(Debug)]
pub struct Content<'e> {
    /// (slot, element) in document order; a slot taken by a reader is [`TAKEN`]. Inline for
    /// the usual handful of children: no allocation per element read.
    items: SmallVec<[(u32, ElementRef<'e>); 16]>,
    /// Slots never decrease along `items` (the children came in schema order), so each slot's
    /// elements are one run found by binary search.
    in_order: bool,
    /// Slots already read (a bit per slot).
    taken: SmallVec<[u64; 1]>,
    text: String,
}

/// A slot number that fits no model (more than `u32::MAX` particles).
const TAKEN: u32 = u32::MAX;

/// The elements of one slot, as taken by a reader.
type Taken<'e> = SmallVec<[ElementRef<'e>; 4]>;

impl ReadContext {
    /// Sorts the children of `parent` into the slots of `model`. Unknown elements, elements
    /// out of schema order or in another namespace are accepted or skipped with a diagnostic;
    /// text between elements is reported unless `mixed`, in which case it is collected.
    /// Diagnostics come in document order.
    pub fn content<'e>(
        &mut self,
        parent: ElementRef<'e>,
        model: &[Particle],
        mixed: bool,
    ) -> Content<'e> {
        let mut content = Content::new();
        let mut last = 0;
        for node in parent.nodes() {
            match node {
                NodeRef::Element(child) => self.place(model, &mut content, &mut last, child),
                NodeRef::Text(t) if mixed => content.text.push_str(t),
                NodeRef::Text(t) => {
                    if !t.trim().is_empty() {
                        self.diagnose(
                            DiagnosticKind::UnexpectedText,
                            "text where only elements are expected; ignored",
                        );
                    }
                }
            }
        }
        content
    }

    /// Sorts already selected children (one occurrence of a group) into the slots of `model`.
    pub fn group_content<'e>(
        &mut self,
        children: &[ElementRef<'e>],
        model: &[Particle],
    ) -> Content<'e> {
        let mut content = Content::new();
        let mut last = 0;
        for child in children {
            self.place(model, &mut content, &mut last, *child);
        }
        content
    }

    /// Sorts the children of one occurrence of a choice into the slots of its branches
    /// (`model`, one particle per branch). Where branches share element names (`choice {
    /// sequence { a+, b? }, sequence { b } }`), first-match placement would put a lone `b` into
    /// the first branch and then miss its `a`; instead the branch is the first one that accepts
    /// every child, takes the fewest of them by wildcard only, has its first particle present,
    /// and leaves the fewest of its own particles unused. Children no branch
    /// accepts as a whole are placed one by one, with diagnostics, as in a sequence.
    pub fn choice_content<'e>(
        &mut self,
        children: &[ElementRef<'e>],
        model: &[Particle],
    ) -> Content<'e> {
        let fits = |branch: &Particle| -> Option<(usize, usize, usize)> {
            let inner: &[Particle] = match branch {
                Particle::Group { model: inner, .. } => inner,
                one => std::slice::from_ref(one),
            };
            let mut used = vec![false; inner.len()];
            let mut by_wildcard = 0;
            for child in children {
                let (i, exact) = slot_of(inner, child.namespace(), child.local_name())?;
                if !exact {
                    return None;
                }
                if !inner
                    .get(i)
                    .is_some_and(|p| p.matches(child.namespace(), child.local_name(), true))
                {
                    by_wildcard += 1;
                }
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
            }
            // Children matched by name beat children only a wildcard takes (xmldsig's
            // PGPData: `PGPKeyID` belongs to the first branch, not to the second's `any`);
            // then a branch whose first particle is present (sequences mostly start with a
            // required element: HL7's IVL `width` is `{width, high?}`, not `{low, width?}`);
            // then the fewest particles left unused.
            let first_missing = usize::from(!used.first().copied().unwrap_or(true));
            Some((
                by_wildcard,
                first_missing,
                used.iter().filter(|u| !**u).count(),
            ))
        };
        let best = model
            .iter()
            .enumerate()
            .filter_map(|(i, p)| fits(p).map(|score| (score, i)))
            .min();
        match best {
            Some((_, branch)) if !children.is_empty() => {
                let mut content = Content::new();
                let slot = u32::try_from(branch).unwrap_or(TAKEN);
                content
                    .items
                    .extend(children.iter().map(|child| (slot, *child)));
                content
            }
            _ => self.group_content(children, model),
        }
    }

    /// Puts one child into its slot, reporting what deviates from the schema; `last` is the
    /// highest slot filled so far.
    fn place<'e>(
        &mut self,
        model: &[Particle],
        content: &mut Content<'e>,
        last: &mut usize,
        child: ElementRef<'e>,
    ) {
        let (ns, local) = (child.namespace(), child.local_name());
        let Some((index, exact)) = slot_of(model, ns, local) else {
            self.diagnose_child_at(
                child,
                DiagnosticKind::UnknownElement,
                format!("unknown element `{{{ns}}}{local}`; skipped"),
            );
            return;
        };
        if !exact {
            let expected = model.get(index).map_or("", |p| p.expected_ns(local));
            self.diagnose_child_at(
                child,
                DiagnosticKind::NamespaceMismatch,
                format!(
                    "element in namespace `{ns}` where the schema has `{expected}`; accepted by local name"
                ),
            );
        }
        if index < *last {
            self.diagnose_child_at(
                child,
                DiagnosticKind::OutOfOrder,
                "element out of schema order; accepted".to_owned(),
            );
        }
        *last = (*last).max(index);
        content.push(index, child);
    }

    /// A required attribute.
    pub fn attr_one<T: XmlText>(
        &mut self,
        element: ElementRef<'_>,
        ns: &str,
        local: &str,
    ) -> Result<T, DecodeError> {
        let value = self.attribute_value(element, ns, local)?;
        self.required(value, &format!("@{local}"))
    }

    /// An optional attribute.
    pub fn attr_opt<T: XmlText>(
        &mut self,
        element: ElementRef<'_>,
        ns: &str,
        local: &str,
    ) -> Result<Option<T>, DecodeError> {
        self.attribute_value(element, ns, local)
    }
}

/// The slot of an element named `{ns}local` in `model`: the particle naming it, else a
/// wildcard, else a particle with that local name in another namespace (`false`: not exact).
fn slot_of(model: &[Particle], ns: &str, local: &str) -> Option<(usize, bool)> {
    model
        .iter()
        .position(|p| p.matches(ns, local, true))
        .map(|i| (i, true))
        .or_else(|| {
            model
                .iter()
                .position(Particle::has_wildcard)
                .map(|i| (i, true))
        })
        .or_else(|| {
            model
                .iter()
                .position(|p| p.matches(ns, local, false))
                .map(|i| (i, false))
        })
}

/// Like [`path_of`], but staying inside the group the previous element's path (`prev`) went
/// through when the element has a place there: in `choice { seq { low, choice { width, high }?
/// }, seq { center, width? } }` a `width` after `center` continues the second branch.
fn path_near(model: &[Particle], ns: &str, local: &str, prev: &[usize]) -> Vec<usize> {
    near(model, ns, local, prev).unwrap_or_else(|| path_of(model, ns, local))
}

/// The element's path inside the particle `prev` starts with (and, level by level, as close to
/// `prev` as it goes), if it has a place there.
fn near(model: &[Particle], ns: &str, local: &str, prev: &[usize]) -> Option<Vec<usize>> {
    let (&p, rest) = prev.split_first()?;
    match model.get(p)? {
        Particle::Group { model: inner, .. } => {
            let sub = near(inner, ns, local, rest).or_else(|| {
                let sub = path_of(inner, ns, local);
                let found = leaf_at(inner, &sub).is_some_and(|l| l.matches(ns, local, true));
                found.then_some(sub)
            })?;
            let mut path = vec![p];
            path.extend(sub);
            Some(path)
        }
        leaf => leaf.matches(ns, local, true).then(|| vec![p]),
    }
}

/// For a choice: the path of the last of `elements` if all of them fit one occurrence of the
/// branch `branch`, in order.
fn fits_branch(
    model: &[Particle],
    branch: usize,
    elements: &[ElementRef<'_>],
) -> Option<Vec<usize>> {
    let mut prev: Option<Vec<usize>> = None;
    for e in elements {
        let (ns, local) = (e.namespace(), e.local_name());
        let path = match &prev {
            None => near(model, ns, local, &[branch])?,
            Some(p) => near(model, ns, local, p)?,
        };
        if let Some(p) = &prev
            && !continues(model, true, p, &path)
        {
            return None;
        }
        prev = Some(path);
    }
    prev
}

/// The particle a path leads to.
fn leaf_at<'m>(model: &'m [Particle], path: &[usize]) -> Option<&'m Particle> {
    let (&i, rest) = path.split_first()?;
    match model.get(i)? {
        Particle::Group { model: inner, .. } if !rest.is_empty() => leaf_at(inner, rest),
        p => Some(p),
    }
}

/// Where an element falls in a (nested) content model: the particle index at each level, found
/// with the same preference as [`slot_of`] (exact name, then a wildcard, then the local name).
fn path_of(model: &[Particle], ns: &str, local: &str) -> Vec<usize> {
    fn find(model: &[Particle], hit: &dyn Fn(&Particle) -> bool, path: &mut Vec<usize>) -> bool {
        for (i, p) in model.iter().enumerate() {
            path.push(i);
            let found = match p {
                Particle::Group { model: inner, .. } => find(inner, hit, path),
                leaf => hit(leaf),
            };
            if found {
                return true;
            }
            path.pop();
        }
        false
    }
    let tries: [&dyn Fn(&Particle) -> bool; 3] = [
        &|p| p.matches(ns, local, true),
        &|p| matches!(p, Particle::Any { .. }),
        &|p| p.matches(ns, local, false),
    ];
    for hit in tries {
        let mut path = Vec::new();
        if find(model, hit, &mut path) {
            return path;
        }
    }
    vec![0]
}

/// Whether an element at `new` still belongs to the occurrence of a group (`model`, a choice
/// or a sequence) whose previous element was at `prev`: a sequence goes on while the order
/// advances, a choice while the same branch goes on; at the same particle, a repeating one
/// goes on and a nested group decides by the same rule.
fn continues(model: &[Particle], choice: bool, prev: &[usize], new: &[usize]) -> bool {
    let (Some(&p), Some(&n)) = (prev.first(), new.first()) else {
        return false;
    };
    if n != p {
        return !choice && n > p;
    }
    match model.get(n) {
        Some(Particle::Group {
            model: inner,
            many,
            choice: inner_choice,
        }) => *many || continues(inner, *inner_choice, &prev[1..], &new[1..]),
        Some(leaf) => leaf.repeats(),
        None => false,
    }
}

fn is_nil(e: ElementRef<'_>) -> bool {
    e.attribute(XSI_NS, "nil")
        .is_some_and(|v| matches!(v.trim(), "true" | "1"))
}

impl<'e> Content<'e> {
    fn new() -> Self {
        Self {
            items: SmallVec::new(),
            in_order: true,
            taken: SmallVec::new(),
            text: String::new(),
        }
    }

    fn push(&mut self, slot: usize, child: ElementRef<'e>) {
        let slot = u32::try_from(slot).unwrap_or(TAKEN);
        if self.items.last().is_some_and(|(s, _)| *s > slot) {
            self.in_order = false;
        }
        self.items.push((slot, child));
    }

    /// The text of mixed content (all character data, concatenated in document order).
    pub fn mixed_text(&mut self) -> String {
        std::mem::take(&mut self.text)
    }

    /// The first slot that received elements (a choice's branch).
    pub fn branch(&self) -> Option<usize> {
        self.items
            .iter()
            .filter(|(s, _)| *s != TAKEN && !self.is_taken(*s))
            .map(|(s, _)| *s as usize)
            .min()
    }

    /// Reports the elements of every other non-empty slot (another branch of a choice).
    pub fn others(&self, cx: &mut ReadContext, chosen: usize) {
        let mut others: SmallVec<[(u32, ElementRef<'e>); 16]> = self
            .items
            .iter()
            .filter(|(s, _)| *s != TAKEN && *s as usize != chosen && !self.is_taken(*s))
            .copied()
            .collect();
        // Slot by slot, each in document order.
        others.sort_by_key(|(s, _)| *s);
        for (_, e) in others {
            cx.diagnose_child_at(
                e,
                DiagnosticKind::UnknownElement,
                "element of another branch of a choice; skipped".to_owned(),
            );
        }
    }

    /// The elements of `slot` in document order; the slot is empty afterwards.
    fn take(&mut self, slot: usize) -> Taken<'e> {
        let Ok(slot32) = u32::try_from(slot) else {
            return Taken::new();
        };
        if self.is_taken(slot32) {
            return Taken::new();
        }
        self.mark_taken(slot);
        if self.in_order {
            let start = self.items.partition_point(|(s, _)| *s < slot32);
            self.items
                .get(start..)
                .unwrap_or_default()
                .iter()
                .take_while(|(s, _)| *s == slot32)
                .map(|(_, e)| *e)
                .collect()
        } else {
            self.items
                .iter()
                .filter(|(s, _)| *s == slot32)
                .map(|(_, e)| *e)
                .collect()
        }
    }

    fn mark_taken(&mut self, slot: usize) {
        let (word, bit) = (slot / 64, slot % 64);
        if self.taken.len() <= word {
            self.taken.resize(word + 1, 0);
        }
        if let Some(w) = self.taken.get_mut(word) {
            *w |= 1 << bit;
        }
    }

    fn is_taken(&self, slot: u32) -> bool {
        let slot = slot as usize;
        self.taken
            .get(slot / 64)
            .is_some_and(|w| w & (1 << (slot % 64)) != 0)
    }

    fn first(&mut self, cx: &mut ReadContext, slot: usize) -> Option<ElementRef<'e>> {
        if self.in_order && !self.is_taken(u32::try_from(slot).unwrap_or(TAKEN)) {
            // The usual case, without collecting: the first of the slot's run, and a
            // diagnostic for each further one.
            let slot32 = u32::try_from(slot).unwrap_or(TAKEN);
            self.mark_taken(slot);
            let start = self.items.partition_point(|(s, _)| *s < slot32);
            let mut run = self
                .items
                .get(start..)
                .unwrap_or_default()
                .iter()
                .take_while(|(s, _)| *s == slot32)
                .map(|(_, e)| *e);
            let first = run.next();
            for dup in run {
                cx.diagnose_child_at(
                    dup,
                    DiagnosticKind::Duplicate,
                    "element occurs more than once; the first is kept".to_owned(),
                );
            }
            return first;
        }
        let all = self.take(slot);
        let mut it = all.into_iter();
        let first = it.next();
        for dup in it {
            cx.diagnose_child_at(
                dup,
                DiagnosticKind::Duplicate,
                "element occurs more than once; the first is kept".to_owned(),
            );
        }
        first
    }

    /// A required simple-typed element.
    pub fn text_one<T: XmlText>(
        &mut self,
        cx: &mut ReadContext,
        slot: usize,
        local: &str,
    ) -> Result<T, DecodeError> {
        let v = self.text_opt(cx, slot)?;
        cx.required(v, local)
    }

    /// An optional (or nillable) simple-typed element; `xsi:nil` reads as `None`.
    pub fn text_opt<T: XmlText>(
        &mut self,
        cx: &mut ReadContext,
        slot: usize,
    ) -> Result<Option<T>, DecodeError> {
        match self.first(cx, slot) {
            Some(e) if is_nil(e) => Ok(None),
            Some(e) => cx.text_value(e).map(Some),
            None => Ok(None),
        }
    }

    /// A repeated simple-typed element.
    pub fn text_many<T: XmlText>(
        &mut self,
        cx: &mut ReadContext,
        slot: usize,
    ) -> Result<Vec<T>, DecodeError> {
        self.take(slot)
            .into_iter()
            .map(|e| cx.text_value(e))
            .collect()
    }

    /// A repeated nillable simple-typed element: an item with `xsi:nil="true"` reads as
    /// `None`, in its place.
    pub fn text_many_nil<T: XmlText>(
        &mut self,
        cx: &mut ReadContext,
        slot: usize,
    ) -> Result<Vec<Option<T>>, DecodeError> {
        self.take(slot)
            .into_iter()
            .map(|e| {
                if is_nil(e) {
                    Ok(None)
                } else {
                    cx.text_value(e).map(Some)
                }
            })
            .collect()
    }

    /// A required complex-typed element.
    pub fn complex_one<T: XmlRead>(
        &mut self,
        cx: &mut ReadContext,
        slot: usize,
        local: &str,
    ) -> Result<T, DecodeError> {
        let v = self.complex_opt(cx, slot)?;
        cx.required(v, local)
    }

    /// An optional (or nillable) complex-typed element; `xsi:nil` reads as `None`.
    pub fn complex_opt<T: XmlRead>(
        &mut self,
        cx: &mut ReadContext,
        slot: usize,
    ) -> Result<Option<T>, DecodeError> {
        match self.first(cx, slot) {
            Some(e) if is_nil(e) && !e.has_child_elements() => Ok(None),
            Some(e) => cx.complex_value(e).map(Some),
            None => Ok(None),
        }
    }

    /// A repeated complex-typed element.
    pub fn complex_many<T: XmlRead>(
        &mut self,
        cx: &mut ReadContext,
        slot: usize,
    ) -> Result<Vec<T>, DecodeError> {
        self.take(slot)
            .into_iter()
            .map(|e| cx.complex_value(e))
            .collect()
    }

    /// A repeated nillable complex-typed element: an item with `xsi:nil="true"` (and no child
    /// elements) reads as `None`, in its place.
    pub fn complex_many_nil<T: XmlRead>(
        &mut self,
        cx: &mut ReadContext,
        slot: usize,
    ) -> Result<Vec<Option<T>>, DecodeError> {
        self.take(slot)
            .into_iter()
            .map(|e| {
                if is_nil(e) && !e.has_child_elements() {
                    Ok(None)
                } else {
                    cx.complex_value(e).map(Some)
                }
            })
            .collect()
    }

    /// An `xs:any` element, kept as parsed.
    pub fn any_one(
        &mut self,
        cx: &mut ReadContext,
        slot: usize,
        local: &str,
    ) -> Result<Element, DecodeError> {
        let v = self.any_opt(cx, slot);
        cx.required(v, local)
    }

    /// An optional `xs:any` element.
    pub fn any_opt(&mut self, cx: &mut ReadContext, slot: usize) -> Option<Element> {
        self.first(cx, slot).map(|e| e.to_element())
    }

    /// Repeated `xs:any` elements.
    pub fn any_many(&mut self, slot: usize) -> Vec<Element> {
        self.take(slot).iter().map(ElementRef::to_element).collect()
    }

    /// A required model group.
    pub fn group_one<T: XmlGroup>(
        &mut self,
        cx: &mut ReadContext,
        slot: usize,
        what: &str,
    ) -> Result<T, DecodeError> {
        let v = self.group_opt(cx, slot)?;
        cx.required(v, what)
    }

    /// An optional model group: `None` when none of its elements is present.
    pub fn group_opt<T: XmlGroup>(
        &mut self,
        cx: &mut ReadContext,
        slot: usize,
    ) -> Result<Option<T>, DecodeError> {
        let mut all = self.group_many::<T>(cx, slot)?.into_iter();
        let first = all.next();
        if all.next().is_some() {
            cx.diagnose(
                DiagnosticKind::Duplicate,
                "a model group occurs more than once; the first is kept",
            );
        }
        Ok(first)
    }

    /// A repeated model group: the slot's elements are split into occurrences (a choice: one
    /// per branch taken; a sequence: a new occurrence whenever the order starts over).
    pub fn group_many<T: XmlGroup>(
        &mut self,
        cx: &mut ReadContext,
        slot: usize,
    ) -> Result<Vec<T>, DecodeError> {
        let all = self.take(slot);
        let mut out = Vec::new();
        let mut current: Vec<ElementRef<'e>> = Vec::new();
        let mut last: Option<Vec<usize>> = None;
        for e in all {
            let path = match &last {
                Some(prev) => path_near(T::MODEL, e.namespace(), e.local_name(), prev),
                None => path_of(T::MODEL, e.namespace(), e.local_name()),
            };
            let mut continues = last
                .as_deref()
                .is_none_or(|prev| continues(T::MODEL, T::CHOICE, prev, &path));
            let mut path = path;
            if !continues && T::CHOICE && !current.is_empty() {
                // The occurrence so far may belong to a later branch that also takes this
                // element (HL7's IVL: `width` then `high` is `{width, high?}`, not the first
                // branch's `(width | high)`).
                let mut with: Vec<ElementRef<'e>> = current.clone();
                with.push(e);
                if let Some(p) = (0..T::MODEL.len()).find_map(|b| fits_branch(T::MODEL, b, &with)) {
                    continues = true;
                    path = p;
                }
            }
            if !continues && !current.is_empty() {
                out.push(T::read_group(&current, cx)?);
                current.clear();
            }
            current.push(e);
            last = Some(path);
        }
        if !current.is_empty() {
            out.push(T::read_group(&current, cx)?);
        }
        Ok(out)
    }
}

impl ReadContext {
    /// An error for a choice none of whose branches is present.
    pub fn missing_choice(&self, what: &str) -> DecodeError {
        self.error(
            DecodeErrorKind::Missing,
            format!("none of the elements of {what} is present"),
        )
    }
}

/// Writes a required simple-typed element.
pub fn put_text<T: XmlText>(w: &mut XmlWriter, tag: &'static Tag, v: &T) {
    w.leaf_tag(tag, |w| v.write_xml_text(w));
}

/// Writes an optional simple-typed element.
pub fn put_text_opt<T: XmlText>(w: &mut XmlWriter, tag: &'static Tag, v: Option<&T>) {
    if let Some(v) = v {
        put_text(w, tag, v);
    }
}

/// Writes a required nillable simple-typed element (`None` → `xsi:nil="true"`).
pub fn put_text_nil<T: XmlText>(w: &mut XmlWriter, tag: &'static Tag, v: Option<&T>) {
    match v {
        Some(v) => put_text(w, tag, v),
        None => put_nil(w, tag),
    }
}

/// Writes a repeated simple-typed element.
pub fn put_text_all<T: XmlText>(w: &mut XmlWriter, tag: &'static Tag, v: &[T]) {
    for v in v {
        put_text(w, tag, v);
    }
}

/// Writes a repeated nillable simple-typed element (`None` items → `xsi:nil="true"`).
pub fn put_text_all_nil<T: XmlText>(w: &mut XmlWriter, tag: &'static Tag, v: &[Option<T>]) {
    for v in v {
        put_text_nil(w, tag, v.as_ref());
    }
}

/// Writes a required complex-typed element.
pub fn put_complex<T: XmlWrite>(w: &mut XmlWriter, tag: &'static Tag, v: &T) {
    w.start_tag(tag);
    v.write_xml(w);
    w.end();
}

/// Writes an optional complex-typed element.
pub fn put_complex_opt<T: XmlWrite>(w: &mut XmlWriter, tag: &'static Tag, v: Option<&T>) {
    if let Some(v) = v {
        put_complex(w, tag, v);
    }
}

/// Writes a required nillable complex-typed element (`None` → `xsi:nil="true"`).
pub fn put_complex_nil<T: XmlWrite>(w: &mut XmlWriter, tag: &'static Tag, v: Option<&T>) {
    match v {
        Some(v) => put_complex(w, tag, v),
        None => put_nil(w, tag),
    }
}

/// Writes a repeated complex-typed element.
pub fn put_complex_all<T: XmlWrite>(w: &mut XmlWriter, tag: &'static Tag, v: &[T]) {
    for v in v {
        put_complex(w, tag, v);
    }
}

/// Writes a repeated nillable complex-typed element (`None` items → `xsi:nil="true"`).
pub fn put_complex_all_nil<T: XmlWrite>(w: &mut XmlWriter, tag: &'static Tag, v: &[Option<T>]) {
    for v in v {
        put_complex_nil(w, tag, v.as_ref());
    }
}

fn put_nil(w: &mut XmlWriter, tag: &'static Tag) {
    w.start_tag(tag);
    w.attr(XSI_NS, "nil", "true");
    w.end();
}

/// Writes a model group's occurrences (`Option` and `Vec` fields pass their contents).
pub fn put_group<'a, T: XmlGroup + 'a>(w: &mut XmlWriter, v: impl IntoIterator<Item = &'a T>) {
    for v in v {
        v.write_group(w);
    }
}

/// Writes `xs:any` elements as they were parsed or built.
pub fn put_any<'a>(w: &mut XmlWriter, v: impl IntoIterator<Item = &'a Element>) {
    for v in v {
        w.element(v);
    }
}

/// Writes an attribute when present.
pub fn put_attr<T: XmlText>(w: &mut XmlWriter, ns: &str, local: &str, v: Option<&T>) {
    if let Some(v) = v {
        w.attr(ns, local, &v.to_xml_text());
    }
}

/// The text of an `xs:list` value: the items separated by single spaces.
pub fn list_to_text<T: XmlText>(items: &[T]) -> std::borrow::Cow<'static, str> {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&item.to_xml_text());
    }
    std::borrow::Cow::Owned(out)
}

/// Reads an `xs:list` value: whitespace-separated items.
pub fn list_from_text<T: XmlText>(text: &str) -> Result<Vec<T>, super::ValueError> {
    text.split_whitespace().map(T::from_xml_text).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::super::doc::Document;
    use super::*;

    fn parse(xml: &[u8]) -> Result<Document, super::super::ParseError> {
        Document::parse(xml)
    }

    const MODEL: &[Particle] = &[Particle::one("urn:a", "x"), Particle::one("urn:a", "y")];

    #[test]
    fn unknown_reordered_and_foreign_namespace_children_are_diagnosed() {
        let doc =
            parse(br#"<r xmlns="urn:a"><y>2</y><extra/><x xmlns="urn:other">1</x> stray </r>"#)
                .unwrap();
        let mut cx = ReadContext::new();
        cx.enter(doc.root());
        let mut c = cx.content(doc.root(), MODEL, false);
        assert_eq!(
            c.text_opt::<String>(&mut cx, 0).unwrap().as_deref(),
            Some("1")
        );
        assert_eq!(
            c.text_opt::<String>(&mut cx, 1).unwrap().as_deref(),
            Some("2")
        );
        let kinds: Vec<DiagnosticKind> = cx.diagnostics().iter().map(|d| d.kind).collect();
        assert_eq!(
            kinds,
            vec![
                DiagnosticKind::UnknownElement,
                DiagnosticKind::NamespaceMismatch,
                DiagnosticKind::OutOfOrder,
                DiagnosticKind::UnexpectedText
            ]
        );
        assert_eq!(cx.diagnostics()[0].path, "/r/extra");
    }

    /// `choice { sequence { a+, b? }, sequence { b } }` (gematik's CommandResponsePackage).
    const CHOICE: &[Particle] = &[
        Particle::group(
            &[Particle::many("urn:a", "a"), Particle::one("urn:a", "b")],
            false,
            false,
        ),
        Particle::group(&[Particle::one("urn:a", "b")], false, false),
    ];

    #[test]
    fn a_choice_takes_the_branch_that_fits_all_children() {
        let branch_of = |xml: &[u8]| {
            let doc = parse(xml).unwrap();
            let children: Vec<ElementRef<'_>> = doc.root().child_elements().collect();
            let mut cx = ReadContext::new();
            let c = cx.choice_content(&children, CHOICE);
            (c.branch(), cx.diagnostics().len())
        };
        assert_eq!(branch_of(br#"<r xmlns="urn:a"><b/></r>"#), (Some(1), 0));
        assert_eq!(
            branch_of(br#"<r xmlns="urn:a"><a/><a/><b/></r>"#),
            (Some(0), 0)
        );
        assert_eq!(branch_of(br#"<r xmlns="urn:a"><a/></r>"#), (Some(0), 0));
        // HL7's IVL: `{low, (width | high)?} | high | {width, high?}`: a lone `width` starts
        // the third branch, although the first would also take it.
        const IVL: &[Particle] = &[
            Particle::group(
                &[
                    Particle::one("urn:a", "low"),
                    Particle::group(
                        &[
                            Particle::one("urn:a", "width"),
                            Particle::one("urn:a", "high"),
                        ],
                        false,
                        true,
                    ),
                ],
                false,
                false,
            ),
            Particle::one("urn:a", "high"),
            Particle::group(
                &[
                    Particle::one("urn:a", "width"),
                    Particle::one("urn:a", "high"),
                ],
                false,
                false,
            ),
        ];
        let doc = parse(br#"<r xmlns="urn:a"><width/></r>"#).unwrap();
        let children: Vec<ElementRef<'_>> = doc.root().child_elements().collect();
        let mut cx = ReadContext::new();
        assert_eq!(cx.choice_content(&children, IVL).branch(), Some(2));
        // No branch accepts an unknown element: placed one by one, with a diagnostic.
        assert_eq!(branch_of(br#"<r xmlns="urn:a"><a/><z/></r>"#), (Some(0), 1));
    }

    /// One occurrence of xmldsig's `choice { HMACOutputLength, any ##other }`: the number of
    /// elements it got.
    struct Occurrence(usize);

    impl XmlGroup for Occurrence {
        const MODEL: &'static [Particle] = &[Particle::one("urn:a", "len"), Particle::any(false)];
        const CHOICE: bool = true;
        fn read_group(
            children: &[ElementRef<'_>],
            _: &mut ReadContext,
        ) -> Result<Self, DecodeError> {
            Ok(Self(children.len()))
        }
        fn write_group(&self, _: &mut XmlWriter) {}
    }

    #[test]
    fn a_repeated_choice_with_a_wildcard_branch_takes_one_element_per_occurrence() {
        // SignatureMethod: `(HMACOutputLength | any ##other)*` with two foreign elements.
        const MODEL: &[Particle] = &[Particle::group(Occurrence::MODEL, true, true)];
        let doc =
            parse(br#"<r xmlns="urn:a" xmlns:o="urn:o"><o:x/><o:y/><len>1</len></r>"#).unwrap();
        let mut cx = ReadContext::new();
        let mut c = cx.content(doc.root(), MODEL, false);
        let occurrences: Vec<usize> = c
            .group_many::<Occurrence>(&mut cx, 0)
            .unwrap()
            .into_iter()
            .map(|o| o.0)
            .collect();
        assert_eq!(occurrences, vec![1, 1, 1]);
        assert!(cx.diagnostics().is_empty(), "{:?}", cx.diagnostics());
    }
}
