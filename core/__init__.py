"""The portal's foundation: pieces every domain app may use and that know no domain.

Generated documents (the one pipeline: model base, render, store, verify), the
WeasyPrint renderer and its URL fetcher, server-drawn SVG charts, money
formatting (the `portal` template library), request-parameter parsing and the
permission check services call. Nothing here imports a domain app.
"""
