"""Guards on the sources: paths stay in the project, links run no script, pages stay small."""
