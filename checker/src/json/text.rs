//! [`Text`]: an immutable string behind one thin shared pointer, with short strings interned.

use arcstr::ArcStr;
use std::cell::RefCell;

/// An immutable, cheaply cloned string (one 8-byte pointer to its reference count, length and
/// bytes). Short strings read from a history (object keys, names of operations) are interned
/// per thread, so the millions of `"event"` keys of a long history share one allocation.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Text(ArcStr);

/// Strings up to this many bytes are interned.
const INTERN_MAX_LEN: usize = 24;
/// Slots of each thread's table of recently seen strings (a power of two).
const INTERN_SLOTS: usize = 1 << 16;

thread_local! {
    /// A direct-mapped cache: each short string has one slot, chosen by its hash. A new string
    /// takes the slot over unless its string was asked for again since the last newcomer (a
    /// second chance): recurring names stay shared even among millions of unique ids, which
    /// just pass through, and the table never grows.
    static INTERNED: RefCell<Vec<Slot>> = RefCell::new(vec![Slot::default(); INTERN_SLOTS]);
}

/// One slot of the table of interned strings.
#[derive(Clone, Default)]
struct Slot {
    text: Option<ArcStr>,
    /// Whether `text` was asked for again since it came or since the last newcomer.
    used: bool,
}

/// The slot of `text` (FNV-1a).
fn slot(text: &str) -> usize {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    (hash ^ (hash >> 32)) as usize & (INTERN_SLOTS - 1)
}

impl Text {
    /// `text`, shared with an equal short string read before on this thread when there is one.
    pub fn new(text: &str) -> Text {
        if text.len() > INTERN_MAX_LEN {
            return Text(ArcStr::from(text));
        }
        INTERNED.with(|table| {
            let mut table = table.borrow_mut();
            let entry = &mut table[slot(text)];
            match &entry.text {
                Some(shared) if shared.as_str() == text => {
                    entry.used = true;
                    Text(shared.clone())
                }
                _ if entry.used => {
                    entry.used = false;
                    Text(ArcStr::from(text))
                }
                _ => {
                    let shared = ArcStr::from(text);
                    entry.text = Some(shared.clone());
                    Text(shared)
                }
            }
        })
    }

    /// The string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_traits::string_traits!(Text);
