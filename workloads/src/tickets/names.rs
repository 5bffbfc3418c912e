//! User names that read well in anomaly sentences.

/// First names for the first users; later users get a number appended.
const NAMES: [&str; 20] = [
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "karl",
    "laura", "mallory", "nina", "oscar", "peggy", "quinn", "rupert", "sybil", "trent",
];

/// The name of user number `n`: `alice`, `bob`, ..., then `alice2`, `bob2`, ...
pub fn user_name(n: usize) -> String {
    let base = NAMES[n % NAMES.len()];
    match n / NAMES.len() {
        0 => base.to_owned(),
        round => format!("{base}{}", round + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::user_name;

    #[test]
    fn names_are_distinct() {
        let names: std::collections::HashSet<String> = (0..500).map(user_name).collect();
        assert_eq!(names.len(), 500);
        assert_eq!(user_name(2), "carol");
        assert_eq!(user_name(21), "bob2");
    }
}
