"""``UnauthorizedException``: the error body the API sends with status 401."""

from katanemo_identity.models._error_body import ErrorBody


class UnauthorizedException(ErrorBody):
    """The body of a 401 Unauthorized response: the access token is missing or not valid.

    Not to be confused with ``katanemo_identity.UnauthorizedException``, the exception raised
    for this status, which carries an instance of this model as ``.data``.
    """
