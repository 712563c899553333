"""Third-party audit sampling: the draw (sampling.py, pure), the record and the auditors' work
(service.py), what an auditor may read now (scope.py). See docs/audit.md."""
