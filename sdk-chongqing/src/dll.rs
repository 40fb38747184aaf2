//! The vendor library, loaded at run time.
//!
//! The VB6 client declares `INIT() As Long` and `BUSINESS_HANDLE(ByVal InputData As String,
//! ByVal OutputData As String) As Long`: two functions of the platform's system calling
//! convention (stdcall on 32-bit Windows), ANSI (here GBK) strings, a 32-bit result, and an
//! answer buffer the caller allocates (1024 bytes in that client) and the library fills with a
//! NUL-terminated string. Nothing tells the library the buffer's size, so the buffer here is
//! larger than any known answer and followed by a guard area: an answer that reaches into the
//! guard is refused as [`TransportError::OutputOverflow`] instead of being read.

// Calling a foreign library is unsafe by nature; this module is the only place that does it.
#![allow(unsafe_code)]

use std::ffi::{CString, c_char};
use std::sync::Mutex;

use crate::transport::{Transport, TransportError};

type InitFn = unsafe extern "system" fn() -> i32;
type HandleFn = unsafe extern "system" fn(*const c_char, *mut c_char) -> i32;

/// The default answer buffer: far above the 1024 bytes the known client allocates.
pub const DEFAULT_OUTPUT_CAPACITY: usize = 64 * 1024;
/// The guard area after the buffer, checked after every call.
const GUARD: usize = 64 * 1024;
/// The guard's fill byte.
const GUARD_BYTE: u8 = 0xA5;

/// The interface's library (`SiInterface.dll`), loaded at run time. Calls are serialised: the
/// library is not known to be reentrant.
pub struct DllTransport {
    path: String,
    init: InitFn,
    handle: HandleFn,
    capacity: usize,
    /// Serialises calls, and holds the answer buffer between them.
    buffer: Mutex<Vec<u8>>,
    // Keeps the library loaded as long as the function pointers above are used. Declared last:
    // fields drop in order, so the pointers go before the library does.
    _library: libloading::Library,
}

impl std::fmt::Debug for DllTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DllTransport")
            .field("path", &self.path)
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl DllTransport {
    /// Loads the library at `path` and finds `INIT` and `BUSINESS_HANDLE` in it.
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Self, TransportError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        // SAFETY: loading a library runs its initialisers; the caller names the vendor's
        // interface library (or our test library), whose initialisers are trusted like any
        // code the application links.
        let library =
            unsafe { libloading::Library::new(path) }.map_err(|e| TransportError::Library {
                path: shown.clone(),
                reason: e.to_string(),
            })?;
        // SAFETY: the symbols are the interface's two functions with the signatures the
        // vendor's client declares (see the module docs); the pointers are used only while
        // `library` is held by the returned value.
        let init: InitFn = unsafe { library.get::<InitFn>(b"INIT\0") }
            .map(|s| *s)
            .map_err(|e| TransportError::Symbol {
                name: "INIT",
                reason: e.to_string(),
            })?;
        // SAFETY: as above.
        let handle: HandleFn = unsafe { library.get::<HandleFn>(b"BUSINESS_HANDLE\0") }
            .map(|s| *s)
            .map_err(|e| TransportError::Symbol {
                name: "BUSINESS_HANDLE",
                reason: e.to_string(),
            })?;
        Ok(Self {
            path: shown,
            init,
            handle,
            capacity: DEFAULT_OUTPUT_CAPACITY,
            buffer: Mutex::new(Vec::new()),
            _library: library,
        })
    }

    /// Sets the answer buffer's size (bytes, the terminating NUL included).
    pub fn with_output_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity.max(1);
        self
    }

    /// The answer buffer's size.
    pub fn output_capacity(&self) -> usize {
        self.capacity
    }
}

impl Transport for DllTransport {
    fn init(&self) -> Result<i32, TransportError> {
        let _guard = self
            .buffer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // SAFETY: `INIT` takes no arguments; the library is loaded (held by `self`).
        Ok(unsafe { (self.init)() })
    }

    fn business_handle(&self, input: &[u8]) -> Result<(i32, Vec<u8>), TransportError> {
        let input = CString::new(input).map_err(|_| TransportError::InputNul)?;
        let mut buffer = self
            .buffer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        buffer.clear();
        buffer.resize(self.capacity, 0);
        buffer.resize(self.capacity + GUARD, GUARD_BYTE);
        // SAFETY: `input` is NUL-terminated and outlives the call; `buffer` holds `capacity`
        // zeroed bytes followed by a guard area, more than any answer the library is known to
        // write; the library is loaded (held by `self`); calls are serialised by the lock.
        let code = unsafe { (self.handle)(input.as_ptr(), buffer.as_mut_ptr().cast::<c_char>()) };
        if buffer
            .get(self.capacity..)
            .is_some_and(|g| g.iter().any(|b| *b != GUARD_BYTE))
        {
            return Err(TransportError::OutputOverflow {
                capacity: self.capacity,
            });
        }
        let written = buffer.get(..self.capacity).unwrap_or_default();
        let end = written
            .iter()
            .position(|b| *b == 0)
            .ok_or(TransportError::NotTerminated {
                capacity: self.capacity,
            })?;
        Ok((code, written.get(..end).unwrap_or_default().to_vec()))
    }
}
