"""The checks of users: invite, the documented refusals, reads, update."""

from __future__ import annotations

from katanemo_identity._conformance.catalog import CheckFailed
from katanemo_identity._conformance.checking import (
    ABOUT_THE_ID,
    Checks,
    as_sent,
    without,
)
from katanemo_identity.api_response import ApiResponse
from katanemo_identity.models.bad_request_exception import BadRequestException
from katanemo_identity.models.conflict_exception import ConflictException
from katanemo_identity.models.user_request import UserRequest
from katanemo_identity.models.user_response import UserResponse


class UserChecks(Checks):
    """``invite-user`` to ``update-user-unknown``."""

    def check_invite_user(self) -> str:
        what = self.where("POST", "user")
        self.tried.append(self.user_id)
        response = self.api().create_user_for_account_with_http_info(
            self.account, UserRequest(account_id=self.account, user_id=self.user_id)
        )
        evidence = self._the_user(what, response)
        self.made.add("user")
        return evidence

    def check_invite_invalid(self) -> str:
        what = self.where("POST", "user") + " without accountId"
        incomplete = without(UserRequest, user_id=f"{self.run_id}-invalid@example.com")
        with self.expect_error(what, [400], BadRequestException) as evidence:
            self.invite(self.api(), incomplete)
        return evidence[0]

    def check_invite_duplicate(self) -> str:
        what = self.where("POST", "user") + " with the same userId"
        with self.expect_error(what, [409], ConflictException) as evidence:
            self.invite(self.api(), UserRequest(account_id=self.account, user_id=self.user_id))
        return evidence[0]

    def check_get_user(self) -> str:
        what = self.where("GET", "user", self.user_id)
        response = self.api().get_user_with_http_info(self.account, self.user_id)
        if response.data.user_id == self.user_id:
            self.seen_again.add("user")
        return self._the_user(what, response)

    def _the_user(self, what: str, response: ApiResponse[UserResponse]) -> str:
        """Return the evidence of an answer about this run's user; fail if it is about another."""
        user = response.data
        as_sent(
            f"{what} -> {response.status_code} UserResponse whose ",
            ("accountId", user.account_id, self.account),
            ("userId", user.user_id, self.user_id),
        )
        return f"{what} -> {response.status_code} UserResponse of the user"

    def check_list_users(self) -> str:
        what = self.where("GET", "user")
        response = self.api().get_users_for_account_with_http_info(self.account)
        ours = [user for user in response.data if user.user_id == self.user_id]
        if ours:
            self.seen_again.add("user")
        if not ours:
            raise CheckFailed(f"{what} -> {response.status_code} without the user's userId")
        if len(ours) > 1:
            raise CheckFailed(f"{what} -> {response.status_code} with the user {len(ours)} times")
        as_sent(
            f"{what} -> {response.status_code} with the user once, whose ",
            ("accountId", ours[0].account_id, self.account),
        )
        return f"{what} -> {response.status_code} list of {len(response.data)}, the user once"

    def check_update_user(self) -> str:
        what = self.where("PUT", "user", self.user_id)
        change = UserRequest(
            account_id=self.account, roles=["conformance"], tags={"checked": ["yes"]}
        )
        response = self.api().update_user_with_http_info(self.user_id, self.account, change)
        answered = response.data
        stored = self.api().get_user(self.account, self.user_id)
        for user, source in ((answered, "the answer"), (stored, "a later get_user")):
            fields = (("roles", user.roles, change.roles), ("tags", user.tags, change.tags))
            as_sent(f"{what} -> {response.status_code}; in {source}, ", *fields)
        return f"{what} -> {response.status_code} UserResponse with the roles and tags; get agrees"

    def check_update_user_invalid(self) -> str:
        what = self.where("PUT", "user", self.user_id) + " without accountId"
        incomplete = without(UserRequest, roles=["conformance"])
        with self.expect_error(what, [400], BadRequestException) as evidence:
            self.api().update_user(self.user_id, self.account, incomplete)
        return evidence[0]

    def check_get_user_unknown(self) -> str:
        unknown = f"{self.missing}@example.com"
        what = self.where("GET", "user", unknown)
        with self.expect_error(what, ABOUT_THE_ID, None) as evidence:
            self.api().get_user(self.account, unknown)
        return evidence[0]

    def check_update_user_unknown(self) -> str:
        unknown = f"{self.missing}@example.com"
        what = self.where("PUT", "user", unknown)
        with self.expect_error(what, ABOUT_THE_ID, None) as evidence:
            self.api().update_user(unknown, self.account, UserRequest(account_id=self.account))
        return evidence[0]
