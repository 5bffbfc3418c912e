//! A fresh shared secret for the ticketd regions Frenzy starts itself (the eventual demo, `frenzy
//! cluster up --ticketd-mode eventual`): 32 hex digits from the kernel's random source.

use anyhow::Context;
use std::io::Read;

/// 16 random bytes as 32 hex digits.
pub fn fresh() -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("reading /dev/urandom for the regions' shared secret")?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
