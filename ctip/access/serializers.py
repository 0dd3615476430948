"""DRF serializers that show only the fields the access policy lets the reader see."""

from rest_framework import serializers

from .policy import readable_fields


class PolicyFilteredSerializer(serializers.ModelSerializer):
    """Drops every field the requesting user may not read (see access/rules.py).

    Serializer fields that are not model fields (e.g. `organisation_code` reading
    `organisation.code`) follow the sensitivity of the model field named by `source`'s first part.
    """

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        model = self.Meta.model
        allowed = set(readable_fields(user, model))
        return {
            name: field
            for name, field in fields.items()
            if (field.source or name).split(".")[0] in allowed
        }
