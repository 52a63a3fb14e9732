"""Names of the town halls' codes, in the reader's language."""
from flask_babel import lazy_gettext as _l

from app.core.labels import lookup

ACTION_STATUS_LABELS = {"open": _l("open"), "done": _l("done"), "cancelled": _l("cancelled")}
action_status_label = lookup(ACTION_STATUS_LABELS)

# What happened to a meeting, as its notifications say it (Notification.detail).
MEETING_NOTICES = {
    "rescheduled": _l("the meeting was moved to another time"),
    "changed": _l("the meeting details changed"),
    "cancelled": _l("the meeting is cancelled"),
    "promoted": _l("a place freed up: you are now registered"),
    "reminder": _l("the meeting starts within 24 hours"),
    "minutes": _l("the minutes are published"),
    "message": _l("the hosts wrote to the registrants"),
}
