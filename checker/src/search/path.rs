//! The order in which a configuration placed its operations: a persistent list shared between
//! configurations with a common past, so a failed search can show its longest linearizable prefix.

use std::rc::Rc;

/// One placed operation and the successor state it took, after the placements of `parent`.
struct Step {
    op: u32,
    choice: u32,
    parent: Path,
}

/// A list of placements, newest first; cloning shares it.
#[derive(Clone, Default)]
pub(crate) struct Path(Option<Rc<Step>>);

impl Path {
    /// This path followed by `op`, which took successor `choice`.
    pub fn then(&self, op: usize, choice: usize) -> Path {
        Path(Some(Rc::new(Step {
            op: op as u32,
            choice: choice as u32,
            parent: self.clone(),
        })))
    }

    /// The placements, oldest first, as `(op, choice)`.
    pub fn to_vec(&self) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        let mut at = &self.0;
        while let Some(step) = at {
            out.push((step.op, step.choice));
            at = &step.parent.0;
        }
        out.reverse();
        out
    }
}

impl Drop for Step {
    /// Frees an unshared tail iteratively: a path may be millions of steps long.
    fn drop(&mut self) {
        let mut next = self.parent.0.take();
        while let Some(rc) = next {
            match Rc::try_unwrap(rc) {
                Ok(mut step) => next = step.parent.0.take(),
                Err(_) => break,
            }
        }
    }
}
