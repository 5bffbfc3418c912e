//! Interning: each distinct value a partition mentions becomes a small integer.

use crate::fast_hash::FastMap;

/// Maps distinct strings to dense ids and back, so states hold `u32`s instead of strings.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    ids: FastMap<String, u32>,
    texts: Vec<String>,
}

impl Interner {
    /// The id of `text`, adding it when new.
    pub fn intern(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = self.texts.len() as u32;
        self.ids.insert(text.to_owned(), id);
        self.texts.push(text.to_owned());
        id
    }

    /// The text of an id.
    pub fn text(&self, id: u32) -> &str {
        &self.texts[id as usize]
    }
}
