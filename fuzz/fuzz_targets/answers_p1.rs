#![no_main]
//! `answers_p1`: see `sdk_fuzz::TARGETS`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sdk_fuzz::target("answers_p1").map(|t| (t.run)(data));
});
