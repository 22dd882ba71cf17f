"""The Action Network v2 / OSDI API (DESIGN.md decision 15)."""
