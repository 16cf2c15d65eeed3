"""The write service: every change of figures and of their reports goes through here
(issue 17, item 1; docs/decisions/0012 and 0036).

- rules.py: the rules every change obeys, each written once — who may write which figure
  (asking accounts.policy), what a published (approved) figure allows, when a report is
  closed to writing — and the one order locks are taken in (reports, then figures, by id).
- reports.py: a report's state and version: opened and locked before its figures, touched
  when they change, moved through review (submit, approve, return, reopen) with them.
- figures.py: one figure or a set at a time: the API's save, update and delete (and a
  DHIS2 delete of several), staff's sets of rows, the reference data's figures, the admin's
  form, delete and import.
- bulk.py: files and the bulk API, with COPY as the strategy for large ones.
- store.py (with copy_write.py): the only code that writes figure rows, with their history,
  telling the live aggregates what changed.

Entry points (the quarterly form and the review workflow in entry.services, the API, the
admin, the DHIS2 endpoints, load_reference_data) translate what they were sent into these
calls and their answers back; none asks accounts.policy a writing rule or locks figures or
reports itself (tests/test_write_paths.py), and none imports the store (import-linter).
"""
