#![no_main]
//! `vzp_files`: see `sdk_fuzz::TARGETS`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sdk_fuzz::target("vzp_files").map(|t| (t.run)(data));
});
