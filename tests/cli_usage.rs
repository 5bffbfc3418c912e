//! `frenzy` used wrongly: no subcommand is a usage error (exit 254, DESIGN.md), so a CI script
//! that forgot it fails; asking for help is not.

use std::process::Command;

fn frenzy(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .args(args)
        .output()
        .expect("running frenzy")
}

#[test]
fn no_subcommand_prints_the_usage_and_exits_254() {
    let out = frenzy(&[]);
    assert_eq!(out.status.code(), Some(254));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Usage: frenzy"), "{stderr}");
    assert!(
        stderr.contains("demo"),
        "the subcommands are listed: {stderr}"
    );
    let help = frenzy(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
}
