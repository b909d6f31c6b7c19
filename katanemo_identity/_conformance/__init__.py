"""The conformance kit's insides; ``katanemo_identity.conformance`` is its public face.

One module per job: ``clock`` (the run's budget and the per-call limit),
``checking`` (what every check shares: the suite's state, expecting an error,
confirming a key is the run's own, evidence without values or tokens),
``keys``, ``users`` and ``access`` (the checks, by what they check), and
``suite`` (running them in order, then clean-up).
"""
