"""What every part of the app uses (docs/architecture.md, "app/core").

The base — clock, errors, forms, i18n, markdown, security — reads no model, so the models may use
it; permissions, audit, areas, labels, error_pages and backup read the models. Nothing here
imports a feature package or a component."""
