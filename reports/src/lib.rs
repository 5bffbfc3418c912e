//! Reports: the run store, results.json, JUnit XML, the HTML timeline and plots.
