//! [`Text`]: an immutable string shared by reference count, with short strings interned.

use std::cell::RefCell;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// An immutable, cheaply cloned string. Short strings read from a history (keys, event and
/// user names) are interned per thread, so the millions of `"event"` keys of a long history
/// share one allocation.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(Arc<str>);

/// Strings up to this many bytes are interned.
const INTERN_MAX_LEN: usize = 24;
/// Slots of each thread's table of recently seen strings (a power of two).
const INTERN_SLOTS: usize = 1 << 16;

thread_local! {
    /// A direct-mapped cache: each short string has one slot, chosen by its hash. A new string
    /// takes the slot over unless its string was asked for again since the last newcomer (a
    /// second chance): recurring names stay shared even among millions of unique hold ids,
    /// which just pass through, and the table never grows.
    static INTERNED: RefCell<Vec<Slot>> = RefCell::new(vec![Slot::default(); INTERN_SLOTS]);
}

/// One slot of the table of interned strings.
#[derive(Clone, Default)]
struct Slot {
    text: Option<Arc<str>>,
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
            return Text(Arc::from(text));
        }
        INTERNED.with(|table| {
            let mut table = table.borrow_mut();
            let entry = &mut table[slot(text)];
            match &entry.text {
                Some(shared) if &**shared == text => {
                    entry.used = true;
                    Text(shared.clone())
                }
                _ if entry.used => {
                    entry.used = false;
                    Text(Arc::from(text))
                }
                _ => {
                    let shared: Arc<str> = Arc::from(text);
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

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text::new(text)
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text::new(&text)
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self == &*other.0
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Text, E> {
                Ok(Text::new(text))
            }
        }
        d.deserialize_str(Visitor)
    }
}
