"""Declarations (申报, HJ 1259-2022 §7), drafted from the ledger and the manifests, and the
receivers' monthly balances (the grave side of the mass balance)."""
