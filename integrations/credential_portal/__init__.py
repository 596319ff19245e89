"""The customer's side of a one-time credential link: a page outside the admin, without sign-in."""
