#![no_main]
//! `wssec_verify`: see `sdk_fuzz::TARGETS`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sdk_fuzz::target("wssec_verify").map(|t| (t.run)(data));
});
