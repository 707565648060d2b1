"""Every write of the agreements app: `lifecycle` (prepare, issue, accept, in force, superseded) and
`documents` (the agreement's PDF)."""
