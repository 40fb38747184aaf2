#![no_main]
//! `xml_document`: see `sdk_fuzz::TARGETS`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sdk_fuzz::target("xml_document").map(|t| (t.run)(data));
});
