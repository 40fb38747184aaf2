#![no_main]
//! `as2_mime`: see `sdk_fuzz::TARGETS`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sdk_fuzz::target("as2_mime").map(|t| (t.run)(data));
});
