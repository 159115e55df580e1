from .roles import Role, user_roles


def roles(request):
    names = user_roles(request.user) if hasattr(request, "user") else []
    return {
        "user_roles": names,
        "is_haematologist": Role.HAEMATOLOGIST in names,
        "is_nurse": Role.NURSE in names,
        "is_pharmacist": Role.PHARMACIST in names,
    }
