"""What every kind of test here shares: the world of AWS resources tests create (world.py) and the reading of the
emulator's request log (request_log.py). Unit, system and integration tests, the benchmarks, `make demo` and
`make emulator` all use these, so there is one fixture world and one reading of the log."""
