"""Test evidence: results of test runs, defects, and the Go/No-Go decision from them.

Pure code (no Sphinx import): ``model`` (runs, case results, defects), ``junit``
(JUnit/xUnit and Robot ``output.xml`` reader), ``mapping`` (case → test item),
``store`` (runs as JSON files in the project), ``defects`` (defect list CSV),
``config`` (``[results]`` and ``[acceptance]`` in specheft.toml) and ``acceptance``
(the decision). The use cases that need the project's items live in
``specheft.project.results``.
"""
