"""Developer tooling: the process supervisor behind `make run` and the test harness."""
