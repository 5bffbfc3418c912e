//! Shared by the witness tests: a history cut down to some operations, and the 1-minimality check
//! (the witness fails; without any one of its operations it passes).

use checker::history::History;

/// Only the operations of `h` named in `ids`.
pub fn keep(h: &History, ids: &[u64]) -> History {
    History {
        events: Vec::new(),
        operations: h
            .operations
            .iter()
            .filter(|op| ids.contains(&op.id))
            .cloned()
            .collect(),
    }
}

/// Asserts that `witness` fails by `fails`, and that removing any single operation makes it pass.
pub fn assert_one_minimal(
    h: &History,
    witness: &[u64],
    fails: impl Fn(&History) -> bool,
    what: &str,
) {
    assert!(
        fails(&keep(h, witness)),
        "{what}: the witness {witness:?} passes"
    );
    for &drop in witness {
        let rest: Vec<u64> = witness.iter().copied().filter(|&id| id != drop).collect();
        assert!(
            !fails(&keep(h, &rest)),
            "{what}: without op {drop} the witness {witness:?} still fails"
        );
    }
}
