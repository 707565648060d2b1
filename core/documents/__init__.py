"""Generated documents: the one pipeline every stored, worker-built file goes through.

- `models.GeneratedDocument`: the abstract model (status, file, checksum, size,
  attempts, error, generated_at) and `DocumentStatus`, the one status enum.
- `render.render_pdf`: HTML → PDF with WeasyPrint and the portal's URL fetcher
  (`data:` URIs and the portal's own static files, nothing else).
- `services.build_document`: claim → render → store under a new, content-derived
  name → switch the row to it.
- `tasks.DocumentTask`: the Celery task base of every document task (acked late,
  retried with backoff, given up visibly).
- `verification`: the registry behind the public `/verify/<code>` page.

Nothing here knows a domain app: the apps give the model, the HTML or bytes and
the file name, and register their verifiers in `AppConfig.ready()`.
"""
