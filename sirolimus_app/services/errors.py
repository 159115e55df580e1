class ServiceError(Exception):
    """A state change that does not apply; the message (French, translatable) says why.

    `field` names the form field the message belongs next to, when there is one.
    """

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ConcurrentChangeError(ServiceError):
    """Someone else changed the record since the form was loaded; `current` is the newer one."""

    def __init__(self, message, *, current=None):
        super().__init__(message)
        self.current = current
