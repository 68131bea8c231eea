# Copyright: apsaramq.rocketmq contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Error codes the emulator answers with, their HTTP statuses and default messages.

Gateway codes use the statuses Alibaba Cloud's API gateway sends. ONS business codes
(BIZ_*, INSTANCE_NOT_FOUND) are answered with 400: the gateway passes service-side
validation failures through as client errors, and a client must not mistake them for
retryable server faults. ONS_SYSTEM_ERROR is a 500; ONS_SYSTEM_FLOW_CONTROL is a 400
like the gateway's own throttling, which is exactly why clients must retry on its code
rather than on its status.
"""

ERRORS = {
    # code: (status, default message)
    'InvalidAccessKeyId.NotFound': (404, 'Specified access key is not found.'),
    'InvalidAccessKeyId.Inactive': (400, 'Specified access key is disabled.'),
    'SignatureDoesNotMatch': (400, 'Specified signature is not matched with our calculation.'),
    'IncompleteSignature': (400, 'The request signature does not conform to Aliyun standards.'),
    'InvalidTimeStamp.Expired': (400, 'Specified time stamp or date value is expired.'),
    'InvalidTimeStamp.Format': (400, 'Specified time stamp or date value is not well formatted.'),
    'SignatureNonceUsed': (400, 'Specified signature nonce was used already.'),
    'MissingSecurityToken': (400, 'SecurityToken is mandatory for this access key.'),
    'InvalidSecurityToken.Expired': (400, 'Specified SecurityToken is expired.'),
    'InvalidSecurityToken.MismatchWithAccessKey': (400, 'Specified SecurityToken mismatch with the AccessKey.'),
    'MissingParameter': (400, 'A mandatory input parameter is not supplied.'),
    'InvalidParameter': (400, 'The specified parameter is not valid.'),
    'InvalidApi.NotFound': (404, 'Specified api is not found, please check your url and method.'),
    'InvalidVersion': (400, 'Specified parameter Version is not valid.'),
    'UnsupportedHTTPMethod': (400, 'Specified HTTP method is not supported.'),
    'Forbidden.RAM': (403, "User not authorized to operate on the specified resource, or this API doesn't support RAM."),
    'Throttling': (400, 'Request was denied due to request throttling.'),
    'Throttling.User': (400, 'Request was denied due to user flow control.'),
    'Throttling.Api': (400, 'Request was denied due to api flow control.'),
    'InternalError': (500, 'The request processing has failed due to some unknown error, exception or failure.'),
    'ServiceUnavailable': (503, 'The request has failed due to a temporary failure of the server.'),
    'BIZ_FIELD_CHECK_INVALID': (400, 'The field check failed.'),
    'BIZ_TOPIC_NOT_FOUND': (400, 'The specified topic does not exist.'),
    'BIZ_SUBSCRIPTION_NOT_FOUND': (400, 'The specified group does not exist.'),
    'BIZ_CONSUMER_NOT_ONLINE': (400, 'The client of the specified group is offline.'),
    'BIZ_NO_MESSAGE': (400, 'The specified message does not exist.'),
    'BIZ_REGION_NOT_FOUND': (400, 'The specified region does not exist.'),
    'INSTANCE_NOT_FOUND': (400, 'The specified instance does not exist.'),
    'ONS_SYSTEM_ERROR': (500, 'An ONS system error occurred.'),
    'ONS_SYSTEM_FLOW_CONTROL': (400, 'The ONS system is under flow control, please try again later.'),
    'ONS_INVOKE_ERROR': (500, 'Failed to invoke the ONS backend.'),
}


class ApiError(Exception):
    """An error answered in the API's error envelope.

    ``fields`` are extra members of the envelope (``AccessDeniedDetail``); ``headers`` extra
    response headers (``x-acs-retry-after``).
    """

    def __init__(self, code, message=None, status=None, fields=None, headers=None):
        default_status, default_message = ERRORS.get(code, (400, code))
        self.code = code
        self.message = message or default_message
        self.status = status or default_status
        self.fields = dict(fields or {})
        self.headers = dict(headers or {})
        super().__init__('%s: %s' % (code, self.message))


def missing(name):
    """MissingParameter naming the parameter."""
    return ApiError('MissingParameter', 'The input parameter "%s" that is mandatory for processing this request is not supplied.' % name)


def invalid(name, why):
    """InvalidParameter naming the parameter and what is wrong with it."""
    return ApiError('InvalidParameter', 'The specified parameter "%s" is not valid: %s' % (name, why))
