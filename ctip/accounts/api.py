"""Accounts over REST: who am I, the organisation directory, and the users an admin manages."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from ctip.access.serializers import PolicyFilteredSerializer

from .models import Organisation, User
from .roles import Perm
from .selectors import (
    organisations_visible_to,
    user_get_for_user,
    users_visible_to,
)


class OrganisationOutput(PolicyFilteredSerializer):
    provinces = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "uuid",
            "name",
            "name_km",
            "code",
            "type",
            "provinces",
            "is_active",
            "provides_legal_aid",
        ]
        read_only_fields = fields


class UserOutput(PolicyFilteredSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "uuid",
            "email",
            "full_name",
            "full_name_km",
            "organisation",
            "is_active",
            "roles",
        ]
        read_only_fields = fields

    def get_fields(self):
        fields = super().get_fields()
        # `roles` is not a model field; it is shown wherever the user record itself is.
        fields["roles"] = serializers.SerializerMethodField()
        return fields

    def get_roles(self, user: User) -> list[str]:
        return sorted(r.role for r in user.role_assignments.all())


class MeOutput(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    organisation = serializers.CharField(source="organisation.code")
    roles = serializers.ListField(child=serializers.CharField())
    permissions = serializers.ListField(child=serializers.CharField())


class MeApi(GenericAPIView):
    serializer_class = MeOutput

    def get(self, request):
        user = request.user
        return Response(
            MeOutput(
                {
                    "email": user.email,
                    "full_name": user.full_name,
                    "organisation": user.organisation,
                    "roles": sorted(user.roles),
                    "permissions": sorted(user.permissions),
                }
            ).data
        )


class OrganisationListApi(GenericAPIView):
    required_permission = Perm.ORGANISATIONS_VIEW
    serializer_class = OrganisationOutput

    def get_queryset(self):
        return organisations_visible_to(user=self.request.user)

    @extend_schema(responses=OrganisationOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class UserListApi(GenericAPIView):
    """Users of the caller's organisation (organisation admins) or of all (system admins)."""

    # As the user list page: refused (403) to roles that administer no users.
    required_permission = (Perm.USERS_MANAGE_OWN_ORG, Perm.USERS_MANAGE_ALL)
    serializer_class = UserOutput

    def get_queryset(self):
        return users_visible_to(user=self.request.user)

    @extend_schema(responses=UserOutput(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class UserDetailApi(GenericAPIView):
    serializer_class = UserOutput

    @extend_schema(responses=UserOutput)
    def get(self, request, user_uuid):
        return Response(
            self.get_serializer(user_get_for_user(user=request.user, user_uuid=user_uuid)).data
        )
