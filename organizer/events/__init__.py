"""Screenings: hosts register them, guests RSVP (capacity, waitlist), reminders, calendars."""
