"""The checks of client keys: create, the documented refusals, reads, delete."""

from __future__ import annotations

from katanemo_identity._conformance.catalog import CheckFailed
from katanemo_identity._conformance.checking import (
    ABOUT_THE_ID,
    Checks,
    as_sent,
    without,
)
from katanemo_identity.models.bad_request_exception import BadRequestException
from katanemo_identity.models.client_key_request import ClientKeyRequest
from katanemo_identity.models.conflict_exception import ConflictException


class KeyChecks(Checks):
    """``create-key`` to ``get-key-unknown``, and ``delete-key``, ``delete-key-unknown``."""

    def check_create_key(self) -> str:
        what = self.where("POST", "keys")
        request = ClientKeyRequest(client_name=self.key_name, default_role_id="reader")
        self.tried.append(self.key_name)
        response = self.api().create_client_key_with_http_info(self.account, request)
        created = response.data
        self._keep(created)
        missing = [
            name
            for name, value in (
                ("clientId", created.client_id),
                ("clientSecret", created.client_secret),
            )
            if not value
        ]
        if missing or not created.client_id:
            raise CheckFailed(f"{what} -> {response.status_code} without {' and '.join(missing)}")
        self.key_id = created.client_id
        self.made.add("key")
        return f"{what} -> {response.status_code} ClientKeyResponse with clientId, clientSecret"

    def check_create_key_invalid(self) -> str:
        what = self.where("POST", "keys") + " without defaultRoleId"
        incomplete = without(ClientKeyRequest, client_name=f"{self.run_id}-invalid")
        with self.expect_error(what, [400], BadRequestException) as evidence:
            self.create_key(self.api(), incomplete)
        return evidence[0]

    def check_create_key_duplicate(self) -> str:
        what = self.where("POST", "keys") + " with the same clientName"
        again = ClientKeyRequest(client_name=self.key_name, default_role_id="reader")
        with self.expect_error(what, [409], ConflictException) as evidence:
            self.create_key(self.api(), again)
        return evidence[0]

    def check_get_key(self) -> str:
        what = self.where("GET", "key", self.key_id)
        response = self.api().get_client_key_with_http_info(self.account, self.key_id)
        key = response.data
        if key.client_name == self.key_name:
            self.seen_again.add("key")
        as_sent(
            f"{what} -> {response.status_code} ClientKeyObject whose ",
            ("clientKeyId", key.client_key_id, self.key_id),
            ("clientName", key.client_name, self.key_name),
            ("accountId", key.account_id, self.account),
        )
        return f"{what} -> {response.status_code} ClientKeyObject of the key"

    def check_list_keys(self) -> str:
        what = self.where("GET", "keys")
        response = self.api().get_client_key_list_with_http_info(self.account)
        if any(key.client_name == self.key_name for key in response.data):
            self.seen_again.add("key")
        ours = [key for key in response.data if key.client_key_id == self.key_id]
        if not ours:
            raise CheckFailed(f"{what} -> {response.status_code} without the new key's clientKeyId")
        if len(ours) > 1:
            raise CheckFailed(
                f"{what} -> {response.status_code} with the new key {len(ours)} times"
            )
        as_sent(
            f"{what} -> {response.status_code} with the new key once, whose ",
            ("clientName", ours[0].client_name, self.key_name),
            ("accountId", ours[0].account_id, self.account),
        )
        return f"{what} -> {response.status_code} list of {len(response.data)}, the new key once"

    def check_get_key_unknown(self) -> str:
        what = self.where("GET", "key", self.missing)
        with self.expect_error(what, ABOUT_THE_ID, None) as evidence:
            self.api().get_client_key(self.account, self.missing)
        return evidence[0]

    def check_delete_key(self) -> str:
        what = self.where("DELETE", "key", self.key_id)
        self.confirm_own_key(self.key_id, what)
        response = self.api().delete_client_key_with_http_info(self.account, self.key_id)
        self.made.add("deleted")
        with self.expect_error("then GET of the key", ABOUT_THE_ID, None):
            self.api().get_client_key(self.account, self.key_id)
        listed = [
            k
            for k in self.api().get_client_key_list(self.account)
            if k.client_key_id == self.key_id
        ]
        if listed:
            raise CheckFailed(f"{what} -> {response.status_code}, yet the key is still listed")
        return (
            f"{what} -> {response.status_code} JSON string; then get is a 4xx and the list lacks it"
        )

    def check_delete_key_unknown(self) -> str:
        what = self.where("DELETE", "key", self.key_id) + " again"
        self.confirm_own_key(self.key_id, what, gone=True)
        with self.expect_error(what, ABOUT_THE_ID, None) as evidence:
            self.api().delete_client_key(self.account, self.key_id)
        return evidence[0]
