//! [`Shared`]: an immutable slice behind one thin reference-counted pointer.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use triomphe::ThinArc;

/// An immutable slice, cheap to clone: one 8-byte pointer to an allocation that holds the
/// reference count, a header `H`, the length and the elements (an `Arc<[T]>` is a 16-byte
/// pointer). An empty slice allocates nothing.
pub struct Shared<T, H = ()>(Option<ThinArc<H, T>>);

const _: () = assert!(size_of::<Shared<u64>>() == 8);

impl<T, H> Shared<T, H> {
    /// `items` with `header`; an empty slice drops its header.
    pub(super) fn new(header: H, items: impl ExactSizeIterator<Item = T>) -> Self {
        Shared((items.len() > 0).then(|| ThinArc::from_header_and_iter(header, items)))
    }

    /// The header, when the slice is not empty.
    pub(super) fn header(&self) -> Option<&H> {
        self.0.as_ref().map(|shared| &shared.header.header)
    }
}

impl<T, H> Deref for Shared<T, H> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        self.0.as_ref().map_or(&[], |shared| &shared.slice)
    }
}

impl<T, H> Clone for Shared<T, H> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T, H> Default for Shared<T, H> {
    fn default() -> Self {
        Shared(None)
    }
}

impl<T> From<Vec<T>> for Shared<T> {
    fn from(items: Vec<T>) -> Self {
        Shared::new((), items.into_iter())
    }
}

impl<T> FromIterator<T> for Shared<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        Shared::from(items.into_iter().collect::<Vec<T>>())
    }
}

/// Slices compare by their elements (a header is derived from them).
impl<T: PartialEq, H> PartialEq for Shared<T, H> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Eq, H> Eq for Shared<T, H> {}

impl<T: Hash, H> Hash for Shared<T, H> {
    fn hash<S: Hasher>(&self, state: &mut S) {
        (**self).hash(state);
    }
}

impl<T: fmt::Debug, H> fmt::Debug for Shared<T, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
