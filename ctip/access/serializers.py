"""DRF serializers that show only the fields the access policy lets the reader see."""

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from .policy import SENSITIVITY_PERMISSION, readable_fields
from .rules import RULES

# What the OpenAPI schema describes instead of one reader's fields (see PolicyFilteredSchema).
SCHEMA_EVERY_FIELD = "every"
SCHEMA_NORMAL_FIELDS = "normal"


class PolicyFilteredSerializer(serializers.ModelSerializer):
    """Drops every field the requesting user may not read (see access/rules.py).

    Serializer fields that are not model fields (e.g. `organisation_code` reading
    `organisation.code`) follow the sensitivity of the model field named by `source`'s first part.
    """

    # Set only by PolicyFilteredSchema, on the instances it describes, for as long as it
    # describes them; None (the request's user decides) whenever data is serialized.
    _schema_fields: str | None = None

    def get_fields(self):
        fields = super().get_fields()
        _declare_empty_values(self.Meta.model, fields)
        allowed = self._readable_sources()
        return {
            name: field
            for name, field in fields.items()
            if (field.source or name).split(".")[0] in allowed
        }

    def _readable_sources(self) -> set[str]:
        model = self.Meta.model
        if self._schema_fields is None:
            request = self.context.get("request")
            return set(readable_fields(getattr(request, "user", None), model))
        rule = RULES.get(model._meta.label)
        if rule is None:
            return set()
        if self._schema_fields == SCHEMA_EVERY_FIELD:
            return set(rule.fields)
        return {
            name
            for name, level in rule.fields.items()
            if SENSITIVITY_PERMISSION[level] is None  # what every signed-in reader may read
        }


def _declare_empty_values(model: type[models.Model], fields: dict) -> None:
    """Lets read-only fields say that they may be null or blank, as their model fields may.

    The values shown do not change: these flags only validate input, and the OpenAPI schema
    reads them. DRF drops `allow_blank` from read-only fields (a blank choice would be missing
    from its enum), and a declared field (e.g. a SlugRelatedField over a nullable foreign key)
    does not know that its model field is nullable.
    """
    for name, field in fields.items():
        source = field.source or name
        if not field.read_only or "." in source or source == "*":
            continue
        try:
            model_field = model._meta.get_field(source)
        except FieldDoesNotExist:
            continue
        if model_field.many_to_many or model_field.one_to_many:
            continue
        if model_field.null and not isinstance(field, serializers.ManyRelatedField):
            field.allow_null = True
        if (
            model_field.blank
            and isinstance(model_field, models.CharField | models.TextField)
            and isinstance(field, serializers.ChoiceField)
        ):
            field.allow_blank = True


class PolicyFilteredSchema(OpenApiSerializerExtension):
    """The OpenAPI schema of a PolicyFilteredSerializer, the same whoever reads it.

    It lists every field that some reader may be shown, and marks as required only those that
    every reader gets (normal sensitivity): a field filtered out for a role, such as a case's
    `abuse_narrative` or a person's `protection_notes`, is optional.
    """

    target_class = PolicyFilteredSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        serializer = self.target
        try:
            every_reader_gets = set(_fields_for_schema(serializer, SCHEMA_NORMAL_FIELDS))
            _fields_for_schema(serializer, SCHEMA_EVERY_FIELD)
            schema = auto_schema._map_basic_serializer(serializer, direction)
        finally:
            # The instance serializes for its request's user again, should it ever be used.
            serializer._schema_fields = None
            serializer.__dict__.pop("fields", None)
        required = [name for name in schema.get("required", []) if name in every_reader_gets]
        if required:
            schema["required"] = required
        else:
            schema.pop("required", None)
        return schema


def _fields_for_schema(serializer: PolicyFilteredSerializer, which: str) -> dict:
    serializer._schema_fields = which
    serializer.__dict__.pop("fields", None)  # `fields` is a cached property
    return serializer.fields
