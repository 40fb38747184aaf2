//! In-process mTLS servers and a throwaway PKI for sandboxes and tests.
