"""Loading the ``--catalog`` YAML file: extra vRO workflows, VCF tasks and ICO tasks.

The file is a mapping with up to three sections, each a list::

    workflows:   [{name, id?, category?, description?, inputs: [{name, type, description?}], outputs: [...],
                   behaviour: {duration: s, result: completed|failed|waiting, outputs: {name: plain value},
                               error: "message"}}]
    vcf_tasks:   [...]   # format owned by simulator/vcf_catalog.py
    ico_tasks:   [...]   # format owned by simulator/ico_catalog.py

Unknown top-level sections are an error (a typo should not silently do nothing).
"""

from __future__ import annotations

import yaml

SECTIONS = ("workflows", "vcf_tasks", "ico_tasks")


class CatalogError(ValueError):
    """The catalogue file cannot be used."""


def load(path):
    """Read and check a catalogue file; returns ``{section: list}`` with every section present."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError("cannot read catalogue %s: %s" % (path, exc)) from exc
    return check(data, source=str(path))


def check(data, source="catalogue"):
    """Validate the top-level shape and the workflow entries."""
    if not isinstance(data, dict):
        raise CatalogError("%s: the top level must be a mapping with %s" % (source, ", ".join(SECTIONS)))
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise CatalogError("%s: unknown section(s) %s (known: %s)" % (source, ", ".join(sorted(unknown)), ", ".join(SECTIONS)))
    result = {}
    for section in SECTIONS:
        items = data.get(section) or []
        if not isinstance(items, list):
            raise CatalogError("%s: %s must be a list" % (source, section))
        result[section] = items
    for index, workflow in enumerate(result["workflows"]):
        where = "%s: workflows[%d]" % (source, index)
        if not isinstance(workflow, dict) or not workflow.get("name"):
            raise CatalogError("%s needs a name" % where)
        for key in ("inputs", "outputs"):
            for param in workflow.get(key) or []:
                if not isinstance(param, dict) or not param.get("name") or not param.get("type"):
                    raise CatalogError("%s: each of %s needs a name and a type" % (where, key))
        behaviour = workflow.get("behaviour") or {}
        if not isinstance(behaviour, dict):
            raise CatalogError("%s: behaviour must be a mapping" % where)
        if behaviour.get("result", "completed") not in ("completed", "failed", "waiting"):
            raise CatalogError("%s: behaviour.result must be completed, failed or waiting" % where)
    return result
