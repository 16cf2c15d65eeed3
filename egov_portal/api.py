"""The REST API's shared policy: who may write, and how lists are paged."""

from rest_framework import pagination, permissions


class IsStaffOrReadOnly(permissions.BasePermission):
    """Reference data is public to read; only staff may write through the API."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_staff)


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
