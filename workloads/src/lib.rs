//! Workloads: clients for the systems under test, generators, and the history recorder.
