"""Why each project was funded or not, in the reader's language (see app/core/reasons.py, shared
with the proposals' timelines)."""
from app.core.reasons import reason_text


def explanation_text(data: dict) -> str:
    """The sentence for one project of a stored result (``data['reason']`` = code + params); a
    result stored before reasons existed keeps its own text."""
    text = reason_text(data.get("reason"))
    return text if text is not None else data.get("explanation", "")
