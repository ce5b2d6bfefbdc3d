"""Reporting: gradebooks, per-student feedback, the class report and copy detection."""
