//! XML writer, lenient namespace-aware reader, and the traits generated types implement.
