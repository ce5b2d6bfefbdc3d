"""A budget of late days, spent where it saves a student the most (MIT 6.390 style).

Each late day spent on an assignment takes one day off its lateness. ``allocate``
chooses, for one student, how many days go to each assignment so that the sum of the
scores kept is the largest (ties: fewer days spent): an
exact dynamic programme over assignments and days left, so no greedy order can miss a
better split (a day can matter more on a heavier assignment, or only in pairs when the
penalty jumps).
"""

from __future__ import annotations

from collections.abc import Callable


def allocate(budget: int, late: list[int], value: Callable[[int, int], float]) -> list[int]:
    """Days spent per assignment (a list like ``late``).

    Args:
        budget: late days the student has.
        late: days late of each assignment (before any late day).
        value: ``value(i, days)``: the score kept on assignment ``i`` when it is
            ``days`` late.
    """
    n = len(late)
    # best[i][b]: the largest total of assignments i.. with b days left, and its plan
    best: list[list[tuple[float, int, list[int]]]] = [[(0.0, 0, [])] * (budget + 1)
                                                      for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for b in range(budget + 1):
            options = []
            for spend in range(min(b, late[i]) + 1):
                total, used, plan = best[i + 1][b - spend]
                options.append((value(i, late[i] - spend) + total, -(used + spend),
                                [spend, *plan]))
            top = max(options, key=lambda o: (round(o[0], 9), o[1]))
            best[i][b] = (top[0], -top[1], top[2])
    return best[0][budget][2]
