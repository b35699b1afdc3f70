"""Server-side apply and managedFields, pure logic (no I/O), behaving as structured-merge-diff and the
upstream API server's field manager do.

values     JSON values: equality, order, the text forms used in keys and messages
path       path elements (`f:`, `k:`, `v:`, `i:`) and paths (`.data.a`)
fieldset   sets of paths (a trie) and their algebra
fieldsv1   FieldSet ↔ fieldsV1 JSON
typeinfo   the schema positions: declared fields, atomic maps and lists, set and map lists
fieldsof   the fields an object sets; list item names; applied-configuration checks
compare    added / modified / removed fields between two objects
merge      merging an applied configuration; removing fields
entries    managedFields entries ↔ managers and their fields
conflicts  apply conflicts and their 409 Status
updater    who owns what after an update or an apply
lastapplied  kubectl's last-applied-configuration annotation
manager    the FieldManager of one resource: update and apply, as the API server runs them
"""

from apimachinery.fieldmanager.manager import FieldManager, prefix_from_user_agent

__all__ = ["FieldManager", "prefix_from_user_agent"]
