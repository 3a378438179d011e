"""Privacy: the notice, the participant's data download and erasure (from the manage link),
the retention purge CLI and the e-mail masking log filter."""
