//! One module per subcommand.
pub mod check;
pub mod cluster;
pub mod report;
pub mod serve;
pub mod test;
