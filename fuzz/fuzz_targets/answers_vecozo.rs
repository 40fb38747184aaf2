#![no_main]
//! `answers_vecozo`: see `sdk_fuzz::TARGETS`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sdk_fuzz::target("answers_vecozo").map(|t| (t.run)(data));
});
