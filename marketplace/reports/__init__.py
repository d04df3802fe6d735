"""Reports: charts and documents built on the server, for pages and PDFs alike."""
