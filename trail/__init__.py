"""The audit trail's pages: browse, filter and export the one trail (/audit/).

The table and its writer live in the foundation app `audit`; these pages sit at
the top because a proposal's history joins records of every app below."""
