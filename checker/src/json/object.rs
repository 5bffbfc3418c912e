//! [`Object`]: a JSON object's entries, sorted by key, with the list of keys shared by every
//! object that has the same keys.

use super::interner::{fnv, Interner, FNV_START};
use super::{Json, Shared, Text};
use std::cell::RefCell;
use std::fmt;
use std::hash::{Hash, Hasher};

/// An object's keys, in order.
type Keys = Shared<Text>;

/// The entries of a JSON object, sorted by key, each key once: one 8-byte pointer to the
/// values, whose allocation starts with a pointer to the keys. A history's millions of
/// objects have a handful of key lists (`event, qty, user`), each held once per thread, so an
/// entry costs the 16 bytes of its value.
#[derive(Clone, Default)]
pub struct Object(Shared<Json, Keys>);

const _: () = assert!(size_of::<Object>() == 8);

thread_local! {
    /// This thread's recently made key lists.
    static KEYS: RefCell<Interner<Keys>> = RefCell::new(Interner::new());
}

impl Object {
    /// An object of `entries`, sorted by key, each key once (the caller sorts them).
    pub(super) fn of_sorted<K: AsRef<str>>(entries: Vec<(K, Json)>) -> Object {
        let keys = || entries.iter().map(|(k, _)| k.as_ref());
        let hash = keys().fold(FNV_START, |h, k| fnv(h, k.as_bytes()) ^ 0xff);
        let shared = KEYS.with(|table| {
            table.borrow_mut().get(
                hash,
                |known| known.iter().map(Text::as_str).eq(keys()),
                || Shared::new((), keys().map(Text::new)),
            )
        });
        Object(Shared::new(shared, entries.into_iter().map(|(_, v)| v)))
    }

    /// The keys, in order.
    pub fn keys(&self) -> &[Text] {
        self.0.header().map_or(&[], |keys| keys)
    }

    /// The values, in the order of their keys.
    pub fn values(&self) -> &[Json] {
        &self.0
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The entries, in key order.
    pub fn iter(&self) -> Entries<'_> {
        self.keys().iter().zip(self.values())
    }

    /// The value of `key`, when there is one.
    pub fn get(&self, key: &str) -> Option<&Json> {
        let keys = self.keys();
        let at = if keys.len() > 8 {
            keys.binary_search_by(|k| k.as_str().cmp(key)).ok()?
        } else {
            // A history's objects have a handful of short keys: a scan is faster than a search.
            let (len, first) = (key.len(), key.as_bytes().first());
            keys.iter().position(|k| {
                k.len() == len && k.as_bytes().first() == first && k.as_str() == key
            })?
        };
        self.values().get(at)
    }
}

/// The entries of an [`Object`], in key order.
pub type Entries<'a> = std::iter::Zip<std::slice::Iter<'a, Text>, std::slice::Iter<'a, Json>>;

impl<'a> IntoIterator for &'a Object {
    type Item = (&'a Text, &'a Json);
    type IntoIter = Entries<'a>;

    fn into_iter(self) -> Entries<'a> {
        self.iter()
    }
}

impl PartialEq for Object {
    fn eq(&self, other: &Object) -> bool {
        self.keys() == other.keys() && self.values() == other.values()
    }
}

impl Eq for Object {}

impl Hash for Object {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.keys().hash(state);
        self.values().hash(state);
    }
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}
