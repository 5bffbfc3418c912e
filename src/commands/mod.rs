//! One module per subcommand.
pub mod test;
pub mod report;
pub mod serve;
