"""The API classes; the Identity API has one."""

from katanemo_identity.api.identity_api import IdentityApi

__all__ = ["IdentityApi"]
