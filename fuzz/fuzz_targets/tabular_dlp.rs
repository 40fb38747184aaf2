#![no_main]
//! `tabular_dlp`: see `sdk_fuzz::TARGETS`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sdk_fuzz::target("tabular_dlp").map(|t| (t.run)(data));
});
