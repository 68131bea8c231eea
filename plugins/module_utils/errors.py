# -*- coding: utf-8 -*-
# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# FOR INTERNAL COLLECTION USE ONLY: the interfaces of this file serve the apsaramq.rocketmq collection
# and may change in any release; modules, plugins and roles are the public interface.

"""The errors of both API clients, so that callers handle them alike whichever API they call.

ApiError is the base of every error a client raises: AnswerError (the API answered with an
error), InvalidAnswerError (the answer cannot be read as the API's), TransportError (no answer),
DeadlineError (the caller's deadline passed), ConfigurationError (the request cannot be built
from the options) and CredentialRefreshError (the temporary credentials could not be renewed).
The names of the first release (OnsError, OnsApiError, ...) remain aliases.
"""


def _generic_retryable(code, http_status):
    """Whether an error answer of no known API may pass when sent again: 429 and 5xx answers may."""
    return http_status is not None and (http_status == 429 or http_status >= 500)


class ApiError(Exception):
    """Base of every error the clients raise."""

    code = "Error"
    http_status = None
    request_id = None
    retryable = False
    # The body of an answer that is not the API's JSON, and the message it illustrates: quoted
    # into the message only once the client masks its secrets in it (ApiClient._clean_error).
    body_to_quote = None
    quote_after = None

    def to_dict(self):
        """Return the error as a dict for a module's result."""
        return {"code": self.code, "message": str(self.message), "http_status": self.http_status,
                "request_id": self.request_id}


class AnswerError(ApiError):
    """The API answered with an error (or with something that is not a valid answer).

    ``api`` (an apis.Api) says whether its code is worth another try (``retryable``) and whether
    it says the resource does not exist (``not_found``); without one, only 429 and 5xx answers
    are retried.
    """

    def __init__(self, code, message, http_status=None, request_id=None, retry_after=None, api=None):
        self.code = code or "UnknownError"
        self.message = message or ""
        self.http_status = http_status
        self.request_id = request_id
        self.retry_after = retry_after
        self.not_found = bool(api and api.is_not_found(self.code))
        self.retryable = api.is_retryable(self.code, http_status) if api else _generic_retryable(self.code, http_status)
        super(AnswerError, self).__init__(str(self))

    def __str__(self):
        text = "%s: %s" % (self.code, self.message) if self.message else self.code
        if self.request_id:
            text += " (request id %s)" % self.request_id
        elif self.http_status:
            text += " (HTTP %s)" % self.http_status
        return text


class InvalidAnswerError(AnswerError):
    """The answer could not be read as the API's JSON: never taken for a healthy answer."""

    def __init__(self, message, http_status=None, request_id=None):
        super(InvalidAnswerError, self).__init__("InvalidResponse", message, http_status, request_id)
        # A garbled body is usually a proxy or a connection that broke mid-answer: try again.
        self.retryable = True


class TransportError(ApiError):
    """The call did not get an answer: connection refused or dropped, timeout, TLS failure."""

    code = "TransportError"
    retryable = True

    def __init__(self, message):
        self.message = message
        super(TransportError, self).__init__(message)

    def __str__(self):
        return "%s: %s" % (self.code, self.message)


class DeadlineError(ApiError):
    """A deadline of the caller's run (see ApiClient.bound_by) passed: a call or a page was not asked for.

    Never retried: time will not come back. The message names the deadline and what was left undone.
    """

    code = "DeadlineReached"

    def __init__(self, message):
        self.message = message
        super(DeadlineError, self).__init__(message)

    def __str__(self):
        return "%s: %s" % (self.code, self.message)


class ConfigurationError(ApiError, ValueError):
    """The request cannot be built from the options (URL, port, header value): never retried."""

    code = "ConfigurationError"

    def __init__(self, message):
        self.message = message
        super(ConfigurationError, self).__init__(message)

    def __str__(self):
        return "%s: %s" % (self.code, self.message)


class CredentialRefreshError(ApiError):
    """The temporary credentials of an assumed role (or an ECS role) expire and could not be renewed: never retried.

    Raised before a call is sent, once the STS call (itself retried as its error allows) or the
    token file failed; the message names the role and the cause, never a secret.
    """

    code = "CredentialRefreshFailed"

    def __init__(self, message):
        self.message = message
        super(CredentialRefreshError, self).__init__(message)

    def __str__(self):
        return "%s: %s" % (self.code, self.message)


# The names of the first release.
OnsError = ApiError
OnsApiError = AnswerError
OnsResponseError = InvalidAnswerError
OnsTransportError = TransportError
OnsDeadlineError = DeadlineError
OnsConfigurationError = ConfigurationError
