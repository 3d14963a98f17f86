"""``specheft diff`` reports that are files rather than text on a terminal: a standalone
HTML page with a word-level redline (:mod:`.html`) and an Excel change list (:mod:`.xlsx`).
The text, Markdown and JSON reports are pure text and live with the diff itself
(:mod:`specheft.trace.diff`)."""
