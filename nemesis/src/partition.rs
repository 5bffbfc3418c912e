//! Pure computations of partition groups and grudges (who drops whose packets).

use crate::error::{NemesisError, Result};
use crate::fault::{Partition, PartitionKind};
use crate::rng::Rng;
use std::collections::{BTreeMap, BTreeSet};

/// Computes a partition of `kind` over `nodes`; `leader` is needed for `IsolateLeader`.
pub fn plan(
    kind: PartitionKind,
    nodes: &[String],
    leader: Option<&str>,
    rng: &mut Rng,
) -> Result<Partition> {
    if nodes.len() < 2 {
        return Err(NemesisError::Invalid(format!(
            "a partition needs at least 2 nodes, got {}",
            nodes.len()
        )));
    }
    match kind {
        PartitionKind::IsolateOne => Ok(isolate(kind, nodes, &nodes[rng.below(nodes.len())])),
        PartitionKind::IsolateLeader => match leader {
            Some(l) if nodes.iter().any(|n| n == l) => Ok(isolate(kind, nodes, l)),
            Some(l) => Err(NemesisError::Invalid(format!("leader `{l}` is not a node"))),
            None => Err(NemesisError::Invalid(
                "isolate-leader needs a leader, and none was found".into(),
            )),
        },
        PartitionKind::Halves => Ok(halves(nodes, rng)),
        PartitionKind::MajoritiesRing => majorities_ring(nodes, rng),
        PartitionKind::Bridge => bridge(nodes, rng),
    }
}

/// `node` alone on one side, everyone else on the other.
pub fn isolate(kind: PartitionKind, nodes: &[String], node: &str) -> Partition {
    let rest: Vec<String> = nodes.iter().filter(|n| *n != node).cloned().collect();
    from_components(kind, vec![vec![node.to_string()], rest])
}

/// Two random halves, the smaller first.
pub fn halves(nodes: &[String], rng: &mut Rng) -> Partition {
    let mut shuffled = nodes.to_vec();
    rng.shuffle(&mut shuffled);
    let second = shuffled.split_off(nodes.len() / 2);
    from_components(PartitionKind::Halves, vec![shuffled, second])
}

/// Two halves joined by one bridge node that sees both (needs 3 nodes or more).
pub fn bridge(nodes: &[String], rng: &mut Rng) -> Result<Partition> {
    if nodes.len() < 3 {
        return Err(NemesisError::Invalid(
            "a bridge partition needs at least 3 nodes".into(),
        ));
    }
    let mut shuffled = nodes.to_vec();
    rng.shuffle(&mut shuffled);
    let mid = (nodes.len() - 1) / 2;
    let bridge = shuffled[mid].clone();
    let mut left = shuffled[..=mid].to_vec();
    let mut right = shuffled[mid + 1..].to_vec();
    right.insert(0, bridge);
    left.sort();
    right.sort();
    Ok(from_components(PartitionKind::Bridge, vec![left, right]))
}

/// Every node sees a majority (itself and its ring neighbours), no two nodes the same majority.
/// The grudge is Jepsen's: a node drops packets from every node outside its view, so with an even
/// majority size (3 or 6 nodes) the views are not symmetric. Needs 3 nodes or more.
pub fn majorities_ring(nodes: &[String], rng: &mut Rng) -> Result<Partition> {
    let n = nodes.len();
    if n < 3 {
        return Err(NemesisError::Invalid(
            "a majorities ring needs at least 3 nodes".into(),
        ));
    }
    let mut ring = nodes.to_vec();
    rng.shuffle(&mut ring);
    let majority = n / 2 + 1;
    let back = (majority - 1) / 2;
    let mut groups = Vec::with_capacity(n);
    let mut grudge = BTreeMap::new();
    for i in 0..n {
        let view: BTreeSet<String> = (0..majority)
            .map(|k| ring[(i + n - back + k) % n].clone())
            .collect();
        let drops = nodes
            .iter()
            .filter(|x| !view.contains(*x))
            .cloned()
            .collect();
        grudge.insert(ring[i].clone(), drops);
        groups.push(view.into_iter().collect());
    }
    Ok(Partition {
        kind: PartitionKind::MajoritiesRing,
        groups,
        grudge,
    })
}

