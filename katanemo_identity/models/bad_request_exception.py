"""``BadRequestException``: the error body the API sends with status 400."""

from katanemo_identity.models._error_body import ErrorBody


class BadRequestException(ErrorBody):
    """The body of a 400 Bad Request response: the request was malformed or a field is invalid.

    Not to be confused with ``katanemo_identity.BadRequestException``, the exception raised
    for this status, which carries an instance of this model as ``.data``.
    """
