"""The checks across operations: reads repeat, accounts apart, requests without a valid token."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

from katanemo_identity._conformance.catalog import CheckFailed
from katanemo_identity._conformance.checking import Checks, Skip
from katanemo_identity._conformance.clock import Limited
from katanemo_identity.api.identity_api import IdentityApi
from katanemo_identity.api_client import ApiClient
from katanemo_identity.configuration import Configuration
from katanemo_identity.exceptions import ApiContractError, ApiException
from katanemo_identity.models.client_key_object import ClientKeyObject
from katanemo_identity.models.client_key_request import ClientKeyRequest
from katanemo_identity.models.unauthorized_exception import UnauthorizedException
from katanemo_identity.models.user_request import UserRequest
from katanemo_identity.models.user_response import UserResponse


class AccessChecks(Checks):
    """``reads-repeat``, ``accounts-apart``, ``unauthorized`` and ``no-token``."""

    def check_reads_repeat(self) -> str:
        reads: list[tuple[str, Callable[[], object]]] = [
            ("get_client_key", lambda: self.api().get_client_key(self.account, self.key_id)),
            ("get_user", lambda: self.api().get_user(self.account, self.user_id)),
            (
                "get_client_key_list",
                lambda: self._ours(self.api().get_client_key_list(self.account)),
            ),
            (
                "get_users_for_account",
                lambda: self._ours(self.api().get_users_for_account(self.account)),
            ),
        ]
        for name, read in reads:
            first, second = read(), read()
            if first != second:
                raise CheckFailed(f"{name} answered differently the second time")
        return "get_client_key, get_user and both lists (this run's entries) repeat exactly"

    def _ours(self, items: Sequence[ClientKeyObject | UserResponse]) -> list[object]:
        # Other writers may share the account: compare only this run's entries.
        return [
            item
            for item in items
            if (
                getattr(item, "client_name", None) or getattr(item, "user_id", None) or ""
            ).startswith(self.run_id)
        ]

    def check_accounts_apart(self) -> str:
        other = f"{self.account}-{self.run_id}-other"
        seen: list[str] = []
        with self.expect_error(f"GET /org/{other}/key/<key>", range(400, 500), None) as found:
            self.api().get_client_key(other, self.key_id)
        seen += found
        with self.expect_error(f"GET /org/{other}/user/<user>", range(400, 500), None) as found:
            self.api().get_user(other, self.user_id)
        seen += found
        listings: list[tuple[str, Callable[[], Sequence[ClientKeyObject | UserResponse]]]] = [
            ("keys", lambda: self.api().get_client_key_list(other)),
            ("user", lambda: self.api().get_users_for_account(other)),
        ]
        for name, listing in listings:
            try:
                items = listing()
            except ApiContractError:
                raise
            except ApiException as error:
                seen.append(f"GET /org/{other}/{name} -> {error.status}")
                continue
            if self._ours(items):
                raise CheckFailed(f"GET /org/{other}/{name} lists this run's {name}")
            seen.append(f"GET /org/{other}/{name} -> 200 without this run's")
        return "; ".join(seen)

    def check_unauthorized(self) -> str:
        if self.token is None:
            raise Skip("no token given: the server is taken to need none")
        wrong = copy.copy(self.configuration)
        wrong.access_token = self.wrong_token
        return self._refused(wrong, "with a wrong token", "unauthorized")

    def check_no_token(self) -> str:
        if self.token is None:
            raise Skip("no token given: the server is taken to need none")
        bare = copy.copy(self.configuration)
        bare.access_token = None
        return self._refused(bare, "without a token", "no-token")

    def _refused(self, configuration: Configuration, how: str, label: str) -> str:
        """Send all eight operations with ``configuration``; each must be a 401."""
        account, user_id = self.account, self.user_id
        key_id = self.missing
        if "key" in self.made:
            self.confirm_own_key(self.key_id, f"delete_client_key {how}")
            key_id = self.key_id
        with ApiClient(configuration) as client:
            api = Limited(IdentityApi(client), configuration, self.clock)
            new_key = ClientKeyRequest(client_name=f"{self.run_id}-{label}", default_role_id="r")
            new_user = UserRequest(account_id=account, user_id=f"{self.run_id}-{label}@example.com")
            calls: list[tuple[str, Callable[[], object]]] = [
                ("create_client_key", lambda: self.create_key(api(), new_key)),
                ("get_client_key_list", lambda: api().get_client_key_list(account)),
                ("get_client_key", lambda: api().get_client_key(account, key_id)),
                ("delete_client_key", lambda: api().delete_client_key(account, key_id)),
                ("create_user_for_account", lambda: self.invite(api(), new_user)),
                ("get_users_for_account", lambda: api().get_users_for_account(account)),
                ("get_user", lambda: api().get_user(account, user_id)),
                (
                    "update_user",
                    lambda: api().update_user(user_id, account, UserRequest(account_id=account)),
                ),
            ]
            for name, call in calls:
                with self.expect_error(f"{name} {how}", [401], UnauthorizedException):
                    call()
        return f"all {len(calls)} operations {how} -> 401 UnauthorizedException"
