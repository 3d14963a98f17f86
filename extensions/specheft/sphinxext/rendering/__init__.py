"""What readers see: items, deliverables (PDF and site sections), the site's words, tables."""
