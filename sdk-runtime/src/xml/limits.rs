//! The limits of the XML readers: what a hostile or broken answer may not make them hold.
//!
//! Memory for a whole answer is already bounded by the transport's answer-size limit
//! ([`crate::transport::HttpClientBuilder::max_response_bytes`]), and a streamed answer by each
//! record's size. These limits bound the shapes inside: how deep elements nest (the generated
//! readers recurse), how many attributes and children one element has, and how long one
//! attribute value or text is. Each is configurable per client
//! ([`crate::transport::HttpClientBuilder::xml_limits`]) and refused with
//! [`DecodeErrorKind::Limit`](super::DecodeErrorKind::Limit) naming it. Document type
//! declarations (and so entity declarations: billion laughs, external entities) are refused in
//! every message whatever the limits; the generator reads trusted spec files with its own
//! parser.

use std::fmt;

/// One limit of [`Limits`], as an error names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum XmlLimit {
    /// [`Limits::max_depth`].
    Depth,
    /// [`Limits::max_attributes`].
    Attributes,
    /// [`Limits::max_attribute_bytes`].
    AttributeBytes,
    /// [`Limits::max_text_bytes`].
    TextBytes,
    /// [`Limits::max_children`].
    Children,
}

impl XmlLimit {
    /// The limit's name, as the [`Limits`] field is called.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Depth => "max_depth",
            Self::Attributes => "max_attributes",
            Self::AttributeBytes => "max_attribute_bytes",
            Self::TextBytes => "max_text_bytes",
            Self::Children => "max_children",
        }
    }
}

impl fmt::Display for XmlLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The limits of the XML readers (see the module docs). [`Limits::default`] is safe for every
/// service of the family; raise one only for a service known to need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Deepest element nesting (256; [`super::MAX_DEPTH`]).
    pub max_depth: usize,
    /// Attributes of one element, namespace declarations included (256).
    pub max_attributes: usize,
    /// Bytes of one attribute value (1 MiB).
    pub max_attribute_bytes: usize,
    /// Bytes of one text (64 MiB: a base64 document as large as a whole answer may be).
    pub max_text_bytes: usize,
    /// Child nodes (elements and texts) of one element (1,000,000).
    pub max_children: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl Limits {
    /// The defaults.
    pub const DEFAULT: Limits = Limits {
        max_depth: super::MAX_DEPTH,
        max_attributes: 256,
        max_attribute_bytes: 1 << 20,
        max_text_bytes: 64 << 20,
        max_children: 1_000_000,
    };

    /// Sets [`max_depth`](Self::max_depth) (at most [`super::MAX_DEPTH`]: the readers recurse).
    pub fn with_max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth.min(super::MAX_DEPTH);
        self
    }

    /// Sets [`max_attributes`](Self::max_attributes).
    pub fn with_max_attributes(mut self, n: usize) -> Self {
        self.max_attributes = n;
        self
    }

    /// Sets [`max_attribute_bytes`](Self::max_attribute_bytes).
    pub fn with_max_attribute_bytes(mut self, n: usize) -> Self {
        self.max_attribute_bytes = n;
        self
    }

    /// Sets [`max_text_bytes`](Self::max_text_bytes).
    pub fn with_max_text_bytes(mut self, n: usize) -> Self {
        self.max_text_bytes = n;
        self
    }

    /// Sets [`max_children`](Self::max_children).
    pub fn with_max_children(mut self, n: usize) -> Self {
        self.max_children = n;
        self
    }
}
