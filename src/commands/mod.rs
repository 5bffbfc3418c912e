//! One module per subcommand.
pub mod check;
pub mod cluster;
pub mod demo;
pub mod peer_secret;
pub mod report;
pub mod serve;
pub mod test;
