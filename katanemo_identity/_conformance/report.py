"""What a run gives back: a ``Result`` per check, in one ``Report``, or ``RunInterrupted``.

The public names here are ``katanemo_identity.conformance``'s, and say so in
their ``__module__`` (pickles and messages name them there).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from katanemo_identity._conformance.catalog import PUBLIC_MODULE, Check, Outcome


@dataclass(frozen=True)
class Result:
    """The outcome of one check, with its evidence.

    Attributes:
        check: The check.
        outcome: ``pass``, ``fail`` or ``skip``.
        evidence: What was sent and what came back (or why it was skipped).
    """

    check: Check
    outcome: Outcome
    evidence: str


@dataclass
class Report:
    """Every check's result for one server and account.

    Attributes:
        host: The server's base URL.
        account: The account the run worked in.
        run_id: The prefix of every name the run created, ``conformance-<hex>``.
        results: One per check of ``CHECKS``, in order (fewer when the run
            was interrupted: the checks that ran, then ``clean-up``).
        left_behind: The names (``clientName`` of keys, ``userId`` of users)
            of everything the run tried to create and cannot prove gone:
            every user it invited, and any key a listing still shows, or
            everything it tried to create when the account cannot be listed.
        notes: What the reader should know about the server as a whole
            (e.g. that it does not remember writes), each said once.
        interrupted: True when the run was interrupted (Ctrl-C).
        out_of_time: True when the run's budget was spent before every
            check had run.
    """

    host: str
    account: str
    run_id: str
    results: list[Result] = field(default_factory=list)
    left_behind: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    interrupted: bool = False
    out_of_time: bool = False

    @property
    def passed(self) -> bool:
        """True when every check ran and none failed."""
        return (
            not self.interrupted
            and not self.out_of_time
            and all(result.outcome != "fail" for result in self.results)
        )

    def result(self, check_id: str) -> Result:
        """Return the result of the check named ``check_id``.

        Raises:
            KeyError: no such check, or it did not run (an interrupted run).
        """
        for result in self.results:
            if result.check.id == check_id:
                return result
        raise KeyError(check_id)

    def failed(self) -> list[str]:
        """Return the ids of the checks that failed, in order."""
        return [result.check.id for result in self.results if result.outcome == "fail"]

    def to_dict(self) -> dict[str, object]:
        """Return the report as a JSON-ready dict (what ``--json`` prints)."""
        counts = {outcome: 0 for outcome in ("pass", "fail", "skip")}
        for result in self.results:
            counts[result.outcome] += 1
        return {
            "host": self.host,
            "account": self.account,
            "runId": self.run_id,
            "passed": self.passed,
            "interrupted": self.interrupted,
            "outOfTime": self.out_of_time,
            "counts": counts,
            "checks": [
                {
                    "id": result.check.id,
                    "title": result.check.title,
                    "outcome": result.outcome,
                    "evidence": result.evidence,
                }
                for result in self.results
            ],
            "notes": self.notes,
            "leftBehind": self.left_behind,
        }

    def table(self) -> str:
        """Return the report as an aligned text table, with a summary line."""
        rows = [("CHECK", "RESULT", "EVIDENCE")] + [
            (result.check.id, result.outcome.upper(), _printable(result.evidence))
            for result in self.results
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(2)]
        lines = [
            f"{row[0].ljust(widths[0])}  {row[1].ljust(widths[1])}  {row[2]}".rstrip()
            for row in rows
        ]
        counts = self.to_dict()["counts"]
        assert isinstance(counts, dict)
        lines.append("")
        lines.extend(f"Note: {_printable(note)}" for note in self.notes)
        if self.interrupted:
            lines.append("Interrupted: the checks after the last one shown did not run.")
        lines.append(
            f"{self.host}, account {self.account}: {counts['pass']} passed, "
            f"{counts['fail']} failed, {counts['skip']} skipped."
        )
        if self.left_behind:
            lines.append(
                "Left in the account (users cannot be deleted; keys still listed): "
                + ", ".join(_printable(item) for item in self.left_behind)
            )
        return "\n".join(lines)


class RunInterrupted(KeyboardInterrupt):
    """The run was interrupted (Ctrl-C); clean-up ran, and ``report`` holds what was done.

    Attributes:
        report: The results of the checks that ran, then ``clean-up``, with
            ``interrupted`` set and ``left_behind`` filled.
    """

    def __init__(self, report: Report) -> None:
        super().__init__("the conformance run was interrupted")
        self.report = report


def _printable(text: str) -> str:
    # Evidence quotes the server; keep its text from forging lines of the table.
    return "".join(char if char.isprintable() else " " for char in text)


Result.__module__ = Report.__module__ = RunInterrupted.__module__ = PUBLIC_MODULE
