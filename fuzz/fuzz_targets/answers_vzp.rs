#![no_main]
//! `answers_vzp`: see `sdk_fuzz::TARGETS`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sdk_fuzz::target("answers_vzp").map(|t| (t.run)(data));
});
