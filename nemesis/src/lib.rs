//! The nemesis: faults as plain data, the drivers that apply them, and local clusters.
