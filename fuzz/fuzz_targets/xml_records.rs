#![no_main]
//! `xml_records`: see `sdk_fuzz::TARGETS`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sdk_fuzz::target("xml_records").map(|t| (t.run)(data));
});
