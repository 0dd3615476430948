from django.core.exceptions import ValidationError


def add_service_errors(form, exc: ValidationError) -> None:
    """Shows a service's refusal on the form: by field where it names fields, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
