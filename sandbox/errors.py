"""The platform's error shape: every failure is JSON {status, code, message, more_info}."""

MORE_INFO = "https://docs.cavatica.org/docs/api-status-codes"

# Generic codes the platform uses when no resource-specific code applies (90000-90008).
GENERIC_CODES = {
    400: 90000,
    401: 90001,
    403: 90002,
    404: 90003,
    500: 90004,
    503: 90005,
    405: 90006,
    409: 90007,
    415: 90008,
}


class ApiError(Exception):
    """Raised anywhere in a request to answer with the platform's error body."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self):
        return error_body(self.status, self.code, self.message)


def error_body(status, code, message):
    return {"status": status, "code": code, "message": message, "more_info": MORE_INFO}


def bad_request(message, code=90000):
    return ApiError(400, code, message)


# Resource-family codes: x001 no access (403), x002 not found (404).
def no_access(family, what):
    return ApiError(403, family + 1, f"Insufficient privileges to access the requested {what}.")


def not_found(family, what):
    return ApiError(404, family + 2, f"Requested {what} does not exist.")


PROJECTS, FILES, APPS, TASKS, USERS = 3000, 5000, 6000, 7000, 2000
