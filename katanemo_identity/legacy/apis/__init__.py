"""``katanemo_sdk.apis``: the operations, under ``apis.tags``."""
