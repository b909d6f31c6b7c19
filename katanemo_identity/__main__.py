"""``python -m katanemo_identity``: the ``katanemo-identity`` command (see ``katanemo_identity.cli``)."""

from katanemo_identity.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
