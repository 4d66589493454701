from django.contrib import admin

from lti.models import CourseContext, Identity, Registration, ResourceLink, ToolKey


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "issuer", "client_id", "course", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "issuer", "client_id"]


@admin.register(CourseContext)
class CourseContextAdmin(admin.ModelAdmin):
    list_display = ["title", "context_id", "deployment_id", "registration", "course"]
    search_fields = ["title", "context_id"]


@admin.register(ResourceLink)
class ResourceLinkAdmin(admin.ModelAdmin):
    list_display = ["title", "resource_link_id", "context", "assignment", "paper"]


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ["sub", "registration", "user", "last_launch_at"]
    search_fields = ["sub", "user__username", "email"]


@admin.register(ToolKey)
class ToolKeyAdmin(admin.ModelAdmin):
    list_display = ["kid", "created_at", "retired_at"]
    readonly_fields = ["kid", "public_jwk", "created_at"]
    exclude = ["private_pem"]
