#![no_main]
//! `chongqing`: see `sdk_fuzz::TARGETS`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sdk_fuzz::target("chongqing").map(|t| (t.run)(data));
});
