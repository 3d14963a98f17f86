"""Reading files from other parties (XLSX, XML) without trusting them."""
