"""Named quirks: switches that make the simulator play the other reading of a behaviour the public evidence leaves
open (``--quirk NAME``, repeatable, ``--quirk all``; ``PUT /_sim/settings {"quirks": [...]}``).

The enabled names are the runtime setting ``quirks`` (a sorted list, persisted like every setting and kept by
``POST /_sim/reset``). API modules ask ``ctx.quirk(name)``. Each quirk is listed in :data:`KNOWN` with one line on
what it does; its public source is in the fidelity table of ``simulator/README.md``. A quirk with a ``setting``
takes a value (``--quirk vcf-retry-lag=5`` sets ``vcf_retry_lag_seconds`` to 5).
"""

from __future__ import annotations

SETTING = "quirks"

# name -> (one-line description, the setting its value goes to or None, that setting's default)
KNOWN = {
    "vcf-retry-lag": ("VCF: a retried task keeps its pre-retry failed state (status, errors, completionTimestamp) for "
                      "vcf_retry_lag_seconds after the PATCH, then runs", "vcf_retry_lag_seconds", 2.0),
    "vcf-refail-keeps-stamp": ("VCF: a retried task that fails again keeps the completionTimestamp of its previous "
                               "failure (its errors are the same too)", None, None),
    "vcf-status-exact": ("VCF: GET /v1/tasks matches taskStatus exactly as spelled (Failed is not FAILED)", None, None),
    "vcf-paging-one-based": ("VCF: pageNumber counts from 1 (0 or none is the first page; pageMetadata says 1)", None, None),
    "vcf-paging-ignored": ("VCF: GET /v1/tasks ignores pageNumber and pageSize and answers every match at once", None, None),
    "vcf-task-fields-omitted": ("VCF: a task (GET /v1/tasks, /v1/tasks/{id}) leaves out its optional fields as the 4.4 "
                                "API reference's samples do: no isRetryable, no completionTimestamp on a failed task "
                                "(so completedAfter does not list it), and no subTasks, errors or resources when empty; "
                                "not part of 'all', since the default reading's tests assert what isRetryable false "
                                "and a failure's completion time give (a task refused before any PATCH, failed tasks "
                                "found by completed_after)", None, None),
    "vcf-expired-token-403": ("VCF: an expired access token is answered with 403 (errorCode TOKEN_EXPIRED) instead of "
                              "401", None, None),
    "ico-item-wrapped": ('ICO: GET /tasks wraps each entry as {"href": ..., "item": {...}}', None, None),
    "ico-tasks-paged": ("ICO: GET /tasks answers a page {href, start, limit, total, first, previous, next, last, items} "
                        "(_start/_limit, 10 tasks a page by default) instead of the whole array", None, None),
    "ico-create-answers-array": ("ICO: POST /tasks answers 201 with a one-task array (the page's \"Tasks Response\") "
                                 "and no Location header", None, None),
    "ico-put-replaces": ("ICO: PUT /tasks/{id} replaces the task's definition (parm, eventTopic, delayInSeconds, "
                         "serviceInstanceId): a field left out is reset", None, None),
    "ico-secrets-masked-on-read": ("ICO: every answer that shows a task (GET, and the answers to POST and PUT) shows the "
                                   "text under each secret-named key of its parm (password, secret, apiKey, token, at "
                                   "any depth) as ********; the task keeps the real value; not part of 'all', since "
                                   "a changed or held secret cannot be seen then, which the default reading's tests "
                                   "assert (test_ico_secrets.py starts it)", None, None),
    "ico-fqdn-required": ("ICO: POST and PUT are refused (403) when the request's host is an IP address or a short "
                          "name (the cookie_domain check); not part of 'all', since the simulator serves on 127.0.0.1",
                          None, None),
    "vro-conditions-comma-split": ("vRO: every conditions value is split at each comma (a name holding a comma is a "
                                   "broken condition: 400)", None, None),
    "vro-conditions-case-sensitive": ("vRO: a '~' (contains) condition on workflow and run names matches the case as "
                                      "written ('=' is exact on both readings)", None, None),
    "vro-date-conditions-rejected": ("vRO: the executions list answers 400 to startDate conditions and to sortOrders",
                                     None, None),
    "vro-date-conditions-ignored": ("vRO: the executions list ignores startDate conditions and sortOrders, and lists "
                                    "oldest first (with vro-date-conditions-rejected, the 400 wins)", None, None),
    "vro-logs-newest-first": ("vRO: /logs and /syslogs list the newest line first (maxResult still keeps the newest)",
                              None, None),
    "vro-8x-logs-wrapped": ('vRO 8.x: /logs and /syslogs wrap each line as {"entry": {...}} and name its user only '
                            '"userName" (no "user")', None, None),
    "vra-oauth-tenant-tm": ("vRA: the OAuth tenant login is served at /tm/oauth/tenant/{tenant}/token only (404 at "
                            "/oauth/tenant/{tenant}/token)", None, None),
    "vro-8-standalone-csp-login": ("vRA: POST /iaas/api/login answers 404 (a vRO 8 appliance without Aria Automation): "
                                   "the refresh token is exchanged at /csp/gateway/am/api/auth/api-tokens/authorize "
                                   "only", None, None),
    "vro-7-cancel-state": ("vRO 7.6: DELETE .../executions/{id}/state cancels a run (as VMware's REST client SDK does) "
                           "and DELETE .../executions/{id}/ (rel: remove) deletes its record, as on 8.x", None, None),
    "vro-catalog-conditions-ignored": ("vRO: GET /catalog/System/WorkflowToken ignores its conditions (every run comes "
                                       "back)", None, None),
    "vro-catalog-workflowexecution": ("vRO: the catalog of runs is GET /catalog/System/WorkflowExecution (as VMware's "
                                      "o11n workflow manager reads it), its entries without workflowId (GET "
                                      "/catalog/System/WorkflowExecution/{id} names the workflow in its relations); "
                                      "/catalog/System/WorkflowToken answers 404", None, None),
    "vro-interactions-bare-attributes": ("vRO: GET /interactions and /workflows/{id}/interactions entries carry only "
                                         "the attributes id, name, description and createDate (no executionId nor "
                                         "workflowId): the run and its workflow are in the href only", None, None),
    "vro-values-strict": ("vRO: a number or boolean value written as text (\"20\", \"true\") and a 'string' value for a "
                          "SecureString/EncryptedString input are refused (400)", None, None),
    "vro-about-no-version": ("vRO: GET /about has no 'version' (only build-number, build-date and api-version)", None, None),
    "vro-task-update-replaces": ("vRO: POST /tasks/{id} replaces the task with the body: a field left out is reset "
                                 "(description, end date, pattern, input parameters, cycle, start mode; the start date "
                                 "is required)", None, None),
    "vro-task-null-refused": ("vRO: a null field in a task body (POST /tasks, POST /tasks/{id}) is refused (400), as a "
                              "server strict to the 8.18 spec would", None, None),
    "vro-task-null-kept": ("vRO: a null field in a task update is read as not given, so the task keeps its value (with "
                           "vro-task-null-refused, the 400 wins)", None, None),
    "vro-task-answer-small": ('vRO: POST /tasks (202, Location) and POST /tasks/{id} (200) answer only {"id", "state"} '
                              "instead of the whole task", None, None),
    "vro-one-element-bare": ("vRO: in the input and output parameters of runs and tasks, an array with exactly one "
                             "element gives it as a bare object ({\"array\": {\"element\": {...}}}) and a Properties "
                             "with exactly one entry gives it as an object, not a list (XML-born JSON)", None, None),
    "vro-secure-as-string": ("vRO: in the input and output parameters of runs and tasks, every part the declared type "
                             "makes a SecureString (the parameter, Array/SecureString elements, SecureString fields of "
                             "composites) comes with the 'string' kind instead of 'secure-string'", None, None),
    "vro-8-server-permissions": ("vRO 8.x: GET /vco/api/server/permissions is served (as on 7.x) instead of a 404",
                                 None, None),
}

