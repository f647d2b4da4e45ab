//! One per-thread scratch buffer for bytes that are built and then copied out once into an
//! allocation of exactly their size: encoded items and rendered answers.
//!
//! Building in a growing `Vec` of its own costs each item or answer several reallocations
//! and leaves spare capacity behind (holes between stored items; a second allocation when
//! an answer becomes `Bytes`). The scratch buffer keeps its capacity between uses, up to
//! [`KEEP_BYTES`]: a buffer that grew past it (a large item or answer) is dropped, so no
//! thread holds megabytes for the rest of its life.

use std::cell::RefCell;

/// Capacity a thread's scratch buffer keeps between uses.
pub const KEEP_BYTES: usize = 64 * 1024;

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `build` on the thread's scratch buffer, emptied first. Should `build` itself
/// ask for scratch space, the inner call gets a fresh buffer rather than a panic.
pub fn with<R>(build: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buffer) => {
            buffer.clear();
            let built = build(&mut buffer);
            if buffer.capacity() > KEEP_BYTES {
                *buffer = Vec::new();
            }
            built
        }
        Err(_) => build(&mut Vec::new()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_empty_nests_and_forgets_big_buffers() {
        with(|b| b.extend_from_slice(b"left over"));
        let inner = with(|outer| {
            assert!(outer.is_empty(), "emptied before each use");
            outer.push(1);
            with(|inner| {
                inner.push(2);
                inner.clone()
            })
        });
        assert_eq!(inner, [2]);
        with(|b| b.resize(KEEP_BYTES * 2, 0));
        SCRATCH.with(|s| assert!(s.borrow().capacity() <= KEEP_BYTES));
    }
}
