"""The unaccepted-order alert: the scheduler job and its rules."""
