"""Label and field selectors: parsing the query-string forms and matching objects against them."""
