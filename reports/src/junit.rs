//! junit.xml: one test case per check (linearizability per partition, sessions, ledger), so a CI
//! system shows which check failed and why.

use crate::escape::escape;
use checker::verdict::{AnomalyResult, Results, Verdict};
use std::fmt::Write;

/// One test case: its name, its verdict and the message shown when it did not pass.
struct Case {
    name: String,
    verdict: Verdict,
    message: String,
    seconds: f64,
}

/// Renders the JUnit XML of a run. Invalid checks are `<failure>`s, unknown ones `<error>`s (the
/// check could not finish), valid ones pass.
pub fn junit_xml(test_name: &str, results: &Results) -> String {
    let cases = cases(results);
    let failures = cases
        .iter()
        .filter(|c| c.verdict == Verdict::Invalid)
        .count();
    let errors = cases
        .iter()
        .filter(|c| c.verdict == Verdict::Unknown)
        .count();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"frenzy\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{:.3}\">",
        cases.len(),
        results.check_ms / 1000.0
    );
    let _ = writeln!(
        xml,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{:.3}\">",
        escape(test_name),
        cases.len(),
        results.check_ms / 1000.0
    );
    for case in &cases {
        let _ = write!(
            xml,
            "    <testcase classname=\"frenzy.{}\" name=\"{}\" time=\"{:.3}\"",
            escape(test_name),
            escape(&case.name),
            case.seconds
        );
        let tag = match case.verdict {
            Verdict::Valid => {
                xml.push_str("/>\n");
                continue;
            }
            Verdict::Invalid => "failure",
            Verdict::Unknown => "error",
        };
        let first_line = case.message.lines().next().unwrap_or_default();
        let _ = writeln!(
            xml,
            ">\n      <{tag} message=\"{}\" type=\"{}\">{}</{tag}>\n    </testcase>",
            escape(first_line),
            if tag == "failure" {
                "invalid"
            } else {
                "unknown"
            },
            escape(&case.message)
        );
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    xml
}

/// The test cases of a results object, in a stable order.
fn cases(results: &Results) -> Vec<Case> {
    let mut cases = Vec::new();
    if let Some(lin) = &results.linearizability {
        for p in &lin.partitions {
            let message = match (&p.evidence, &p.reason) {
                (Some(e), _) => e.explanation.clone(),
                (None, Some(reason)) => reason.clone(),
                (None, None) => String::new(),
            };
            let name = if p.key.is_empty() {
                format!("linearizability ({})", lin.model)
            } else {
                format!("linearizability ({}) key {}", lin.model, p.key)
            };
            cases.push(Case {
                name,
                verdict: p.valid,
                message,
                seconds: p.check_ms / 1000.0,
            });
        }
    }
    for (name, result) in [("sessions", &results.sessions), ("ledger", &results.ledger)] {
        if let Some(r) = result {
            cases.push(anomaly_case(name, r));
        }
    }
    cases
}

/// The test case of a check that lists anomalies: why it is unknown, when it says, then every
/// anomaly's sentence, one per line.
fn anomaly_case(name: &str, result: &AnomalyResult) -> Case {
    let message = result
        .reason
        .iter()
        .cloned()
        .chain(
            result
                .anomalies
                .iter()
                .map(|a| format!("{}: {}", a.kind, a.explanation)),
        )
        .collect::<Vec<_>>()
        .join("\n");
    Case {
        name: name.to_string(),
        verdict: result.valid,
        message,
        seconds: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_ledger_is_an_error_that_says_why() {
        let results =
            crate::test_results::unknown_ledger("event e1 has holds but no successful read_log");
        let xml = junit_xml("run", &results);
        assert!(
            xml.contains(
                "<error message=\"event e1 has holds but no successful read_log\" type=\"unknown\">"
            ),
            "{xml}"
        );
    }
}
