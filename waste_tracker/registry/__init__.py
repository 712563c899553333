"""The registry: jurisdictions, the waste catalogue, organisations, sites, licences, vehicles."""
