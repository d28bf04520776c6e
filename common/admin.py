from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from common import tokens
from common.models import ApiToken, AuditLog, User, WorkerHeartbeat


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "role", "is_staff", "is_active", "date_joined"]
    list_filter = ["role", "is_staff", "is_active"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["name", "role"]}),
        (_("Rights"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "role", "password1", "password2"]})
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # No longer an active organiser (role changed, or blocked): their API tokens stop.
        revoked = tokens.revoke_tokens_of_user(user=obj, actor=request.user)
        if revoked:
            self.message_user(request, _("The API tokens of this account no longer work."))


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor__email"]
    readonly_fields = ["created_at", "actor", "action", "object_type", "object_id", "data"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "last_seen"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made on the organiser's 'API tokens' page (the secret is shown once there);
    here they can only be looked at and revoked. Only the hash is stored."""

    list_display = [
        "name",
        "user",
        "prefix",
        "scope",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = ["scope"]
    search_fields = ["name", "prefix", "user__email"]
    readonly_fields = [
        "user",
        "name",
        "scope",
        "prefix",
        "token_hash",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the token and its history stay

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            tokens.revoke_token(token=token, actor=request.user)
        self.message_user(request, _("The tokens no longer work."), messages.SUCCESS)


class SecondFactorDeviceAdmin(admin.ModelAdmin):
    """Two-step sign-in devices: support staff see who has one and delete a lost one (the
    person then sets up a new one). Nobody reads, adds or changes a key or a recovery code
    here: that would let one admin account pass anyone's second step."""

    list_display = ["user", "name", "confirmed", "last_used_at"]
    fields = readonly_fields = ("user", "name", "confirmed", "last_used_at")
    search_fields = ["user__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


for device_model in (TOTPDevice, StaticDevice):
    admin.site.unregister(device_model)
    admin.site.register(device_model, SecondFactorDeviceAdmin)
