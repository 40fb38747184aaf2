//! A library with the C ABI of Chongqing's `SiInterface.dll` — `INIT()` and
//! `BUSINESS_HANDLE(in, out)`, system calling convention, 32-bit results — answering from
//! [`sdk_chongqing::sandbox::Sandbox`]. It lets the tests drive sdk-chongqing's whole path
//! (typed request → GBK line → FFI → answer buffer → typed answer) on Linux, as the vendor's
//! library would on Windows.

// Exported C functions take raw pointers: unsafe by nature.
#![allow(unsafe_code)]

use std::ffi::{CStr, c_char};
use std::sync::OnceLock;

use sdk_chongqing::sandbox::Sandbox;

fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(Sandbox::new)
}

/// `INIT()`: 0 (success).
#[unsafe(no_mangle)]
pub extern "system" fn INIT() -> i32 {
    sandbox().init()
}

/// `BUSINESS_HANDLE(in, out)`: answers the NUL-terminated request `input` into `output`, NUL
/// terminated, at most [`sdk_chongqing::sandbox::MAX_ANSWER`] + 1 bytes; returns 0, or -1 for
/// an interface failure. A null pointer returns -1 and writes nothing.
///
/// # Safety
///
/// `input` must be a NUL-terminated string and `output` must point to at least
/// `MAX_ANSWER + 1` writable bytes (the caller's contract, as with the vendor's library).
#[unsafe(no_mangle)]
pub unsafe extern "system" fn BUSINESS_HANDLE(input: *const c_char, output: *mut c_char) -> i32 {
    if input.is_null() || output.is_null() {
        return -1;
    }
    // SAFETY: `input` is non-null and NUL-terminated (the caller's contract).
    let request = unsafe { CStr::from_ptr(input) }.to_bytes();
    let (code, answer) = sandbox().business_handle(request);
    // SAFETY: `answer` is at most MAX_ANSWER bytes and `output` has room for it and the NUL
    // (the caller's contract); the regions do not overlap (`answer` is our own allocation).
    unsafe {
        std::ptr::copy_nonoverlapping(answer.as_ptr(), output.cast::<u8>(), answer.len());
        *output.add(answer.len()) = 0;
    }
    code
}
