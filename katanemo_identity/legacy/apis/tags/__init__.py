"""``katanemo_sdk.apis.tags``: one module per tag of the API; this API has one, ``identity_api``."""
