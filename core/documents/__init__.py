"""Generated documents: the one pipeline every stored, worker-built file goes through.

- `models.GeneratedDocument`: the abstract model (status, file, checksum, size,
  attempts, error, generated_at) and `DocumentStatus`, the one status enum;
  `models.OfficialDocument` adds the verification code and the signer of the PDFs the
  portal issues (award letters, stage-evaluation reports, call result reports).
- `render.render_pdf`: HTML → PDF/A-3b with WeasyPrint and the portal's URL fetcher
  (`data:` URIs and the portal's own static files, nothing else).
- `signing`: the ministry's certificate (PKCS#12), checked at start, and the PAdES
  signature of every PDF (`sign_pdf`); `certificates`: the demo's self-made one.
- `seal`: what a document prints about itself (the QR code of its /verify address,
  its code, its signer or "not signed"), with core/_document_seal.html.
- `services.build_document`: claim → render → sign → store under a new,
  content-derived name → switch the row to it.
- `tasks.DocumentTask`: the Celery task base of every document task (acked late,
  retried with backoff, given up visibly).
- `verification`: the registry behind the public `/verify/<code>` page, and the
  check of an uploaded file (`verify_file`: its checksum, then its signature).

Nothing here knows a domain app: the apps give the model, the HTML or bytes and
the file name, and register their verifiers in `AppConfig.ready()`.
"""
