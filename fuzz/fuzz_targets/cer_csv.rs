#![no_main]
//! `cer_csv`: see `sdk_fuzz::TARGETS`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sdk_fuzz::target("cer_csv").map(|t| (t.run)(data));
});
