"""The registry of market entities (市场主体): the authoritative record and its history."""
