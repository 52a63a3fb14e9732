"""Town halls: deputies schedule meetings, residents register, minutes feed back to proposals.

Uses the app (proposals, users, notifications) through its services; nothing outside this
package uses its internals except through :mod:`meetings.services`."""
