"""The models of ``katanemo_sdk.model``, one module per schema, as read-only mappings.

``from katanemo_identity.legacy.model.client_key_request import ClientKeyRequest``
gives the old class; each validates through its ``katanemo_identity.models`` twin.
"""
