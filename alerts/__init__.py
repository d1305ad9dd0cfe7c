"""Alert ingestion: integrations, raw deliveries, alerts, and their grouping into incidents.

It stands apart from `incidents` because its concerns are those of a high-volume intake: vendor
formats (one pure adapter per tool), authentication by integration key, deliveries stored before
they are answered, idempotent batch processing with the database as the queue, and dedup and
grouping rules. It writes incidents only through `incidents.services`.
"""
