//! Exit codes (DESIGN.md, after Jepsen) and the error a user can cause.

use std::fmt;

/// Bad arguments or bad input: the user can fix it.
pub const BAD_INPUT: u8 = 254;
/// A bug or an environment failure Frenzy did not expect.
pub const INTERNAL: u8 = 255;

/// An error the user caused (a bad flag, file or address): one sentence naming the cause and the
/// fix. `main` exits 254 for it, 255 for any other error.
#[derive(Debug)]
pub struct UserError(pub String);

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

/// Builds an `anyhow::Error` that `main` reports with exit 254.
pub fn user_error(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UserError(message.into()))
}

/// A run stopped by a terminating signal before it recorded anything: `main` exits with `code`
/// (128 + the signal's number).
#[derive(Debug)]
pub struct Stopped {
    /// The exit code.
    pub code: u8,
    /// What happened, in one sentence.
    pub message: String,
}

impl fmt::Display for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Stopped {}

/// The exit code for an error: a [`Stopped`]'s code, 254 when a [`UserError`] is anywhere in its
/// chain, else 255.
pub fn code_for(error: &anyhow::Error) -> u8 {
    if let Some(stopped) = error.chain().find_map(|e| e.downcast_ref::<Stopped>()) {
        stopped.code
    } else if error.chain().any(|e| e.is::<UserError>()) {
        BAD_INPUT
    } else {
        INTERNAL
    }
}
