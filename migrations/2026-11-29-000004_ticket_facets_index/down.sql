DROP INDEX tickets_facets;
