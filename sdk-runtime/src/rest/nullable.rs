//! A field that is optional *and* nullable: absent, `null` and a value are three different things.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The value of an optional, nullable JSON property (`nullable: true` and not `required`).
///
/// `Option<T>` cannot tell an absent property from an explicit `null`, yet many APIs do (a
/// `PATCH` that clears a field versus one that leaves it alone). Generated structs declare such
/// fields as
///
/// ```text
/// #[serde(default, skip_serializing_if = "Nullable::is_absent")]
/// pub field: Nullable<T>,
/// ```
///
/// so that an absent property stays absent and `null` is written as `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Nullable<T> {
    /// The property is not there.
    #[default]
    Absent,
    /// The property is there with the value `null`.
    Null,
    /// The property is there with a value.
    Value(T),
}

impl<T> Nullable<T> {
    /// `true` for [`Nullable::Absent`] (used by `skip_serializing_if`).
    pub fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }

    /// `true` for [`Nullable::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// The value, if there is one.
    pub fn as_ref(&self) -> Nullable<&T> {
        match self {
            Self::Absent => Nullable::Absent,
            Self::Null => Nullable::Null,
            Self::Value(v) => Nullable::Value(v),
        }
    }

    /// The value, if there is one (absent and `null` both give `None`).
    pub fn value(&self) -> Option<&T> {
        match self {
            Self::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The value, if there is one.
    pub fn into_option(self) -> Option<T> {
        match self {
            Self::Value(v) => Some(v),
            _ => None,
        }
    }
}

impl<T> From<Option<T>> for Nullable<T> {
    /// `None` becomes `null` (a present property), `Some(v)` a value.
    fn from(value: Option<T>) -> Self {
        match value {
            Some(v) => Self::Value(v),
            None => Self::Null,
        }
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // `Absent` is only serialized when the field lacks `skip_serializing_if`; `null` is the
            // closest JSON can say.
            Self::Absent | Self::Null => serializer.serialize_none(),
            Self::Value(v) => serializer.serialize_some(v),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    /// Called only when the property is present (absent ones take `#[serde(default)]`).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.into())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct S {
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        n: Nullable<u32>,
    }

    #[test]
    fn absent_null_and_value_round_trip_distinctly() {
        for (json, value) in [
            ("{}", Nullable::Absent),
            (r#"{"n":null}"#, Nullable::Null),
            (r#"{"n":7}"#, Nullable::Value(7)),
        ] {
            let s: S = serde_json::from_str(json).unwrap();
            assert_eq!(s.n, value);
            assert_eq!(serde_json::to_string(&s).unwrap(), json);
        }
    }
}
