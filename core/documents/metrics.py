"""The documents' counter for /metrics (megaproject.metrics serves it):
`portal_documents_total{kind, outcome}`, kind = the model ("awardletter", "stagereport",
"callreport", "exportjob"), outcome = generated (stored) or failed (failed for good or
given up). Counted by `document_transition`, the one place a document's status moves."""

from prometheus_client import Counter

DOCUMENTS = Counter("portal_documents", "Generated documents stored or failed for good, by kind and outcome.",
                    ["kind", "outcome"])

# The moves that end a build, and the outcome each counts as.
OUTCOMES = {"store": "generated", "fail": "failed", "give_up": "failed"}


def count(row, action: str) -> None:
    outcome = OUTCOMES.get(action)
    if outcome is not None:
        DOCUMENTS.labels(row._meta.model_name, outcome).inc()
