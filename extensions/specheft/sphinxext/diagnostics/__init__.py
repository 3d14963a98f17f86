"""Messages with a file and line: item-source mistakes, located sphinx-needs messages,
warnings kept across incremental builds."""
