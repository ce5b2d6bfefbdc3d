"""What `backprop-lab --help` and each command's `--help` say: what it does and writes."""

EXIT_STATUS = """\
exit status:
  0  {ok}
  1  {fail}
  2  the command line is wrong (unknown option, bad value)"""

DESCRIPTION = """\
Build and grade the backpropagation course: student notebooks and autograders from the
Otter Assign masters in assignments/, then grading of folders of submitted notebooks.
Each command's --help says what it writes. The contract (stubs, conventions, mistake
codes, files written) is docs/contract.md in the repository."""

BUILD = """\
Run Otter Assign on every master notebook in assignments/ (or --source). Writes, per
assignment NAME, under --out:
  NAME/student/NAME.ipynb, NAME/student/bplab/      the notebook and helpers students get,
  NAME/student/README.md, requirements.txt          with how to set up, check and submit
  NAME/NAME-autograder.zip                          for Gradescope, and what grade reads
  NAME/autograder/NAME.ipynb                        the solution notebook
With --solutions DIR, also DIR/NAME.ipynb: the solution notebooks executed, with plots.
--cell-timeout and --timeout are the zip's limits on Gradescope (kept in its
autograder.json); `grade` takes its own limits on its command line."""

GRADE = """\
Grade every .ipynb under the given paths (a file named directly is taken whatever its
name), each in a fresh Jupyter kernel, routed to its assignment's autograder. Writes,
under --out:
  gradebook.csv          one row per submission: submission, assignment, status
                         (graded, error, timeout, invalid), score, max_score, then one
                         column per autograded question
  feedback/STEM.json     the record of one submission (scores, messages, named mistakes)
  feedback/STEM.md       the same, for the student to read
  mistakes.csv           submissions per question and named mistake
  report.html            the class at a glance (see `backprop-lab report --help`)
  regrades.csv           when a file graded before scores otherwise: per question, old
                         and new score and why (all runs: regrades-history.csv)
  files_not_counted.csv  every file under PATH not graded (a .py, a broken zip), and why
With --roster, also students.csv (one row per student) and
exports/ (Canvas, Moodle, per assignment, feedback.zip): README "Running a class".
A submission that is unchanged since it was last graded is skipped (--force regrades).
A broken submission gets its row with a status and a reason; it never stops the batch."""

REPORT = """\
Rebuild OUT/report.html, the class at a glance, from the feedback records in
OUT/feedback/ (what `grade` wrote): scores, named mistakes per question with what the
students read, flags, similar submissions, one row per student. Writes OUT/report.html."""

CHECK = """\
Grade one notebook exactly as `grade` does and print the feedback a student would get.
Writes nothing."""

DEMO = """\
Build the four assignments into OUT/dist (unless OUT/dist/.built-from says they were
built from these very sources), grade the bundled sample submissions (full marks,
classic mistakes, unfinished, a broken file) into OUT/graded (the files `grade` writes),
and print the gradebook, the mistakes found, and a `check` command to try next that
works as printed from this folder. When the sandbox is less than bubblewrap, one line
says what is missing and the command that adds it."""
