//! [`Str`]: a JSON string value, its bytes inline when short, else a shared [`Text`].

use super::Text;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

/// Strings up to this many bytes are held inline: with a tag and a length byte they fill the
/// 16 bytes of a [`Json`](super::Json) value.
pub const INLINE_MAX_LEN: usize = 14;

/// An immutable string value, cheap to clone: up to [`INLINE_MAX_LEN`] bytes (event and user
/// names, hold ids) inline, without any allocation; a longer one as a shared [`Text`]. Each
/// string has one form, chosen by its length, and equality, order and hashing go by the
/// string itself (hashing as `str` hashes, so maps keyed by `Str` are looked up by `&str`).
#[derive(Clone)]
pub struct Str(Repr);

/// The two forms of a [`Str`].
#[derive(Clone)]
enum Repr {
    /// The first `len` bytes of `bytes` (the rest are zero), a whole UTF-8 string.
    Inline {
        len: u8,
        bytes: [u8; INLINE_MAX_LEN],
    },
    /// A string longer than [`INLINE_MAX_LEN`] bytes.
    Shared(Text),
}

const _: () = assert!(size_of::<Str>() == 16);

impl Str {
    /// `text`, inline when it is short enough, else shared (and interned when fairly short).
    pub fn new(text: &str) -> Str {
        Str::inline(text).unwrap_or_else(|| Str(Repr::Shared(Text::new(text))))
    }

    /// `text` inline, when it is short enough.
    fn inline(text: &str) -> Option<Str> {
        let len = u8::try_from(text.len())
            .ok()
            .filter(|&len| usize::from(len) <= INLINE_MAX_LEN)?;
        let mut bytes = [0; INLINE_MAX_LEN];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        Some(Str(Repr::Inline { len, bytes }))
    }

    /// The string.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes } => {
                let bytes = &bytes[..usize::from(*len)];
                // SAFETY: `inline` copies the bytes of a whole `&str` and nothing else writes
                // them, so they are valid UTF-8.
                unsafe { std::str::from_utf8_unchecked(bytes) }
            }
            Repr::Shared(text) => text.as_str(),
        }
    }
}

impl From<Text> for Str {
    /// `text`, inline when it is short enough (so that each string has one form).
    fn from(text: Text) -> Str {
        Str::inline(&text).unwrap_or(Str(Repr::Shared(text)))
    }
}

impl From<&Str> for Text {
    fn from(text: &Str) -> Text {
        match &text.0 {
            Repr::Shared(shared) => shared.clone(),
            Repr::Inline { .. } => Text::new(text.as_str()),
        }
    }
}

impl PartialEq for Str {
    fn eq(&self, other: &Str) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Str {}

impl PartialOrd for Str {
    fn partial_cmp(&self, other: &Str) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Str {
    fn cmp(&self, other: &Str) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Str {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl Default for Str {
    fn default() -> Str {
        Str::new("")
    }
}

super::string_traits::string_traits!(Str);
