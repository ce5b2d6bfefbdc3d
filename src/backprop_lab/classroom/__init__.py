"""Running a class: the roster, submissions as the LMS hands them out, and the rows of
students (issue 20). ``grade --roster`` uses it; without a roster nothing here runs."""


class ClassroomError(ValueError):
    """A roster, policy or manual-points file that cannot be used; the message says why."""
