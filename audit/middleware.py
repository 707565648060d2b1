from auditlog.context import auditlog_value
from auditlog.middleware import AuditlogMiddleware


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware (the request's user and address for field changes),
    with two differences: the address is the one the connection came from (an
    X-Forwarded-For header is the client's to write, and a trail must not record an
    address a client chose), and the request's actor is forgotten when the response
    is done (auditlog leaves it in the thread, where later work would inherit it)."""

    @staticmethod
    def _get_remote_addr(request):
        return request.META.get("REMOTE_ADDR")

    def __call__(self, request):
        token = auditlog_value.set({})
        try:
            return super().__call__(request)
        finally:
            auditlog_value.reset(token)