/// A partition where a node hears exactly the nodes it shares a component with.
pub fn from_components(kind: PartitionKind, components: Vec<Vec<String>>) -> Partition {
    let all: BTreeSet<&String> = components.iter().flatten().collect();
    let grudge = all
        .iter()
        .map(|node| {
            let seen: BTreeSet<&String> = components
                .iter()
                .filter(|c| c.contains(node))
                .flatten()
                .collect();
            let drops = all
                .iter()
                .filter(|x| !seen.contains(*x))
                .map(|x| (*x).clone())
                .collect();
            ((*node).clone(), drops)
        })
        .collect();
    Partition {
        kind,
        groups: components,
        grudge,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("n{i}")).collect()
    }

    /// The nodes `a` can talk to (both ways), including itself.
    fn reach(p: &Partition, nodes: &[String], a: &str) -> BTreeSet<String> {
        nodes
            .iter()
            .filter(|b| p.connected(a, b))
            .cloned()
            .collect()
    }

    #[test]
    fn isolate_cuts_one_node_from_all_others() {
        let nodes = names(5);
        let p = isolate(PartitionKind::IsolateLeader, &nodes, "n3");
        assert_eq!(reach(&p, &nodes, "n3").len(), 1);
        for other in ["n1", "n2", "n4", "n5"] {
            assert!(!p.connected("n3", other));
            assert_eq!(reach(&p, &nodes, other).len(), 4);
        }
    }

    #[test]
    fn halves_cover_all_nodes_and_do_not_talk() {
        for n in 2..8 {
            let nodes = names(n);
            let p = halves(&nodes, &mut Rng::new(n as u64));
            assert_eq!(p.groups.len(), 2);
            assert_eq!(p.groups[0].len(), n / 2);
            assert_eq!(p.groups[0].len() + p.groups[1].len(), n);
            for a in &p.groups[0] {
                for b in &p.groups[1] {
                    assert!(!p.connected(a, b));
                }
            }
        }
    }

    #[test]
    fn majorities_ring_views_are_distinct_majorities() {
        for n in 3..10 {
            let nodes = names(n);
            let p =
                majorities_ring(&nodes, &mut Rng::new(n as u64)).unwrap_or_else(|e| panic!("{e}"));
            let mut views = BTreeSet::new();
            for node in &nodes {
                let drops = &p.grudge[node];
                let hears: BTreeSet<&String> =
                    nodes.iter().filter(|x| !drops.contains(*x)).collect();
                assert!(hears.contains(node), "{node} must hear itself");
                assert!(hears.len() > n / 2, "{node} hears only {hears:?} of {n}");
                assert!(views.insert(hears), "two nodes share a view at n={n}");
            }
        }
        assert!(majorities_ring(&names(2), &mut Rng::new(1)).is_err());
    }

    #[test]
    fn majorities_ring_of_five_is_symmetric_with_two_neighbours_each() {
        let nodes = names(5);
        let p = majorities_ring(&nodes, &mut Rng::new(9)).unwrap_or_else(|e| panic!("{e}"));
        for a in &nodes {
            assert_eq!(reach(&p, &nodes, a).len(), 3, "{a}");
        }
    }

    #[test]
    fn bridge_node_sees_everyone_and_the_sides_do_not_meet() {
        for n in 3..9 {
            let nodes = names(n);
            let p = bridge(&nodes, &mut Rng::new(n as u64)).unwrap_or_else(|e| panic!("{e}"));
            let bridges: Vec<&String> = nodes
                .iter()
                .filter(|x| reach(&p, &nodes, x).len() == n)
                .collect();
            assert_eq!(bridges.len(), 1, "exactly one bridge at n={n}");
            let (left, right) = (&p.groups[0], &p.groups[1]);
            assert!(left.len().abs_diff(right.len()) <= 1);
            for a in left.iter().filter(|x| *x != bridges[0]) {
                for b in right.iter().filter(|x| *x != bridges[0]) {
                    assert!(!p.connected(a, b));
                }
            }
        }
    }

    #[test]
    fn plan_needs_a_leader_for_isolate_leader() {
        let nodes = names(3);
        let mut rng = Rng::new(1);
        assert!(plan(PartitionKind::IsolateLeader, &nodes, None, &mut rng).is_err());
        let p = plan(PartitionKind::IsolateLeader, &nodes, Some("n2"), &mut rng);
        assert!(p.is_ok_and(|p| p.groups[0] == vec!["n2".to_string()]));
        assert!(plan(PartitionKind::Halves, &names(1), None, &mut rng).is_err());
    }
}
