"""Running a class (issue 20): the roster, submissions as the LMS hands them out, the rows
of students, deadlines, manual points and exports (``grade --roster``; without a roster
none of these runs), and the regrade ledger (every ``grade`` run that regrades a file)."""


class ClassroomError(ValueError):
    """A roster, policy or manual-points file that cannot be used; the message says why."""
