"""The one permission check, shared by the services and the views' access helpers."""

from django.core.exceptions import PermissionDenied


def has_perm(user, *perms: str) -> bool:
    """Whether the user holds one of `perms`, codenames of this app ("validate_prescription")."""
    return any(user.has_perm(f"sirolimus_app.{perm}") for perm in perms)


def require_perm(user, *perms: str) -> None:
    """Refused with a 403 unless the user holds one of `perms`."""
    if not has_perm(user, *perms):
        raise PermissionDenied
