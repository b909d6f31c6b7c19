"""``TooManyRequestsException``: the error body the API sends with status 429."""

from katanemo_identity.models._error_body import ErrorBody


class TooManyRequestsException(ErrorBody):
    """The body of a 429 Too Many Requests response: the caller is rate limited.

    Not to be confused with ``katanemo_identity.TooManyRequestsException``, the exception raised
    for this status, which carries an instance of this model as ``.data``.
    """
