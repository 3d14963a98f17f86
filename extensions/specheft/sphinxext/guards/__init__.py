"""Guards on the sources: paths stay in the project, links run no script, pages have a size limit."""
