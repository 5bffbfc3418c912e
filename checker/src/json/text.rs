//! [`Text`]: an immutable string behind one thin shared pointer, with short strings interned.

use super::interner::{fnv, Interner, FNV_START};
use arcstr::ArcStr;
use std::cell::RefCell;

/// An immutable, cheaply cloned string (one 8-byte pointer to its reference count, length and
/// bytes). Short strings read from a history (object keys, names of operations) are interned
/// per thread, so the millions of `"event"` keys of a long history share one allocation.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Text(ArcStr);

/// Strings up to this many bytes are interned.
const INTERN_MAX_LEN: usize = 24;

thread_local! {
    /// This thread's recently read short strings.
    static INTERNED: RefCell<Interner<ArcStr>> = RefCell::new(Interner::new());
}

impl Text {
    /// `text`, shared with an equal short string read before on this thread when there is one.
    pub fn new(text: &str) -> Text {
        if text.len() > INTERN_MAX_LEN {
            return Text(ArcStr::from(text));
        }
        Text(INTERNED.with(|table| {
            table.borrow_mut().get(
                fnv(FNV_START, text.as_bytes()),
                |shared| shared.as_str() == text,
                || ArcStr::from(text),
            )
        }))
    }

    /// The string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_traits::string_traits!(Text);
