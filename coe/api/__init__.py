"""The COE REST API (/api/v1/coe/, /api/v1/action-items/), by entity: the document (`documents`: COEs,
sections and their revisions, contributing factors, the language check), its review (`review`), action
items (`items`) and the comment threads on sections (`comments`); `coe.api_urls` routes to them.

The same services and selectors as the COE pages (`coe.views`), so a COE written by a script follows the
same rules as one written in the browser. Built like `incidents.api`: module-level serializers
(`coe.api_serializers`), `core.api.ApiView`, and errors as {"message", "code", "extra"} through
`core.api.exception_handler`. A stale section save is a 409 `stale_section` carrying the current text, so
the writer's text is never lost.
"""
