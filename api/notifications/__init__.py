"""Messages to patients and staff, sent once each through a notifier."""
