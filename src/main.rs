//! `frenzy`: the command line. Parses flags, wires the crates together, sets exit codes.

/// Like `print!`, but a closed stdout (`frenzy cluster down | head -1`) is not an error: the
/// command still finishes its work (a teardown, a heal) and exits with its own code, the rest of
/// its output going nowhere.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

/// Like `println!`, with [`out!`]'s tolerance of a closed stdout.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod commands;
mod exit;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Frenzy: a consistency tester for replicated systems.
#[derive(Parser)]
#[command(name = "frenzy", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands; each lives in its own module under `commands/`.
#[derive(Subcommand)]
enum Command {
    /// Check histories for linearizability against a model.
    Check(commands::check::CheckArgs),
    /// Run a workload against live nodes, record the history, check it and report.
    Test(Box<commands::test::TestArgs>),
    /// Rebuild a run folder's report, or check a history file and store it with its report.
    Report(commands::report::ReportArgs),
    /// Serve an index of the store's runs and their reports over HTTP (loopback by default).
    Serve(commands::serve::ServeArgs),
    /// Local clusters of etcd (and ticketd) in network namespaces: up, status, heal, down.
    Cluster(commands::cluster::ClusterArgs),
    /// The ConcertFrenzy story: race buyers for the last seats under partitions, check, report.
    Demo(commands::demo::DemoArgs),
}

impl Command {
    /// Runs the subcommand and returns its exit code.
    fn run(self) -> anyhow::Result<u8> {
        match self {
            Command::Check(args) => commands::check::run(args),
            Command::Test(args) => commands::test::run(*args),
            Command::Report(args) => commands::report::run(args),
            Command::Serve(args) => commands::serve::run(args),
            Command::Cluster(args) => commands::cluster::run(args),
            Command::Demo(args) => commands::demo::run(args),
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version asked for are a success; a missing subcommand is a usage error (a CI
            // script that forgot it must fail), like every other bad argument.
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(exit::BAD_INPUT),
            };
        }
    };
    match cli.command.run() {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit::code_for(&e))
        }
    }
}
