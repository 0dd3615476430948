# ruff: noqa: E501 (Django's messages, verbatim)
"""Django's own messages that its Khmer catalogue leaves untranslated.

Django ships Khmer for about a third of its strings; validation errors such as "Enter a valid
date." or "Select a valid choice." reach a Khmer user in English. Marking them here puts them in
CTIP's catalogue (ctip/locale/km), which Django reads before its own. Nothing calls this code:
makemessages only reads it. Update from Django's km catalogue when Django is upgraded.
Units and protocol names (KB, IPv4) stay as Django writes them.
"""

from django.utils.translation import gettext_noop, ngettext, pgettext

SINGULAR = [
    gettext_noop("That page number is not an integer"),
    gettext_noop("That page number is less than 1"),
    gettext_noop("That page contains no results"),
    gettext_noop("Enter a valid value."),
    gettext_noop("Enter a valid domain name."),
    gettext_noop("Enter a valid URL."),
    gettext_noop("Enter a valid integer."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."),
    gettext_noop(
        "Enter a valid “slug” consisting of Unicode letters, numbers, underscores, or hyphens."
    ),
    gettext_noop("Enter a valid %(protocol)s address."),
    gettext_noop("IPv4 or IPv6"),
    gettext_noop("Ensure this value is %(limit_value)s (it is %(show_value)s)."),
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is a multiple of step size %(limit_value)s."),
    gettext_noop(
        "Ensure this value is a multiple of step size %(limit_value)s, starting from %(offset)s, e.g. %(offset)s, %(valid_value1)s, %(valid_value2)s, and so on."
    ),
    gettext_noop("Enter a number."),
    gettext_noop(
        "File extension “%(extension)s” is not allowed. Allowed extensions are: %(allowed_extensions)s."
    ),
    gettext_noop("Null characters are not allowed."),
    gettext_noop("%(model_name)s with this %(field_labels)s already exists."),
    gettext_noop("Constraint “%(name)s” is violated."),
    gettext_noop("Value %(value)r is not a valid choice."),
    gettext_noop("This field cannot be blank."),
    gettext_noop("%(model_name)s with this %(field_label)s already exists."),
    gettext_noop("%(field_label)s must be unique for %(date_field_label)s %(lookup_type)s."),
    gettext_noop("Field of type: %(field_type)s"),
    gettext_noop("“%(value)s” value must be either True or False."),
    gettext_noop("“%(value)s” value must be either True, False, or None."),
    gettext_noop("String (up to %(max_length)s)"),
    gettext_noop("String (unlimited)"),
    gettext_noop("“%(value)s” value has an invalid date format. It must be in YYYY-MM-DD format."),
    gettext_noop(
        "“%(value)s” value has the correct format (YYYY-MM-DD) but it is an invalid date."
    ),
    gettext_noop(
        "“%(value)s” value has an invalid format. It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format."
    ),
    gettext_noop(
        "“%(value)s” value has the correct format (YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ]) but it is an invalid date/time."
    ),
    gettext_noop("“%(value)s” value must be a decimal number."),
    gettext_noop(
        "“%(value)s” value has an invalid format. It must be in [DD] [[HH:]MM:]ss[.uuuuuu] format."
    ),
    gettext_noop("Duration"),
    gettext_noop("Email address"),
    gettext_noop("“%(value)s” value must be a float."),
    gettext_noop("Floating point number"),
    gettext_noop("“%(value)s” value must be an integer."),
    gettext_noop("Big (8 byte) integer"),
    gettext_noop("Small integer"),
    gettext_noop("IPv4 address"),
    gettext_noop("“%(value)s” value must be either None, True or False."),
    gettext_noop("Positive big integer"),
    gettext_noop("Positive integer"),
    gettext_noop("Positive small integer"),
    gettext_noop("Slug (up to %(max_length)s)"),
    gettext_noop(
        "“%(value)s” value has an invalid format. It must be in HH:MM[:ss[.uuuuuu]] format."
    ),
    gettext_noop(
        "“%(value)s” value has the correct format (HH:MM[:ss[.uuuuuu]]) but it is an invalid time."
    ),
    gettext_noop("Raw binary data"),
    gettext_noop("“%(value)s” is not a valid UUID."),
    gettext_noop("Universally unique identifier"),
    gettext_noop("File"),
    gettext_noop("Image"),
    gettext_noop("A JSON object"),
    gettext_noop("Value must be valid JSON."),
    gettext_noop("%(model)s instance with %(field)s %(value)r is not a valid choice."),
    gettext_noop("Foreign Key (type determined by related field)"),
    gettext_noop("One-to-one relationship"),
    gettext_noop("%(from)s-%(to)s relationship"),
    gettext_noop("%(from)s-%(to)s relationships"),
    gettext_noop("Many-to-many relationship"),
    gettext_noop("Enter a valid date."),
    gettext_noop("Enter a valid time."),
    gettext_noop("Enter a valid date/time."),
    gettext_noop("Enter a valid duration."),
    gettext_noop("The number of days must be between {min_days} and {max_days}."),
    gettext_noop("No file was submitted."),
    gettext_noop("Please either submit a file or check the clear checkbox, not both."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("Enter a list of values."),
    gettext_noop("Enter a complete value."),
    gettext_noop("Enter a valid UUID."),
    gettext_noop("Enter a valid JSON."),
    gettext_noop("(Hidden field %(name)s) %(error)s"),
    gettext_noop(
        "ManagementForm data is missing or has been tampered with. Missing fields: %(field_names)s. You may need to file a bug report if the issue persists."
    ),
    gettext_noop("Order"),
    gettext_noop("Please correct the duplicate data for %(field)s."),
    gettext_noop("Please correct the duplicate data for %(field)s, which must be unique."),
    gettext_noop(
        "Please correct the duplicate data for %(field_name)s which must be unique for the %(lookup)s in %(date_field)s."
    ),
    gettext_noop("Please correct the duplicate values below."),
    gettext_noop("The inline value did not match the parent instance."),
    gettext_noop("Select a valid choice. That choice is not one of the available choices."),
    gettext_noop("“%(pk)s” is not a valid value."),
    gettext_noop(
        "%(datetime)s couldn’t be interpreted in time zone %(current_timezone)s; it may be ambiguous or it may not exist."
    ),
    gettext_noop("Clear"),
    gettext_noop("Currently"),
    gettext_noop("p.m."),
    gettext_noop("a.m."),
    gettext_noop("PM"),
    gettext_noop("AM"),
    gettext_noop("midnight"),
    gettext_noop("noon"),
    gettext_noop("Mon"),
    gettext_noop("Tue"),
    gettext_noop("Wed"),
    gettext_noop("Thu"),
    gettext_noop("Fri"),
    gettext_noop("Sat"),
    gettext_noop("Sun"),
    gettext_noop("This is not a valid IPv6 address."),
    gettext_noop("or"),
    gettext_noop("Forbidden"),
    gettext_noop("CSRF verification failed. Request aborted."),
    gettext_noop(
        "You are seeing this message because this HTTPS site requires a “Referer header” to be sent by your web browser, but none was sent. This header is required for security reasons, to ensure that your browser is not being hijacked by third parties."
    ),
    gettext_noop(
        "If you have configured your browser to disable “Referer” headers, please re-enable them, at least for this site, or for HTTPS connections, or for “same-origin” requests."
    ),
    gettext_noop(
        'If you are using the <meta name="referrer" content="no-referrer"> tag or including the “Referrer-Policy: no-referrer” header, please remove them. The CSRF protection requires the “Referer” header to do strict referer checking. If you’re concerned about privacy, use alternatives like <a rel="noreferrer" …> for links to third-party sites.'
    ),
    gettext_noop(
        "You are seeing this message because this site requires a CSRF cookie when submitting forms. This cookie is required for security reasons, to ensure that your browser is not being hijacked by third parties."
    ),
    gettext_noop(
        "If you have configured your browser to disable cookies, please re-enable them, at least for this site, or for “same-origin” requests."
    ),
    gettext_noop("More information is available with DEBUG=True."),
    gettext_noop("No year specified"),
    gettext_noop("Date out of range"),
    gettext_noop("No month specified"),
    gettext_noop("No day specified"),
    gettext_noop("No week specified"),
    gettext_noop("No %(verbose_name_plural)s available"),
    gettext_noop(
        "Future %(verbose_name_plural)s not available because %(class_name)s.allow_future is False."
    ),
    gettext_noop("Invalid date string “%(datestr)s” given format “%(format)s”"),
    gettext_noop("No %(verbose_name)s found matching the query"),
    gettext_noop("Page is not “last”, nor can it be converted to an int."),
    gettext_noop("Invalid page (%(page_number)s): %(message)s"),
    gettext_noop("Empty list and “%(class_name)s.allow_empty” is False."),
    gettext_noop("Directory indexes are not allowed here."),
    gettext_noop("“%(path)s” does not exist"),
    gettext_noop("Index of %(directory)s"),
    gettext_noop("The install worked successfully! Congratulations!"),
    gettext_noop(
        'View <a href="https://docs.djangoproject.com/en/%(version)s/releases/" target="_blank" rel="noopener">release notes</a> for Django %(version)s'
    ),
    gettext_noop(
        'You are seeing this page because <a href="https://docs.djangoproject.com/en/%(version)s/ref/settings/#debug" target="_blank" rel="noopener">DEBUG=True</a> is in your settings file and you have not configured any URLs.'
    ),
    gettext_noop("Django Documentation"),
    gettext_noop("Topics, references, &amp; how-to’s"),
    gettext_noop("Tutorial: A Polling App"),
    gettext_noop("Get started with Django"),
    gettext_noop("Django Community"),
    gettext_noop("Connect, get help, or contribute"),
]


def _plural_and_contextual_messages() -> None:  # pragma: no cover (never called)
    ngettext(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        1,
    )
    ngettext(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        1,
    )
    ngettext(
        "Ensure that there are no more than %(max)s digit in total.",
        "Ensure that there are no more than %(max)s digits in total.",
        1,
    )
    ngettext(
        "Ensure that there are no more than %(max)s decimal place.",
        "Ensure that there are no more than %(max)s decimal places.",
        1,
    )
    ngettext(
        "Ensure that there are no more than %(max)s digit before the decimal point.",
        "Ensure that there are no more than %(max)s digits before the decimal point.",
        1,
    )
    ngettext(
        "Ensure this filename has at most %(max)d character (it has %(length)d).",
        "Ensure this filename has at most %(max)d characters (it has %(length)d).",
        1,
    )
    ngettext("Please submit at most %(num)d form.", "Please submit at most %(num)d forms.", 1)
    ngettext("Please submit at least %(num)d form.", "Please submit at least %(num)d forms.", 1)
    ngettext("%(size)d byte", "%(size)d bytes", 1)
    pgettext("abbrev. month", "Jan.")
    pgettext("abbrev. month", "Feb.")
    pgettext("abbrev. month", "Aug.")
    pgettext("abbrev. month", "Sept.")
    pgettext("abbrev. month", "Oct.")
    pgettext("abbrev. month", "Nov.")
    pgettext("abbrev. month", "Dec.")
    ngettext("%(num)d year", "%(num)d years", 1)
    ngettext("%(num)d month", "%(num)d months", 1)
    ngettext("%(num)d week", "%(num)d weeks", 1)
    ngettext("%(num)d day", "%(num)d days", 1)
    ngettext("%(num)d hour", "%(num)d hours", 1)
    ngettext("%(num)d minute", "%(num)d minutes", 1)
