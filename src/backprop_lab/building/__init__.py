"""Building: Otter Assign on the masters, the public cases, the autograder zips (``build``)."""
