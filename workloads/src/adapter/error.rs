//! Why an adapter could not be used: each is found before the run starts.

use thiserror::Error;

/// An adapter that cannot drive the run.
#[derive(Debug, Error)]
pub enum AdapterError {
    /// The command line is empty or does not split into words.
    #[error(
        "--adapter {command:?} is not a command line: {reason}; give it as \"PROGRAM ARGS...\""
    )]
    BadCommand {
        /// The command as given.
        command: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The program could not be started.
    #[error("the adapter program {program:?} could not be started ({reason}); {hint}")]
    Spawn {
        /// The program.
        program: String,
        /// The operating system's error.
        reason: String,
        /// What to do about it.
        hint: &'static str,
    },
    /// No valid hello came back within the handshake time.
    #[error("the adapter {command:?} did not answer the handshake within {seconds} s ({printed}); it must print a hello line first (docs/adapters.md)")]
    Silent {
        /// The command.
        command: String,
        /// The time allowed.
        seconds: u64,
        /// What it printed, if anything.
        printed: String,
    },
    /// It answered the handshake with something that is not a hello.
    #[error("the adapter {command:?} answered the handshake with {line:?}, not {{\"type\":\"hello\",\"name\":...,\"fs\":[...]}} (docs/adapters.md){stderr}")]
    BadHello {
        /// The command.
        command: String,
        /// The line it printed (cut short).
        line: String,
        /// Its stderr's last words, if any.
        stderr: String,
    },
    /// It ended before answering the handshake.
    #[error("the adapter {command:?} exited before answering the handshake ({status}){stderr}")]
    Exited {
        /// The command.
        command: String,
        /// Its exit status.
        status: String,
        /// Its stderr's last words, if any.
        stderr: String,
    },
    /// It does not support an operation the workload performs.
    #[error("the adapter {name:?} does not support {missing}, which the {workload} workload needs; it supports {supported}")]
    MissingFs {
        /// The adapter's name from its hello.
        name: String,
        /// The workload.
        workload: String,
        /// The missing fs, comma separated.
        missing: String,
        /// The fs it listed.
        supported: String,
    },
    /// Talking to the process failed (a pipe could not be opened or written).
    #[error("talking to the adapter {command:?} failed: {reason}")]
    Io {
        /// The command.
        command: String,
        /// The error.
        reason: String,
    },
}
