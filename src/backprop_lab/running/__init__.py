"""Running a submission: its sandboxed kernel, the calls into it, time and memory limits."""
