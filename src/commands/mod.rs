//! One module per subcommand.
pub mod check;
pub mod test;
pub mod report;
pub mod serve;
pub mod cluster;
