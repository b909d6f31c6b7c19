"""``InternalServerErrorException``: the error body the API sends with status 500."""

from katanemo_identity.models._error_body import ErrorBody


class InternalServerErrorException(ErrorBody):
    """The body of a 500 Internal Server Error response.

    Not to be confused with ``katanemo_identity.InternalServerErrorException``, the exception raised
    for this status, which carries an instance of this model as ``.data``.
    """
