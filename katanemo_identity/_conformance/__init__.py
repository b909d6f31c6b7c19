"""The conformance kit's insides; ``katanemo_identity.conformance`` is its public face.

One module per job, each importing only those listed before it:

- ``catalog``: what is checked (``CHECKS``, ``Check``, ``CheckFailed``, the
  document's error models);
- ``report``: what a run gives back (``Result``, ``Report``, ``RunInterrupted``);
- ``clock``: the run's budget, and ``Limited``, a client whose every call is
  limited to what is left of it;
- ``checking``: what every check shares (the suite's state, expecting an error,
  confirming a key is the run's own, evidence without values or tokens);
- ``keys``, ``users`` and ``access``: the checks, by what they check;
- ``suite``: running them in order, then clean-up.

The public names of ``catalog`` and ``report`` carry
``katanemo_identity.conformance`` as their ``__module__``: that is where users
import them from, and where pickles and messages name them.
"""
