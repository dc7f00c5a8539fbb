"""Letters: templates in the process bundle, rendered to frozen HTML, sent as e-mail and PDF."""
