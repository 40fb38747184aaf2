//! HTTPS transport: rustls with a client identity (PKCS#12 or PEM), timeouts.
