"""CSV cells that open safely in a spreadsheet."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A text cell a spreadsheet would run as a formula (a proposal titled '=HYPERLINK(...)')
    gets a leading apostrophe, which Excel and LibreOffice show as plain text (OWASP's CSV
    injection advice). Numbers are left alone; the JSON exports keep the text as written."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
