"""Who hears about what: in-app notifications, the email outbox, and the subjects components register."""
