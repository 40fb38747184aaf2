#![no_main]
//! `soap_envelope`: see `sdk_fuzz::TARGETS`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sdk_fuzz::target("soap_envelope").map(|t| (t.run)(data));
});
