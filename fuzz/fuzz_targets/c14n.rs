#![no_main]
//! `c14n`: see `sdk_fuzz::TARGETS`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sdk_fuzz::target("c14n").map(|t| (t.run)(data));
});
