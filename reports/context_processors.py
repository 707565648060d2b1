def todo_count(request):
    """The header's to-do count (reports.todo_list: cached per person and data version)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .todo_list import todo_count as count

    return {"todo_count": count(user)}
