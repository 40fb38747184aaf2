#![no_main]
//! `answers_sukl`: see `sdk_fuzz::TARGETS`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sdk_fuzz::target("answers_sukl").map(|t| (t.run)(data));
});
