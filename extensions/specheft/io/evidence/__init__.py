"""Reports of test evidence: plain text, JUnit XML, the manual results sheet."""
