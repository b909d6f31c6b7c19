"""``ConflictException``: the error body the API sends with status 409."""

from katanemo_identity.models._error_body import ErrorBody


class ConflictException(ErrorBody):
    """The body of a 409 Conflict response: the resource already exists.

    Not to be confused with ``katanemo_identity.ConflictException``, the exception raised
    for this status, which carries an instance of this model as ``.data``.
    """