# Quirks that 'all' leaves out, each for the reason in its description.
NOT_IN_ALL = frozenset(("ico-fqdn-required", "ico-secrets-masked-on-read", "vcf-task-fields-omitted"))


class QuirkError(ValueError):
    """An unknown quirk name or a bad value."""


def describe():
    """``{name: description}`` of every known quirk."""
    return {name: entry[0] for name, entry in sorted(KNOWN.items())}


def defaults():
    """The default value of every quirk setting (merged into the simulator's default settings)."""
    return {entry[1]: entry[2] for entry in KNOWN.values() if entry[1]}


def parse(specs):
    """``(names, settings)`` from ``NAME``, ``NAME=VALUE`` or ``all`` entries; QuirkError for an unknown name."""
    names, settings = set(), {}
    for spec in specs or ():
        name, sep, value = str(spec).strip().partition("=")
        name = name.strip()
        if name == "all":
            names.update(n for n in KNOWN if n not in NOT_IN_ALL)
            continue
        if name not in KNOWN:
            raise QuirkError("unknown quirk %r; known: all, %s" % (name, ", ".join(sorted(KNOWN))))
        names.add(name)
        if sep:
            setting = KNOWN[name][1]
            if not setting:
                raise QuirkError("quirk %r takes no value" % name)
            try:
                settings[setting] = float(value)
            except ValueError:
                raise QuirkError("quirk %r wants a number, not %r" % (name, value)) from None
    return sorted(names), settings


def check(value):
    """The sorted list of names for a ``quirks`` setting (a list of names, or one comma-separated string)."""
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, list):
        raise QuirkError("quirks must be a list of names (or 'all')")
    names, settings = parse(value)
    if settings:
        raise QuirkError("set a quirk's value through its setting (%s), not in quirks" % ", ".join(sorted(settings)))
    return names
