//! Cheap unique-looking ids: request ids shaped like DynamoDB's (52 upper-case
//! alphanumerics) and the random parts of table ids.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

const ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

static SEED: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static STATE: Cell<u64> = Cell::new(initial_state());
}

fn initial_state() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    nanos ^ SEED.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
}

/// splitmix64: ids need to be unique-looking, not unpredictable.
pub fn next_u64() -> u64 {
    STATE.with(|s| {
        let mut z = s.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        s.set(z);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    })
}

/// How long DynamoDB's request ids are.
pub const REQUEST_ID_LEN: usize = 52;

/// A request id, on the stack: every answer carries one, so it costs no allocation
/// until it becomes the header.
pub fn new_request_id() -> [u8; REQUEST_ID_LEN] {
    let mut out = [0u8; REQUEST_ID_LEN];
    for chunk in out.chunks_mut(10) {
        let mut r = next_u64();
        for c in chunk {
            // Six random bits scaled onto the 36 symbols: not quite uniform, which an id
            // that only has to look unique does not need.
            *c = ALPHABET[(((r & 63) * 36) >> 6) as usize];
            r >>= 6;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_look_like_dynamodbs() {
        let a = new_request_id();
        let b = new_request_id();
        assert!(a
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
        assert_ne!(a, b);
        // Every symbol turns up: the scaling reaches both ends of the alphabet.
        let many: Vec<u8> = (0..100).flat_map(|_| new_request_id()).collect();
        assert!(ALPHABET.iter().all(|c| many.contains(c)));
    }
}
